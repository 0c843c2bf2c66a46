export {
  decodeFire,
  DEFAULT_TOPICS,
  EVENT_KIND_HEADER,
  FireHeader,
  SIGNATURE_HEADER,
  signatureProblem,
  TaskType,
  verifySignature,
  type DecodeResult,
  type FireEnvelope,
  type FireHeaderName,
  type FireOutcomeEvent,
  type RawFireMessage,
  type SignatureHeaders,
  type TaskStatus,
  type WorkerHeartbeatEvent,
  type WorkerIdentity,
} from '@task-center/contracts';
export { SDK_VERSION } from './version';
export { type FireContext, type FireHandler } from './worker/fire-handler';
export { RetryAfterError } from './worker/outcome-error';
export { TaskWorker } from './worker/task-worker';
export { type TaskWorkerOptions } from './worker/task-worker-options';
export { type WorkerLogger } from './worker/worker-logger';
export { TaskCenterApiError } from './http/task-center-api.error';
export { TaskCenterClient, type TaskCenterClientOptions } from './http/task-center-client';
export { type CreateTasksOptions } from './http/create-tasks-chunks';
export type * from './http/task-center.types';
