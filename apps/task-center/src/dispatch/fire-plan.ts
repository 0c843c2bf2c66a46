import { planDue } from '../scheduling';
import { type FireRecord } from '../runs/run-records';
import { type Task } from '../tasks/task';
import { type Advance } from '../tasks/task-advance';
import { scheduleOf } from '../tasks/task-definitions';
import { type FireMessage, fireMessage, type FireTopics, messageIdOf } from '../kafka/fire-message';

/** One task's part of a batch: its fires, and how it moves on once they are acknowledged. */
export interface Planned {
  task: Task;
  messages: FireMessage[];
  records: FireRecord[];
  advance: Advance;
}

export interface PlanSettings {
  misfire: { thresholdMs: number; maxCatchUp: number };
  /** Topics of tasks that name none, and of tasks with an HTTP target. */
  topics: FireTopics;
}

/**
 * Pure: the fires of a loaded task that are due by `now` (its regular slots under its misfire
 * policy, and its run-now requests), as messages and records stamped `now`, and the advance
 * that moves the task past them once Kafka has acknowledged them.
 */
export function planFires(task: Task, now: number, settings: PlanSettings): Planned {
  const { misfire } = settings;
  const regular =
    task.nextRunAt !== null && task.nextRunAt <= now
      ? planDue(
          scheduleOf(task, task.createdAt),
          { nextRunAt: task.nextRunAt, runCount: task.runCount },
          now,
          {
            policy: task.misfire,
            misfireThresholdMs: misfire.thresholdMs,
            maxCatchUp: misfire.maxCatchUp,
          },
        )
      : { fires: [], nextRunAt: task.nextRunAt };
  const manual = task.manualRuns.filter((at) => at <= now);
  const fires = [
    ...regular.fires.map((at) => ({ at, manual: false })),
    ...manual.map((at) => ({ at, manual: true })),
  ];
  const messages: FireMessage[] = [];
  const records: FireRecord[] = [];
  for (const { at, manual: isManual } of fires) {
    messages.push(fireMessage(task, at, 1, now, settings.topics));
    records.push({
      messageId: messageIdOf(task.id, at, 1),
      taskId: task.id,
      name: task.name,
      scheduledAt: at,
      publishedAt: now,
      attempt: 1,
      manual: isManual,
    });
  }
  return {
    task,
    messages,
    records,
    advance: {
      before: task,
      nextRunAt: regular.nextRunAt,
      manualRuns: task.manualRuns.filter((at) => at > now),
      fired: regular.fires.length,
      lastRunAt: fires.length > 0 ? now : (task.lastRunAt ?? now),
      now,
    },
  };
}
