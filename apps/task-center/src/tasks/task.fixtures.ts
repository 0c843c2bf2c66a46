import { TaskType } from '@task-center/contracts';
import { type Task } from './task';

let seq = 0;
/** A task id (ObjectId-shaped) no other fixture of this test file has. */
export const nextTaskId = (): string => `65f0000000000000000${String(++seq).padStart(5, '0')}`;

/**
 * A stored task for unit specs: an active loop every second, due at `dueAt`, created a
 * minute before, every field set. Specs override what they are about.
 */
export function loopTaskAt(dueAt: number, overrides: Partial<Task> = {}): Task {
  return {
    id: nextTaskId(),
    name: 'billing',
    type: TaskType.Loop,
    data: '{}',
    loopTime: 1,
    ack: false,
    timezone: 'UTC',
    misfire: 'fire_once',
    status: 'active',
    nextRunAt: dueAt,
    manualRuns: [],
    runCount: 0,
    lastRunAt: null,
    createdAt: dueAt - 60_000,
    updatedAt: dueAt - 60_000,
    version: 1,
    shard: 0,
    dueAt,
    ...overrides,
  };
}
