import { Injectable } from '@nestjs/common';
import { type Settled, settleEach } from '../bulk/settle-each';
import {
  type DeadLetterFilter,
  type DeadLetterPosition,
  DeadLettersRepository,
} from '../repositories/dead-letters.repository';
import { TasksRepository } from '../repositories/tasks.repository';
import { type DeadLetter } from './run-records';
import { RunsService } from './runs.service';

/** Dead letters read per query while selecting by filter, and the most examined per request. */
const SELECT_BATCH = 500;
const SELECT_MAX_EXAMINED = 5000;

export type RedriveItemResult =
  | { message_id: string; ok: true; redriven_as: string; attempt: number }
  | { message_id: string; ok: false; err: number; msg: string };

export interface RedriveOutcome {
  results: RedriveItemResult[];
  more: boolean;
}

/**
 * POST /v1/api/redrive-dead-letters: RunsService.redrive for many dead letters, by message
 * ids or by a filter, a result per dead letter.
 */
@Injectable()
export class DeadLetterRedriveService {
  constructor(
    private readonly runs: RunsService,
    private readonly deadLetters: DeadLettersRepository,
    private readonly tasks: TasksRepository,
  ) {}

  /** One result per id, in the order given (a repeated id gets the same result). */
  async byIds(messageIds: string[], now = Date.now()): Promise<RedriveOutcome> {
    const unique = [...new Set(messageIds)];
    const settled = await this.redrive(unique, now);
    const byId = new Map(unique.map((id, i) => [id, resultOf(id, settled[i]!)]));
    return { results: messageIds.map((id) => byId.get(id)!), more: false };
  }

  /**
   * The matching dead letters whose task is live, oldest dead first, at most `limit`. A dead
   * letter of a deleted task cannot be redriven: skipping it keeps a repeated request moving.
   */
  async byFilter(filter: DeadLetterFilter, limit: number, now = Date.now()) {
    const { selected, more } = await this.select(filter, limit);
    const ids = selected.map((d) => d.messageId);
    const settled = await this.redrive(ids, now);
    return { results: ids.map((id, i) => resultOf(id, settled[i]!)), more };
  }

  private async select(filter: DeadLetterFilter, limit: number) {
    const selected: DeadLetter[] = [];
    let after: DeadLetterPosition | undefined;
    for (let examined = 0; examined < SELECT_MAX_EXAMINED;) {
      const batch = await this.deadLetters.matching(filter, SELECT_BATCH, after);
      examined += batch.length;
      const live = await this.tasks.findByIds(batch.map((d) => d.taskId));
      selected.push(...batch.filter((d) => live.has(d.taskId)));
      if (selected.length > limit) return { selected: selected.slice(0, limit), more: true };
      if (batch.length < SELECT_BATCH) return { selected, more: false };
      const last = batch.at(-1)!;
      after = { deadAt: last.deadAt, messageId: last.messageId };
    }
    return { selected, more: true };
  }

  private async redrive(ids: string[], now: number) {
    const all = await settleEach(ids, (id) => this.runs.redrive(id, now));
    if ('failure' in all) throw all.failure;
    return all.settled;
  }
}

function resultOf(
  id: string,
  one: Settled<{ message_id: string; attempt: number }>,
): RedriveItemResult {
  return one.ok
    ? { message_id: id, ok: true, redriven_as: one.value.message_id, attempt: one.value.attempt }
    : { message_id: id, ok: false, err: one.error.code, msg: one.error.message };
}
