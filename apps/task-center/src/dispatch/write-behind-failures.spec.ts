import { planFires } from './fire-plan';
import { MAX_PENDING_WRITES } from './write-behind';
import {
  deadline,
  S,
  T0,
  settings,
  task,
  oneShot,
  settle,
  setup,
  time,
} from './write-behind.fixtures';

beforeEach(() => {
  time.now = T0;
  jest.spyOn(Date, 'now').mockImplementation(() => time.now);
});
afterEach(() => jest.restoreAllMocks());

describe('WriteBehind', () => {
  describe('a failing store', () => {
    it('forgets the task, logs the condition once, and never writes a publish planned from the unwritten state', async () => {
      const { store, memory, forgotten, logger, onError, writes, publish } = setup(0);
      store.holding = true;
      store.failNext = 1;
      const t = task();
      publish([t], T0);
      await settle();
      const latest1 = memory.get(t.id)!;
      // Published while the first write is under way, planned from the state it leads to.
      publish([latest1], T0 + S);
      store.release();
      store.holding = false;
      await writes.flushed();

      expect(store.advances.flat().map((a) => a.before)).toEqual([t]);
      expect(forgotten).toEqual([t, latest1]);
      expect(memory.has(t.id)).toBe(false);
      // The fires were published: their records are kept (a re-publish reuses the ids).
      expect(store.records.flat().map((r) => r.scheduledAt)).toEqual([T0, T0 + S]);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith('dispatch: advancing tasks: connection reset');
      expect(onError).toHaveBeenCalledTimes(1);
      expect(writes.unwrittenCount).toBe(0);
    });

    it('with write-behind, a publish held on top of the unwritten state is forgotten, not written', async () => {
      const { store, memory, forgotten, writes, publish } = setup(2000);
      store.failNext = 1;
      const t = task();
      publish([t], T0);
      const latest1 = memory.get(t.id)!;
      writes.write([t.id]); // e.g. a lease renewal running late
      await writes.flushed();
      expect(forgotten).toEqual([t]);
      expect(memory.has(t.id)).toBe(false);

      // A batch planned from the state the failed write led to, acknowledged afterwards.
      publish([latest1], T0 + S);
      writes.writeHeld(Infinity);
      await writes.flushed();
      expect(store.advances.flat().map((a) => a.before)).toEqual([t]);
      expect(forgotten).toEqual([t, latest1]);
      expect(writes.unwrittenCount).toBe(0);
    });

    it('an advance superseded by another of the same version is forgotten like a failed one, and so is a publish planned from it', async () => {
      const { store, memory, forgotten, writes, publish } = setup(0);
      store.holding = true;
      const t = task();
      store.supersede.add(t.id);
      publish([t], T0);
      await settle();
      const latest1 = memory.get(t.id)!;
      publish([latest1], T0 + S); // planned from the state the superseded advance leads to
      store.release();
      store.holding = false;
      await writes.flushed();
      expect(store.advances.flat().map((a) => a.before)).toEqual([t]);
      expect(forgotten).toEqual([t, latest1]);
      expect(memory.has(t.id)).toBe(false);
    });

    it('logs the recovery once a later write lands', async () => {
      const { store, logger, writes, publish } = setup(0);
      store.failNext = 1;
      publish([oneShot()], T0);
      await writes.flushed();
      publish([oneShot()], T0 + S);
      await writes.flushed();
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.log).toHaveBeenCalledTimes(1);
      expect(logger.log.mock.calls[0]![0]).toMatch(/^dispatch: advancing tasks: recovered/);
    });

    // A batch planned from a state held on top of a failed write must not be written as
    // fresh: its conditional update cannot match, and the merge would count its fires twice.
    it('a publish planned from a held state on top of a failed write is not written either', async () => {
      const { store, memory, forgotten, writes, publish } = setup(2000);
      store.holding = true;
      store.failNext = 1;
      const t = task();
      publish([t], T0);
      writes.write([t.id]); // write 1 (fails), under way
      await settle();
      publish([memory.get(t.id)!], T0 + S); // held on top of write 1
      const latest2 = memory.get(t.id)!;
      store.release(); // write 1 fails
      store.holding = false;
      await writes.flushed();
      expect(forgotten).toEqual([t]);

      // In flight at Kafka when write 1 failed: planned from the held state.
      publish([latest2], T0 + 2 * S);
      writes.writeHeld(Infinity);
      await writes.flushed();
      expect(store.advances.flat().map((a) => a.before)).toEqual([t]);
      expect(forgotten).toEqual([t, latest2]);
    });
  });

  // SIGTERM during a burst: the queue may hold minutes of writes; what is left when the
  // shutdown's deadline passes is handed over (re-published under the same ids), in order.
  describe('a shutdown deadline (stopBy)', () => {
    const burst = (n: number) =>
      Array.from({ length: n }, () => planFires(oneShot(), T0, settings));

    it('finishes the chunk under way, starts no other, and counts what it left', async () => {
      const { store, writes } = setup(0);
      store.holding = true;
      writes.afterPublish(burst(40), []); // records, then advances in chunks of 16
      writes.afterPublish(burst(5), []);
      await settle();
      expect(store.calls).toEqual(['records 40', 'advance 16']);

      writes.stopBy(T0);
      store.release();
      await writes.flushed();
      expect(store.calls).toEqual(['records 40', 'advance 16']);
      expect(writes.leftUnwritten).toEqual({ records: 5, advances: 24 + 5 });
      expect(writes.unwrittenCount).toBe(0);
    });

    it('never writes an advance whose fire records it left', async () => {
      const { store, writes, publish } = setup(0);
      writes.stopBy(T0 + S);
      publish([oneShot()], T0);
      await writes.flushed();
      time.now = T0 + S;
      publish([oneShot(), oneShot()], T0 + S, [deadline('x')]);
      await writes.flushed();
      expect(store.calls).toEqual(['records 1', 'advance 1']);
      expect(writes.leftUnwritten).toEqual({ records: 2, advances: 2 });
    });

    it('leaves held advances queued after it, and writes everything before it', async () => {
      const { store, memory, writes, publish } = setup(2000);
      const kept = task();
      publish([kept], T0);
      publish([memory.get(kept.id)!], T0 + S);
      await writes.flushed();
      writes.stopBy(T0 + 2 * S);
      writes.writeHeld(T0 + 2 * S); // the first was held since T0: written in time
      await writes.flushed();
      expect(store.advances.flat().map((a) => [a.before, a.fired])).toEqual([[kept, 2]]);

      publish([memory.get(kept.id)!], T0 + 2 * S);
      writes.writeHeld(Infinity);
      await writes.flushed();
      expect(store.advances).toHaveLength(1);
      expect(writes.leftUnwritten).toEqual({ records: 1, advances: 1 });
    });
  });

  describe('backpressure', () => {
    it(`room() waits while ${MAX_PENDING_WRITES} advances are queued and resolves once they land`, async () => {
      const { store, writes } = setup(0);
      store.holding = true;
      const batch = (n: number) =>
        Array.from({ length: n }, () => planFires(oneShot(), T0, settings));
      writes.afterPublish(batch(MAX_PENDING_WRITES - 1), []);
      await writes.room(); // one below the limit: room
      writes.afterPublish(batch(1), []);
      let room = false;
      void writes.room().then(() => (room = true));
      await settle();
      expect(room).toBe(false);
      expect(writes.unwrittenCount).toBe(MAX_PENDING_WRITES);

      // The first write (of MAX_PENDING_WRITES - 1 advances) lands: room again.
      for (let i = 0; i < Math.ceil((MAX_PENDING_WRITES - 1) / 16); i++) {
        await settle();
        expect(room).toBe(false);
        store.release();
      }
      await settle();
      expect(room).toBe(true);
      expect(writes.unwrittenCount).toBe(1);
      store.releaseAll();
      await writes.flushed();
      expect(writes.unwrittenCount).toBe(0);
    });
  });
});
