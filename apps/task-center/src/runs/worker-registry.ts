import { Injectable } from '@nestjs/common';
import { type WorkerHeartbeatEvent } from '@task-center/contracts';
import { type WorkerRecord } from './run-records';
import { WorkersRepository } from '../repositories/workers.repository';

/** A worker is dead after this many missed heartbeats. */
export const MISSED_HEARTBEATS = 3;
/** Dead workers stay listed this long, so a crash is visible rather than silent. */
const LIST_DEAD_FOR_MS = 10 * 60_000;

export interface WorkerView extends WorkerRecord {
  alive: boolean;
}

export const isAlive = (w: WorkerRecord, now: number): boolean =>
  !w.stopping && now - w.lastSeen <= MISSED_HEARTBEATS * w.intervalMs;

/**
 * Live workers, from their heartbeats. In memory to write MongoDB at most about once per
 * half interval per worker (and at once on a change of tags or `stopping`); in MongoDB so
 * that every replica answers `GET /workers` the same.
 */
@Injectable()
export class WorkerRegistry {
  private readonly known = new Map<string, { record: WorkerRecord; savedAt: number }>();

  constructor(private readonly store: WorkersRepository) {}

  async heard(beats: WorkerHeartbeatEvent[], now: number): Promise<void> {
    const latest = new Map<string, WorkerHeartbeatEvent>();
    for (const b of beats) {
      const prev = latest.get(b.worker.id);
      if (!prev || b.at >= prev.at) latest.set(b.worker.id, b);
    }
    for (const b of latest.values()) {
      const record: WorkerRecord = {
        ...b.worker,
        tags: b.tags,
        lastSeen: Math.min(b.at, now),
        intervalMs: b.intervalMs,
        stopping: b.stopping === true,
      };
      const prev = this.known.get(record.id);
      if (prev && prev.record.lastSeen > record.lastSeen) continue; // replayed, older
      const changed =
        !prev ||
        prev.record.stopping !== record.stopping ||
        prev.record.tags.join('\n') !== record.tags.join('\n') ||
        now - prev.savedAt >= record.intervalMs / 2;
      this.known.set(record.id, { record, savedAt: changed ? now : prev.savedAt });
      if (changed) await this.store.save(record);
      if (this.known.size > 10_000) this.known.clear();
    }
  }

  /** Workers heard from recently, newest first, with `alive` and grouped by tag. */
  async list(now: number): Promise<{ workers: WorkerView[]; byTag: Record<string, string[]> }> {
    const workers = (await this.store.seenSince(now - LIST_DEAD_FOR_MS)).map((w) => ({
      ...w,
      alive: isAlive(w, now),
    }));
    const byTag: Record<string, string[]> = {};
    for (const w of workers) {
      if (!w.alive) continue;
      for (const tag of w.tags) (byTag[tag] ??= []).push(w.id);
    }
    return { workers, byTag };
  }
}
