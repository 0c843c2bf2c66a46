import { Injectable } from '@nestjs/common';
import { TasksRepository } from '../repositories/tasks.repository';

/** Ids remembered as known; the set is emptied when full (a re-lookup is only a read). */
const REMEMBERED = 100_000;

/**
 * Tells this database's tasks from another deployment's on a shared results topic. A task id
 * once seen stays known (a deleted task keeps its document), so a looping task costs one
 * lookup per process, not one per outcome.
 */
@Injectable()
export class KnownTasks {
  private readonly known = new Set<string>();

  constructor(private readonly tasks: TasksRepository) {}

  /** The ids among `taskIds` that no task document of this database has. */
  async unknownAmong(taskIds: string[]): Promise<Set<string>> {
    const toLookUp = [...new Set(taskIds.filter((id) => !this.known.has(id)))];
    if (toLookUp.length === 0) return new Set();
    const found = await this.tasks.knownIds(toLookUp);
    if (this.known.size + found.size > REMEMBERED) this.known.clear();
    for (const id of found) this.known.add(id);
    return new Set(toLookUp.filter((id) => !found.has(id)));
  }
}
