export { describeSchedule, durationInWords } from './describe-schedule';
export { type MisfirePolicy, type ScheduleSpec, validateSchedule } from './schedule';
export { firstFireAt, nextSlotAfter, previewFires } from './slots';
export { type DuePlan, type PlanOptions, type ScheduleState, planDue } from './misfire';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DELAYS_S,
  nextAttempt,
  RETRY_DEFAULTS,
  type RetryDecision,
  type RetryPolicy,
} from './retry';
