export { type MisfirePolicy, type ScheduleSpec, validateSchedule } from './schedule';
export { firstFireAt, nextSlotAfter, previewFires } from './slots';
export { type DuePlan, type PlanOptions, type ScheduleState, planDue } from './misfire';
