import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/api-client';
import { type CenterProcess, spawnCenter } from './support/spawn-center';
import { isolatedEnv, waitFor } from './support/stack';

const KEY_A = 'proc-key-a-0123456789abcdef';
const KEY_B = 'proc-key-b-fedcba9876543210';
const WRONG = 'proc-key-wrong-000000000000';

const everything = (c: CenterProcess) => `${c.output().stdout}\n${c.output().stderr}`;

async function serve(env: Record<string, string>) {
  const port = await freePort();
  const center = spawnCenter({ ...env, PORT: String(port), HOST: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the center to answer /health/live',
    async () => {
      if (center.child.exitCode !== null) throw new Error(everything(center).slice(-2000));
      return (await fetch(`${base}/health/live`)).ok;
    },
    { timeoutMs: 45_000, intervalMs: 250 },
  );
  return { center, base };
}

async function stop(center: CenterProcess): Promise<void> {
  if (center.child.exitCode === null) center.child.kill('SIGTERM');
  await center.exited;
}

describe('operations, as a real process: JSON logs, config line, key hygiene', () => {
  it('logs JSON lines with request ids, reads API_KEYS from CONFIG_FILE, and never logs a key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tc-ops-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ API_KEYS: [KEY_A, KEY_B], LOG_FORMAT: 'json' }));
    const { center, base } = await serve(
      isolatedEnv({ CONFIG_FILE: file, LOG_LEVEL: 'debug', NODE_ENV: 'production' }),
    );
    try {
      const get = (headers: Record<string, string>) =>
        fetch(`${base}/v1/api/query-task-by-name?name=x`, { headers });
      expect(
        (await get({ authorization: `Bearer ${KEY_A}`, 'x-request-id': 'ops-trace-1' })).status,
      ).toBe(200);
      expect((await get({ 'x-api-key': KEY_B })).status).toBe(200);
      expect((await get({ authorization: `Bearer ${WRONG}` })).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { 'x-api-key': KEY_A } })).status).toBe(
        200,
      );
      await waitFor('the request line of ops-trace-1', () =>
        center.output().stdout.includes('"reqId":"ops-trace-1"'),
      );
    } finally {
      await stop(center);
    }
    const lines = center
      .output()
      .stdout.split('\n')
      .filter((l) => l.trim() !== '');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.length).toBeGreaterThan(5);
    const request = parsed.find((p) => p.reqId === 'ops-trace-1')!;
    expect(request).toMatchObject({
      req: { id: 'ops-trace-1', method: 'GET' },
      res: { statusCode: 200 },
    });
    const config = parsed.find((p) => String(p.msg).startsWith('config {'))!;
    expect(config).toMatchObject({ level: 30, context: 'TaskCenter' });
    expect(String(config.msg)).toContain('"apiKeys":["***","***"]');
    expect(String(config.msg)).toContain('"logFormat":"json"');
    const all = everything(center);
    for (const secret of [KEY_A, KEY_B, WRONG]) expect(all).not.toContain(secret);
  }, 90_000);

  it('warns loudly when it runs without API keys (pretty logs)', async () => {
    const { center } = await serve(isolatedEnv({ LOG_LEVEL: 'log' }));
    await stop(center);
    const { stdout } = center.output();
    expect(stdout).toMatch(/WARN .*API_KEYS is not set/);
    expect(stdout).toMatch(/config \{.*"apiKeys":\[\]/);
  }, 90_000);

  it('masks the MongoDB password, the keys and the webhook token in the startup config line', async () => {
    const port = await freePort();
    const center = spawnCenter(
      isolatedEnv({
        MONGODB_URI: `mongodb://ops:hunter2@127.0.0.1:${port}/x`,
        API_KEYS: `${KEY_A},${KEY_B}`,
        ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/alerts?token=sekrit',
        STARTUP_TIMEOUT_S: '2',
        LOG_LEVEL: 'log',
      }),
    );
    expect(await center.exited).toBe(1);
    const line = center
      .output()
      .stdout.split('\n')
      .find((l) => l.includes('config {'));
    expect(line).toContain(`mongodb://ops:***@127.0.0.1:${port}/x`);
    expect(line).toContain('"apiKeys":["***","***"]');
    expect(line).toContain('token=***');
    const all = everything(center);
    for (const secret of ['hunter2', KEY_A, KEY_B, 'sekrit']) expect(all).not.toContain(secret);
  }, 60_000);
});
