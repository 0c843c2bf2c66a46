import { FireHeader, TaskType } from '@task-center/contracts';
import { type MisfirePolicy } from '../scheduling';
import { type Task } from '../tasks/task';
import { advanced } from '../tasks/task-advance';
import { planFires, type PlanSettings } from './fire-plan';
import { loopTaskAt } from '../tasks/task.fixtures';

const S = 1000;
const T0 = 1_800_000_000_000;

const settings: PlanSettings = {
  misfire: { thresholdMs: 2 * S, maxCatchUp: 10 },
  topics: { tasks: 'tasks', http: 'http' },
};

/** A loop task every second, anchored at T0 - 10 s, due at T0. */
function loopTask(overrides: Partial<Task> = {}): Task {
  return loopTaskAt(T0, {
    id: '65f000000000000000000001',
    data: '{"x":1}',
    createdAt: T0 - 10 * S,
    updatedAt: T0 - 10 * S,
    ...overrides,
  });
}

const scheduledOf = (plan: ReturnType<typeof planFires>) => plan.records.map((r) => r.scheduledAt);

describe('planFires', () => {
  it('fires one slot on time and moves to the next', () => {
    const task = loopTask();
    const plan = planFires(task, T0 + 3, settings);
    expect(scheduledOf(plan)).toEqual([T0]);
    expect(plan.advance).toEqual({
      before: task,
      nextRunAt: T0 + S,
      manualRuns: [],
      fired: 1,
      lastRunAt: T0 + 3,
      now: T0 + 3,
    });
    expect(advanced(plan.advance)).toMatchObject({ runCount: 1, dueAt: T0 + S, status: 'active' });
  });

  // Overdue by 5.5 slots; the threshold (2 s) makes T0+4s and T0+5s on time, the rest missed.
  it.each<[MisfirePolicy, number[]]>([
    ['fire_once', [T0, T0 + 4 * S, T0 + 5 * S]],
    ['skip', [T0 + 4 * S, T0 + 5 * S]],
    ['fire_all', [T0, T0 + S, T0 + 2 * S, T0 + 3 * S, T0 + 4 * S, T0 + 5 * S]],
  ])('a loop overdue by several slots under %s fires %j', (misfire, slots) => {
    const now = T0 + 5.5 * S;
    const plan = planFires(loopTask({ misfire }), now, settings);
    expect(scheduledOf(plan)).toEqual(slots);
    expect(plan.advance.fired).toBe(slots.length);
    expect(plan.advance.nextRunAt).toBe(T0 + 6 * S);
    expect(plan.advance.lastRunAt).toBe(now);
    expect(advanced(plan.advance).runCount).toBe(slots.length);
  });

  it('fire_all catches up at most maxCatchUp missed slots', () => {
    const plan = planFires(loopTask({ misfire: 'fire_all' }), T0 + 5.5 * S, {
      ...settings,
      misfire: { thresholdMs: 2 * S, maxCatchUp: 2 },
    });
    expect(scheduledOf(plan)).toEqual([T0, T0 + S, T0 + 4 * S, T0 + 5 * S]);
    expect(plan.advance.nextRunAt).toBe(T0 + 6 * S);
  });

  it('stops at loop_count and completes the task', () => {
    const task = loopTask({ misfire: 'fire_all', loopCount: 5, runCount: 3 });
    const plan = planFires(task, T0 + 5.5 * S, settings);
    expect(scheduledOf(plan)).toEqual([T0, T0 + S]);
    expect(plan.advance.nextRunAt).toBeNull();
    expect(advanced(plan.advance)).toMatchObject({ runCount: 5, status: 'completed', dueAt: null });
  });

  it('fires due run-now requests without counting them against loop_count', () => {
    const task = loopTask({
      loopCount: 1,
      nextRunAt: T0 + 60 * S,
      manualRuns: [T0 - 100, T0 + 30 * S],
      dueAt: T0 - 100,
    });
    const plan = planFires(task, T0, settings);
    expect(plan.records).toEqual([
      expect.objectContaining({ scheduledAt: T0 - 100, manual: true }),
    ]);
    expect(plan.advance).toMatchObject({
      fired: 0,
      nextRunAt: T0 + 60 * S,
      manualRuns: [T0 + 30 * S],
      lastRunAt: T0,
    });
    const next = advanced(plan.advance);
    expect(next).toMatchObject({ runCount: 0, status: 'active', dueAt: T0 + 30 * S });
    // The one regular fire loop_count allows is still to come.
    const later = planFires(next, T0 + 60 * S, settings);
    expect(later.records.map((r) => [r.scheduledAt, r.manual])).toEqual([
      [T0 + 60 * S, false],
      [T0 + 30 * S, true],
    ]);
    expect(advanced(later.advance)).toMatchObject({ runCount: 1, status: 'completed' });
  });

  it('fires a regular slot and a run-now of the same instant as two fires', () => {
    const plan = planFires(loopTask({ manualRuns: [T0] }), T0, settings);
    expect(plan.records.map((r) => [r.scheduledAt, r.manual])).toEqual([
      [T0, false],
      [T0, true],
    ]);
    expect(plan.advance.fired).toBe(1);
    expect(plan.advance.manualRuns).toEqual([]);
  });

  // Suspicious (reported, not fixed): a run-now requested at the very millisecond of a regular
  // slot (1 in 1,000 for a crontab's whole-second slots) is a second fire under the same
  // message id: its fire record is dropped as a duplicate and consumers that deduplicate by
  // tc-message-id drop the run.
  it.failing('a run-now at the instant of a regular slot gets a message id of its own', () => {
    const plan = planFires(loopTask({ manualRuns: [T0] }), T0, settings);
    expect(plan.records).toHaveLength(2);
    expect(new Set(plan.records.map((r) => r.messageId)).size).toBe(2);
  });

  it('a one-shot fires once and completes', () => {
    const task = loopTask({ type: TaskType.OneShot, loopTime: undefined, misfire: 'skip' });
    const plan = planFires(task, T0 + 60 * S, settings);
    expect(scheduledOf(plan)).toEqual([T0]);
    expect(advanced(plan.advance)).toMatchObject({ status: 'completed', runCount: 1, dueAt: null });
  });

  it('plans nothing for a task not due yet', () => {
    const task = loopTask({ nextRunAt: T0 + S, dueAt: T0 + S, lastRunAt: T0 - S });
    const plan = planFires(task, T0, settings);
    expect(plan.messages).toEqual([]);
    expect(plan.records).toEqual([]);
    expect(plan.advance).toMatchObject({ fired: 0, nextRunAt: T0 + S, lastRunAt: T0 - S });
  });

  it('messages and records agree: ids, headers, key, topic, value and times', () => {
    const now = T0 + 5.5 * S;
    const task = loopTask({
      misfire: 'fire_all',
      ack: true,
      maxRuntime: 30,
      manualRuns: [T0 + 500],
    });
    const plan = planFires(task, now, settings);
    expect(plan.messages).toHaveLength(7);
    expect(plan.records).toHaveLength(7);
    plan.records.forEach((record, i) => {
      const message = plan.messages[i]!;
      expect(record.messageId).toBe(`${task.id}:${record.scheduledAt}:1`);
      expect(record).toMatchObject({ taskId: task.id, name: 'billing', attempt: 1 });
      expect(record.publishedAt).toBe(now);
      expect(message).toMatchObject({
        topic: 'tasks',
        key: task.id,
        value: '{"x":1}',
        timestamp: String(now),
      });
      expect(message.headers).toEqual({
        [FireHeader.tag]: 'billing',
        [FireHeader.taskId]: task.id,
        [FireHeader.messageId]: record.messageId,
        [FireHeader.scheduledAt]: String(record.scheduledAt),
        [FireHeader.publishedAt]: String(now),
        [FireHeader.attempt]: '1',
        [FireHeader.taskType]: String(TaskType.Loop),
        [FireHeader.maxRuntime]: '30',
        [FireHeader.ack]: 'true',
      });
    });
    // The same fire always gets the same id: a re-plan of the same state repeats them.
    const again = planFires(task, now + 100, settings);
    expect(again.records.map((r) => r.messageId)).toEqual(plan.records.map((r) => r.messageId));
  });

  it('sends the fires of an HTTP target to the HTTP topic, the target in tc-target', () => {
    const target = {
      type: 'http' as const,
      url: 'https://example.com/hook',
      method: 'PUT' as const,
      headers: { 'content-type': 'application/json' },
      timeoutS: 7,
    };
    const plan = planFires(loopTask({ target }), T0, settings);
    expect(plan.messages.map((m) => m.topic)).toEqual(['http']);
    expect(JSON.parse(plan.messages[0]!.headers['tc-target']!)).toEqual({
      type: 'http',
      url: 'https://example.com/hook',
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      timeout_s: 7,
    });
    expect(planFires(loopTask(), T0, settings).messages[0]!.headers).not.toHaveProperty(
      'tc-target',
    );
  });

  it("uses the task's own topic when it names one", () => {
    const plan = planFires(loopTask({ topic: 'billing-fires' }), T0, settings);
    expect(plan.messages.map((m) => m.topic)).toEqual(['billing-fires']);
  });
});
