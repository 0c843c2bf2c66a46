import {
  type FireOutcomeEvent,
  WORKER_EVENT_VERSION,
  type WorkerHeartbeatEvent,
  type WorkerIdentity,
} from '@task-center/contracts';

/** A decoded results-topic message, or why it was skipped (`reason` is stable per kind). */
export type ParsedWorkerEvent =
  { ok: true; event: FireOutcomeEvent | WorkerHeartbeatEvent } | { ok: false; reason: string };

/** `<24 hex task id>:<scheduled ms>:<attempt>`, as dispatch/fire-message.ts builds it. */
const MESSAGE_ID = /^([0-9a-f]{24}):(\d{1,15}):(\d{1,4})$/;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 500): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const int = (v: unknown, min = 0): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function identity(v: unknown): WorkerIdentity | undefined {
  if (!isObj(v) || !str(v.id, 200) || !str(v.group, 300)) return undefined;
  return {
    id: v.id,
    group: v.group,
    host: typeof v.host === 'string' ? v.host.slice(0, 300) : '',
    pid: int(v.pid) ? v.pid : 0,
    sdk: typeof v.sdk === 'string' ? v.sdk.slice(0, 50) : '',
  };
}

/**
 * Validates one results-topic value before anything is stored. Never throws: a bad event is
 * skipped (and logged once per `reason` by the caller), since a poison message must not
 * stop the consumer.
 */
export function parseWorkerEvent(value: Buffer | null): ParsedWorkerEvent {
  if (!value || value.length === 0) return { ok: false, reason: 'empty value' };
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'value is not JSON' };
  }
  if (!isObj(raw)) return { ok: false, reason: 'value is not a JSON object' };
  if (raw.v !== WORKER_EVENT_VERSION)
    return { ok: false, reason: `unknown version ${String(raw.v)}` };
  const worker = identity(raw.worker);
  if (!worker) return { ok: false, reason: `${String(raw.kind)}: bad worker identity` };
  if (raw.kind === 'heartbeat') return heartbeat(raw, worker);
  if (raw.kind === 'outcome') return outcome(raw, worker);
  return { ok: false, reason: `unknown kind ${JSON.stringify(raw.kind)?.slice(0, 40)}` };
}

function heartbeat(raw: Obj, worker: WorkerIdentity): ParsedWorkerEvent {
  if (!int(raw.at) || !int(raw.intervalMs, 1)) {
    return { ok: false, reason: 'heartbeat: bad at/intervalMs' };
  }
  const tags = Array.isArray(raw.tags) ? raw.tags.filter((t) => str(t, 200)).slice(0, 200) : [];
  return {
    ok: true,
    event: {
      kind: 'heartbeat',
      v: WORKER_EVENT_VERSION,
      worker,
      tags,
      at: raw.at,
      intervalMs: raw.intervalMs,
      ...(raw.stopping === true && { stopping: true }),
    },
  };
}

function outcome(raw: Obj, worker: WorkerIdentity): ParsedWorkerEvent {
  const id = typeof raw.messageId === 'string' ? MESSAGE_ID.exec(raw.messageId) : null;
  if (!id) return { ok: false, reason: 'outcome: bad messageId' };
  const [, taskId, scheduled, attempt] = id as unknown as [string, string, string, string];
  // The ids inside the message id are the source of truth: the center built them.
  if (
    raw.taskId !== taskId ||
    raw.attempt !== Number(attempt) ||
    raw.scheduledAt !== Number(scheduled)
  ) {
    return { ok: false, reason: 'outcome: fields disagree with messageId' };
  }
  if (raw.result !== 'succeeded' && raw.result !== 'failed') {
    return { ok: false, reason: 'outcome: bad result' };
  }
  if (!int(raw.startedAt) || !int(raw.durationMs) || !str(raw.tag, 200)) {
    return { ok: false, reason: 'outcome: bad startedAt/durationMs/tag' };
  }
  return {
    ok: true,
    event: {
      kind: 'outcome',
      v: WORKER_EVENT_VERSION,
      messageId: raw.messageId as string,
      taskId,
      tag: raw.tag,
      attempt: Number(attempt),
      scheduledAt: Number(scheduled),
      result: raw.result,
      ...(typeof raw.error === 'string' && { error: raw.error.slice(0, 2000) }),
      ...(raw.timedOut === true && { timedOut: true }),
      ...(raw.result === 'failed' && int(raw.retryAfterMs) && { retryAfterMs: raw.retryAfterMs }),
      startedAt: raw.startedAt,
      durationMs: raw.durationMs,
      worker,
    },
  };
}
