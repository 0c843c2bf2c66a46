import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../apps/task-center/src/config';
import { startApp, stopApp } from './support/app';
import { type CenterProcess, spawnCenter } from './support/spawn-center';
import { isolatedEnv, waitFor } from './support/stack';
import { TargetServer } from './support/target-server';
import { testKafka } from './support/worker-kafka';

interface OutcomeView {
  result: string;
  error?: string;
  duration_ms?: number;
  worker?: { group: string; pid: number };
}

interface FireView {
  scheduled_at_ms: number;
  state: string;
  attempts: { attempt: number; message_id: string; outcomes: OutcomeView[] }[];
}

const HINT = '(allow it with HTTP_TARGET_ALLOW)';

/**
 * SSRF rules at delivery time, in the standalone delivery process (`main.ts http-targets`).
 * The center's own HTTP_TARGET_ALLOW admits every URL at create time (and its in-process
 * worker is off), so the only thing between these fires and the servers is the standalone
 * worker's policy, whose HTTP_TARGET_ALLOW is empty: each address must be refused on the
 * worker, with a clear error in the run history, and no connection may reach a server.
 */
describe('HTTP targets: SSRF refusals in the standalone delivery worker (real stack, real process)', () => {
  let env: Record<string, string>;
  let app: INestApplication | undefined;
  let worker: CenterProcess | undefined;
  let v4: TargetServer;
  let v6: TargetServer;
  const api = () => request(app!.getHttpServer());

  beforeAll(async () => {
    v4 = await TargetServer.start(() => ({ status: 200 }));
    v6 = await TargetServer.start(() => ({ status: 200 }), '::1');
    env = isolatedEnv({
      HTTP_TARGETS_ENABLED: 'false',
      HTTP_TARGET_ALLOW: '127.0.0.0/8,::1/128,10.0.0.0/8,169.254.0.0/16,localhost',
    });
    // The center first: it creates the topics the standalone worker consumes.
    app = await startApp(loadConfig(env));
  }, 60_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await stopApp(app);
    await Promise.all([v4?.close(), v6?.close()]);
    const admin = testKafka('ssrf-e2e-cleanup').admin();
    try {
      await admin.connect();
      await admin.deleteTopics({
        topics: [
          env.KAFKA_TOPIC_TASKS!,
          env.KAFKA_TOPIC_RESULTS!,
          env.KAFKA_TOPIC_DEAD_LETTER!,
          env.KAFKA_TOPIC_HTTP!,
        ],
        timeout: 5000,
      });
    } catch {
      // leftovers expire with the broker's retention
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }, 60_000);

  it('refuses loopback, private, link-local and IPv4-mapped addresses and a loopback name: failed then dead, nothing connects', async () => {
    // The same topics and group as the center, no database, and no relaxed SSRF rules.
    const kafkaOnly = Object.fromEntries(
      Object.entries(env).filter(([name]) => name !== 'MONGODB_URI'),
    );
    worker = spawnCenter({ ...kafkaOnly, HTTP_TARGET_ALLOW: '', LOG_LEVEL: 'log' }, [
      'http-targets',
    ]);
    const startLine = `HTTP delivery worker: ${env.KAFKA_TOPIC_HTTP} as ${env.HTTP_TARGET_GROUP}`;
    await waitFor(
      'the standalone worker to log its start line',
      () => {
        if (worker!.child.exitCode !== null) {
          throw new Error(`it exited with ${worker!.child.exitCode}: ${worker!.output().stderr}`);
        }
        return worker!.output().stdout.includes(startLine);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    const mapped = `http://[::ffff:127.0.0.1]:${v4.port}/d`;
    const cases: { url: string; refusal: string }[] = [
      { url: v4.url('/a'), refusal: `refused 127.0.0.1: a loopback address ${HINT}` },
      { url: v6.url('/b'), refusal: `refused ::1: a loopback address ${HINT}` },
      { url: 'http://10.0.0.1/c', refusal: `refused 10.0.0.1: a private address ${HINT}` },
      {
        url: 'http://169.254.169.254/latest/meta-data',
        refusal: `refused 169.254.169.254: a link-local address ${HINT}`,
      },
      // The URL parser writes the mapped address in hex; the refusal names the IPv4 inside.
      { url: mapped, refusal: `refused ::ffff:7f00:1 (127.0.0.1): a loopback address ${HINT}` },
      {
        url: `http://localhost:${v4.port}/e`,
        refusal: `refused 127.0.0.1 for localhost: a loopback address ${HINT}`,
      },
    ];
    // Far enough ahead that every task is created before its slot (else it fires at creation).
    const start = Math.ceil(Date.now() / 1000) + 3;
    const ids: string[] = [];
    for (const { url } of cases) {
      const res = await api()
        .post('/v1/api/task')
        .send({
          name: 'http.ssrf',
          type: 1,
          data: 'must not leave the machine',
          start_time: start,
          retry: { max_attempts: 1 },
          target: { type: 'http', url },
        });
      expect(res.status).toBe(200);
      ids.push((res.body as { taskid: string }).taskid);
    }

    const runs = async (taskid: string): Promise<FireView[]> => {
      const res = await api().get('/v1/api/task-runs').query({ taskid });
      expect(res.status).toBe(200);
      return res.body as FireView[];
    };
    // Terminal either way, so that a request let through shows in the comparison below.
    const ended = (f: FireView[]) => f.length > 0 && ['dead', 'succeeded'].includes(f[0]!.state);
    await waitFor(
      'all six fires to end',
      async () => (await Promise.all(ids.map(runs))).every(ended),
      { timeoutMs: 30_000, intervalMs: 250 },
    ).catch(() => undefined); // the comparison below shows which did not
    const fires = await Promise.all(ids.map(runs));

    const seen = cases.map(({ url }, i) => {
      const fire = fires[i]![0] ?? { state: 'never fired', attempts: [] };
      return {
        url,
        fires: fires[i]!.length,
        state: fire.state,
        requests: [v4, v6].flatMap((srv) => srv.to(new URL(url).pathname)).length,
        attempts: fire.attempts.map((a) => ({
          message_id: a.message_id,
          results: a.outcomes.map((o) => o.result),
          error: a.outcomes[0]?.error,
          // Only the standalone process consumes the HTTP topic: it wrote these outcomes.
          by: a.outcomes[0]?.worker && {
            pid: a.outcomes[0].worker.pid,
            group: a.outcomes[0].worker.group,
          },
        })),
        ms: fire.attempts[0]?.outcomes[0]?.duration_ms,
      };
    });
    console.log(seen.map((s) => `${s.url} → ${s.attempts[0]?.error} (${s.ms} ms)`).join('\n'));
    expect(seen.map(({ ms: _ms, ...s }) => s)).toEqual(
      cases.map(({ url, refusal }, i) => {
        const where = new URL(url);
        return {
          url,
          fires: 1,
          state: 'dead',
          requests: 0,
          attempts: [
            {
              message_id: `${ids[i]}:${start * 1000}:1`,
              results: ['failed', 'dead'],
              error: `POST ${where.origin}${where.pathname}: ${refusal}`,
              by: { pid: worker!.child.pid, group: env.HTTP_TARGET_GROUP },
            },
          ],
        };
      }),
    );
    // Nothing reached either server, not even a TCP connection.
    expect({
      v4: { connections: v4.connections, requests: v4.requests.length },
      v6: { connections: v6.connections, requests: v6.requests.length },
    }).toEqual({ v4: { connections: 0, requests: 0 }, v6: { connections: 0, requests: 0 } });

    // SIGTERM: the worker drains and exits 0.
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output().stdout).toContain('SIGTERM received: shutting down');
  }, 90_000);
});
