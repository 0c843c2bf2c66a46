import { Injectable } from '@nestjs/common';
import { messageIdOf } from '../kafka/fire-message';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import {
  type DeadLetterPage,
  DeadLettersRepository,
} from '../repositories/dead-letters.repository';
import { FiresRepository } from '../repositories/fires.repository';
import { RunEventsRepository } from '../repositories/run-events.repository';
import { RunTimersRepository } from '../repositories/run-timers.repository';
import { TasksRepository } from '../repositories/tasks.repository';
import { type FireHistory, foldFires } from './fire-history';
import { type DeadLetter, runEvent, runTimerId, utcDay } from './run-records';
import { RunTimerLoop } from './run-timer.loop';

export interface RunStats {
  date: string;
  /** Approximate: counted when asked, while the dispatcher keeps publishing. */
  backlog: { tasks: number; redeliveries: number };
  totals: Record<'succeeded' | 'failed' | 'timeout' | 'dead', number>;
  byName: Record<string, Record<'succeeded' | 'failed' | 'timeout' | 'dead', number>>;
}

const zero = () => ({ succeeded: 0, failed: 0, timeout: 0, dead: 0 });

/**
 * The runs API's use cases: history, dead letters and redrive, stats. Reads of `fires`,
 * `run_events` and `dead_letters` that are not on a hot path (see each repository's costs).
 */
@Injectable()
export class RunsService {
  constructor(
    private readonly fires: FiresRepository,
    private readonly events: RunEventsRepository,
    private readonly deadLetterRepository: DeadLettersRepository,
    private readonly tasks: TasksRepository,
    private readonly runTimers: RunTimersRepository,
    private readonly timers: RunTimerLoop,
  ) {}

  /** A page of a task's fires, newest first; `cursor` = the previous page's last scheduled ms. */
  async taskRuns(
    taskId: string,
    limit = 50,
    cursor?: number,
  ): Promise<{ fires: FireHistory[]; nextCursor: string | null }> {
    const times = await this.fires.scheduledTimes(taskId, limit + 1, cursor);
    const page = times.slice(0, limit);
    if (page.length === 0) return { fires: [], nextCursor: null };
    const { attempts, events } = await this.between(taskId, page.at(-1)!, page[0]!);
    const wanted = new Set(page);
    const fires = foldFires(attempts, events).filter((f) => wanted.has(f.scheduledAt));
    return { fires, nextCursor: times.length > limit ? String(page.at(-1)) : null };
  }

  async fire(fireId: string): Promise<FireHistory> {
    const [taskId, at] = fireId.split(':') as [string, string];
    const { attempts, events } = await this.between(taskId, Number(at), Number(at));
    const [fire] = foldFires(attempts, events);
    if (!fire) throw new ApiError(ErrorCode.FIRE_NOT_FOUND, `no fire ${fireId}`);
    return fire;
  }

  deadLetters(limit = 50, cursor?: string): Promise<DeadLetterPage> {
    return this.deadLetterRepository.page(limit, cursor);
  }

  /**
   * Sends a dead fire again as attempt n+1, through a redelivery timer (durable, published
   * by the shard's owner within about a second). One more attempt, not a fresh retry budget:
   * if it fails, the fire is dead again.
   */
  async redrive(
    messageId: string,
    now = Date.now(),
  ): Promise<{ message_id: string; attempt: number }> {
    const dead = await this.deadLetterRepository.findById(messageId);
    if (!dead) {
      throw new ApiError(
        ErrorCode.DEAD_LETTER_NOT_FOUND,
        `no dead letter ${messageId} (never dead, or redriven already)`,
      );
    }
    const task = await this.tasks.findById(dead.taskId);
    if (!task) throw new ApiError(ErrorCode.TASK_NOT_FOUND, `task ${dead.taskId} was deleted`);
    const next = this.nextOf(dead);
    const [claimed] = await this.timers.schedule(
      [
        {
          id: runTimerId('redeliver', next),
          kind: 'redeliver',
          taskId: dead.taskId,
          name: task.name,
          scheduledAt: dead.scheduledAt,
          attempt: dead.attempt + 1,
          dueAt: now,
          shard: task.shard,
          reason: 'redrive',
          lastError: dead.lastError,
          createdAt: now,
        },
      ],
      now,
    );
    if (!claimed) {
      throw new ApiError(ErrorCode.STATE_CONFLICT, `dead letter ${messageId} is being redriven`);
    }
    await this.events.insert([runEvent('redriven', dead, now, { messageId })]);
    await this.deadLetterRepository.delete(messageId);
    return { message_id: next, attempt: dead.attempt + 1 };
  }

  async stats(date: string | undefined, now = Date.now()): Promise<RunStats> {
    const day = date ?? utcDay(now);
    if (utcDay(Date.parse(`${day}T00:00:00Z`) || 0) !== day) {
      throw new ApiError(ErrorCode.INVALID_PARAM, `date ${day} is not a calendar day`);
    }
    const [counts, tasks, redeliveries] = await Promise.all([
      this.events.countsOfDay(day),
      this.tasks.countDueBy(now),
      this.runTimers.countDueBy('redeliver', now),
    ]);
    const totals = zero();
    const byName: RunStats['byName'] = {};
    for (const { name, kind, count } of counts) {
      if (kind === 'redriven') continue;
      totals[kind] += count;
      (byName[name] ??= zero())[kind] += count;
    }
    return { date: day, backlog: { tasks, redeliveries }, totals, byName };
  }

  /** Published attempts and events of a task's fires scheduled in [from, to]. */
  private async between(taskId: string, from: number, to: number) {
    const [attempts, events] = await Promise.all([
      this.fires.between(taskId, from, to),
      this.events.between(taskId, from, to),
    ]);
    return { attempts, events };
  }

  private nextOf(dead: DeadLetter): string {
    return messageIdOf(dead.taskId, dead.scheduledAt, dead.attempt + 1);
  }
}
