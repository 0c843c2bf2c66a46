export {
  DEFAULT_TOPICS,
  FireHeader,
  TaskType,
  type FireEnvelope,
  type FireHeaderName,
  type TaskStatus,
} from '@task-center/contracts';
export { decodeFire, type DecodeResult, type RawFireMessage } from './decode-fire';
