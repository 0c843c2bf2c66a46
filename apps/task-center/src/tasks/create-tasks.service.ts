import { Injectable } from '@nestjs/common';
import { type Settled } from '../bulk/settle-each';
import { inSmallGroups } from '../database/bulk-write';
import { ApiError } from '../errors/api-error';
import { validatedAs } from '../http/validation.pipe';
import { TaskChangesRepository } from '../repositories/task-changes.repository';
import { DuplicateKeyError, TasksRepository } from '../repositories/tasks.repository';
import { CreateTaskDto } from './dto/create-task.dto';
import { planCreates } from './create-tasks.plan';
import { type NewTask } from './task';
import { type CreateOutcome, type CreateResult, TasksService } from './tasks.service';

/** An item that passed validation: its body and the task it makes. */
interface Checked {
  dto: CreateTaskDto;
  task: NewTask;
}

/**
 * POST /v1/api/create-tasks: many creates with the single create's rules and answers, in one
 * insert round trip and one change-log append. Each item is validated on its own; a key
 * already held (by a live task, or by an earlier item of the request) is answered as the
 * single create answers it, through TasksService's own path.
 */
@Injectable()
export class CreateTasksService {
  constructor(
    private readonly tasks: TasksService,
    private readonly repo: TasksRepository,
    private readonly changes: TaskChangesRepository,
  ) {}

  /**
   * Per item, in order: the created or existing task, or that item's ApiError. Any other error
   * (the database went away) fails the request, after the tasks created were announced.
   */
  async createMany(items: object[], now = Date.now()): Promise<Settled<CreateResult>[]> {
    const checked = items.map((item) => this.checked(item, now));
    const plan = planCreates(checked.map((c) => (c.ok ? c.value.task.key : null)));
    const outcomes = new Outcomes(checked);
    await this.insertFirsts(plan.inserted, checked, outcomes, now);
    await this.answerRepeats(plan.repeats, checked, outcomes, now);
    const announce = outcomes.toAnnounce();
    if (announce.length > 0) await this.changes.append(announce, now);
    return outcomes.settled();
  }

  /** One insert of every item that does not repeat a key; a taken key: the single create's path. */
  private async insertFirsts(
    indexes: number[],
    checked: Settled<Checked>[],
    outcomes: Outcomes,
    now: number,
  ): Promise<void> {
    const inserted = await this.repo.insertMany(indexes.map((i) => valueOf(checked, i).task));
    const taken: number[] = [];
    indexes.forEach((i, n) => {
      const one = inserted[n]!;
      if (one instanceof DuplicateKeyError) taken.push(i);
      else if (one instanceof Error) outcomes.failures.push(one);
      else outcomes.set(i, { task: one, created: true, announce: this.tasks.dueSoon(one, now) });
    });
    // A live task holds the key (its insert just said so): that task, or with upsert updated.
    await inSmallGroups(taken, (i) => {
      const { dto, task } = valueOf(checked, i);
      return outcomes.settle(i, () => this.tasks.createTaken(dto, task, now));
    });
  }

  /** Each later item of a key, after the one before it, as if the items were sent in turn. */
  private async answerRepeats(
    repeats: Map<number, number[]>,
    checked: Settled<Checked>[],
    outcomes: Outcomes,
    now: number,
  ): Promise<void> {
    await inSmallGroups([...repeats], async ([first, later]) => {
      let before = first;
      for (const i of later) {
        const { dto, task } = valueOf(checked, i);
        const answered = outcomes.of[before];
        if (!dto.upsert && answered?.ok) {
          outcomes.set(i, { ...answered.value, created: false, announce: false });
        } else {
          await outcomes.settle(i, () => this.tasks.createTaken(dto, task, now));
        }
        before = i;
      }
    });
  }

  /** The item validated as POST /v1/api/task validates its body, and the task it makes. */
  private checked(item: object, now: number): Settled<Checked> {
    try {
      const dto = validatedAs(CreateTaskDto, item);
      return { ok: true, value: { dto, task: this.tasks.newTask(dto, now) } };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: err };
      throw err;
    }
  }
}

const valueOf = (checked: Settled<Checked>[], i: number): Checked =>
  (checked[i] as { value: Checked }).value;

/** Each item's outcome as it settles; errors other than ApiErrors are kept apart. */
class Outcomes {
  readonly of: (Settled<CreateOutcome> | undefined)[];
  readonly failures: unknown[] = [];

  constructor(checked: Settled<Checked>[]) {
    this.of = checked.map((c) => (c.ok ? undefined : c));
  }

  set(i: number, value: CreateOutcome): void {
    this.of[i] = { ok: true, value };
  }

  async settle(i: number, create: () => Promise<CreateOutcome>): Promise<void> {
    try {
      this.set(i, await create());
    } catch (err) {
      if (err instanceof ApiError) this.of[i] = { ok: false, error: err };
      else this.failures.push(err);
    }
  }

  /** The tasks the dispatchers must hear of before the answer, once each. */
  toAnnounce(): string[] {
    const ids = this.of.flatMap((o) => (o?.ok && o.value.announce ? [o.value.task.id] : []));
    return [...new Set(ids)];
  }

  /** Every item's result, or the first failure thrown. */
  settled(): Settled<CreateResult>[] {
    if (this.failures.length > 0) throw this.failures[0];
    return this.of.map((o) =>
      o!.ok ? { ok: true, value: { task: o!.value.task, created: o!.value.created } } : o!,
    );
  }
}
