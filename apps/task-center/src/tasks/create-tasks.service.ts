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
    const outcomes: (Settled<CreateOutcome> | undefined)[] = checked.map((c) =>
      c.ok ? undefined : c,
    );
    const failures: unknown[] = [];
    const settle = async (i: number, create: () => Promise<CreateOutcome>) => {
      try {
        outcomes[i] = { ok: true, value: await create() };
      } catch (err) {
        if (!(err instanceof ApiError)) failures.push(err);
        else outcomes[i] = { ok: false, error: err };
      }
    };
    const item = (i: number) => (checked[i] as { value: Checked }).value;

    const inserted = await this.repo.insertMany(plan.inserted.map((i) => item(i).task));
    const taken: number[] = [];
    plan.inserted.forEach((i, n) => {
      const one = inserted[n]!;
      if (one instanceof DuplicateKeyError) taken.push(i);
      else if (one instanceof Error) failures.push(one);
      else outcomes[i] = { ok: true, value: this.created(one, now) };
    });
    // A key a live task holds: the single create's path (that task, or with upsert updated).
    await inSmallGroups(taken, (i) =>
      settle(i, () => this.tasks.createChecked(item(i).dto, item(i).task, now)),
    );
    // A key repeated in the request: each repeat after the one before it, as if sent in turn.
    await inSmallGroups([...plan.repeats], async ([first, later]) => {
      let before = first;
      for (const i of later) {
        const { dto, task } = item(i);
        const answered = outcomes[before];
        if (!dto.upsert && answered?.ok) {
          outcomes[i] = { ok: true, value: { ...answered.value, created: false, announce: false } };
        } else {
          await settle(i, () => this.tasks.createChecked(dto, task, now));
        }
        before = i;
      }
    });

    const announce = outcomes.flatMap((o) => (o?.ok && o.value.announce ? [o.value.task.id] : []));
    if (announce.length > 0) await this.changes.append([...new Set(announce)], now);
    if (failures.length > 0) throw failures[0];
    return outcomes.map((o) =>
      o!.ok ? { ok: true, value: { task: o!.value.task, created: o!.value.created } } : o!,
    );
  }

  private created(task: CreateOutcome['task'], now: number): CreateOutcome {
    return { task, created: true, announce: this.tasks.dueSoon(task, now) };
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
