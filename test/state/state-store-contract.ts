import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateError } from '../../src/errors/state-error';
import { StateLockedError } from '../../src/errors/state-locked-error';
import type { Logger, LogLevel } from '../../src/logger';
import { type PipelineState, STATE_FORMAT } from '../../src/state/state-document';
import { acquireLock } from '../../src/state/state-lock';
import type { LockHolder, StateStore } from '../../src/state/state-store';

/** One location of a store under test: `open()` again is another process's view of the same place. */
export interface StoreLocation {
  open(): StateStore;
  /** Puts `text` where the state document goes, bypassing the store. */
  corrupt(text: string): Promise<void>;
}

const log = () => {
  const lines: { level: LogLevel; message: string }[] = [];
  const logger: Logger = { log: (level, message) => lines.push({ level, message }) };
  return { logger, lines };
};

const state = (value: string, keys = 1): PipelineState => ({
  format: STATE_FORMAT,
  pipeline: 'contract',
  updatedAt: '2026-01-02T03:04:05.000Z',
  cursor: { field: 'createdAt', kind: 'instant', value, seen: [{ value, keys: Array.from({ length: keys }, (_, i) => `key-${i}`.padEnd(22, 'x')) }] },
});

const holder = (overrides: Partial<LockHolder> = {}): LockHolder => ({
  owner: `owner-${Math.random()}`,
  pipeline: 'contract',
  pid: process.pid,
  host: hostname(),
  since: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  ...overrides,
});

/** A pid no process has: one that just exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

/**
 * What every state store must do, whatever it keeps the state in (unstorage's `testDriver`): call it
 * with a function giving a fresh, empty location per test. A database or Redis store passes it too.
 */
export function testStateStore(name: string, freshLocation: () => Promise<StoreLocation>, options: { readonly journals?: boolean } = {}): void {
  describe(`state store contract: ${name}`, () => {
    let location: StoreLocation;
    let store: StateStore;
    const opened: StateStore[] = [];
    const open = () => {
      const instance = location.open();
      opened.push(instance);
      return instance;
    };
    beforeEach(async () => {
      location = await freshLocation();
      store = open();
    });
    afterEach(() => Promise.all(opened.splice(0).map((instance) => instance.close?.())));

    it('has no state and no lock at a new location', async () => {
      await expect(store.load()).resolves.toBeUndefined();
      await expect(store.readLock()).resolves.toEqual({});
    });

    it('loads what it saved, from another instance too', async () => {
      await store.save(state('2024-05-01T08:30:00Z'));
      await expect(open().load()).resolves.toEqual(state('2024-05-01T08:30:00Z'));
    });

    it('replaces the document whole on every save', async () => {
      await store.save(state('2024-05-01T08:30:00Z', 50));
      await store.save(state('2024-05-02T08:30:00Z', 1));
      await expect(store.load()).resolves.toEqual(state('2024-05-02T08:30:00Z', 1));
    });

    it('never shows a reader a half-written document', async () => {
      const reader = open();
      let saving = true;
      const seen = new Set<string | undefined>();
      const reading = (async () => {
        while (saving) seen.add((await reader.load())?.cursor?.value);
      })();
      for (let i = 1; i <= 15; i += 1) await store.save(state(`2024-05-${String(i).padStart(2, '0')}T00:00:00Z`, 2000 * (i % 2) + 1));
      saving = false;
      await reading;
      // Every document read was a whole one (a torn one fails to parse); reads overlapped the saves.
      expect(seen.size).toBeGreaterThan(2);
    });

    it('refuses a damaged document, naming where it is', async () => {
      await location.corrupt('{"format":"pageflow-state/1","pipeline":');
      const error = await store.load().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).message).toContain(`[state:${store.location}] is not a state document`);
    });

    it('refuses a document of another format', async () => {
      await location.corrupt(JSON.stringify({ ...state('2024-05-01T08:30:00Z'), format: 'pageflow-state/9' }));
      await expect(store.load()).rejects.toThrow(`[state:${store.location}] is not a ${STATE_FORMAT} document at format`);
    });

    it('creates the lock only when it was never taken', async () => {
      const first = holder();
      const version = await store.swapLock(undefined, first);
      expect(version).toEqual(expect.any(String));
      await expect(open().swapLock(undefined, holder())).resolves.toBe(false);
      await expect(open().readLock()).resolves.toEqual({ version, holder: first });
    });

    it('swaps the lock only from its current version', async () => {
      const v1 = (await store.swapLock(undefined, holder())) as string;
      const second = holder();
      const v2 = await open().swapLock(v1, second);
      expect(v2).toEqual(expect.any(String));
      expect(v2).not.toBe(v1);
      await expect(store.swapLock(v1, holder())).resolves.toBe(false);
      await expect(store.readLock()).resolves.toEqual({ version: v2, holder: second });
    });

    it('frees the lock and lets it be taken from the freed version', async () => {
      const v1 = (await store.swapLock(undefined, holder())) as string;
      const freed = await store.swapLock(v1, undefined);
      expect(freed).toEqual(expect.any(String));
      const lock = await open().readLock();
      expect(lock).toEqual({ version: freed });
      const next = holder();
      const v3 = await open().swapLock(lock.version, next);
      await expect(store.readLock()).resolves.toEqual({ version: v3, holder: next });
    });

    it.each([
      { from: 'a lock never taken', setUp: async (_store: StateStore) => undefined },
      { from: 'a free lock', setUp: async (s: StateStore) => (await s.swapLock((await s.swapLock(undefined, holder())) as string, undefined)) as string },
    ])('lets exactly one of many simultaneous swaps from $from win', async ({ setUp }) => {
      const version = await setUp(store);
      const contenders = Array.from({ length: 6 }, () => holder());
      const results = await Promise.all(contenders.map((contender) => open().swapLock(version, contender)));
      const winners = results.filter((result) => result !== false);
      expect(winners).toHaveLength(1);
      const lock = await store.readLock();
      expect(lock.version).toBe(winners[0]);
      expect(lock.holder).toEqual(contenders[results.indexOf(winners[0])]);
    });

    if (options.journals) {
      describe('journals', () => {
        const bytes = (text: string) => Buffer.from(text);
        const journals = (instance: StateStore) => {
          expect(instance.journals).toBeDefined();
          return instance.journals!;
        };

        it('reads back the appends one after another, from another instance too', async () => {
          const journal = journals(store);
          await journal.append('run-1.dedup-1', 0, bytes('alpha'));
          await journal.append('run-1.dedup-1', 5, bytes('\u0000beta'));
          await journal.append('run-1.dedup-2', 0, bytes('other'));
          expect(Buffer.from(await journals(open()).read('run-1.dedup-1', 10)).toString()).toBe('alpha\u0000beta');
          expect(Buffer.from(await journal.read('run-1.dedup-1', 7)).toString()).toBe('alpha\u0000b');
          expect(Buffer.from(await journal.read('run-1.dedup-2', 5)).toString()).toBe('other');
        });

        it('replaces what a run that died left past the length its checkpoint saved', async () => {
          const journal = journals(store);
          await journal.append('run-1.dedup-1', 0, bytes('saved'));
          await journal.append('run-1.dedup-1', 5, bytes('-lost-after-checkpoint'));
          await journals(open()).append('run-1.dedup-1', 5, bytes('+resumed'));
          await journal.append('run-1.dedup-1', 13, bytes('+more'));
          expect(Buffer.from(await journal.read('run-1.dedup-1', 18)).toString()).toBe('saved+resumed+more');
        });

        it('fails to read more than a journal holds, naming it', async () => {
          const journal = journals(store);
          await journal.append('run-1.dedup-1', 0, bytes('short'));
          await expect(journal.read('run-1.dedup-1', 6)).rejects.toThrow(/run-1\.dedup-1/);
          await expect(journal.read('run-1.never', 1)).rejects.toThrow(/run-1\.never/);
          // An append past the end fails here, or leaves a gap that reading finds.
          const appended = await journal.append('run-1.dedup-1', 8, bytes('gap')).then(() => true, () => false);
          if (appended) await expect(journal.read('run-1.dedup-1', 11)).rejects.toThrow(/run-1\.dedup-1/);
        });

        it('clears every journal, leaving the document', async () => {
          const journal = journals(store);
          await store.save(state('2024-05-01T08:30:00Z'));
          await journal.append('run-1.dedup-1', 0, bytes('a'));
          await journal.append('run-2.dedup-1', 0, bytes('b'));
          await journal.clear();
          await expect(journal.read('run-1.dedup-1', 1)).rejects.toThrow();
          await expect(journal.read('run-2.dedup-1', 1)).rejects.toThrow();
          await expect(store.load()).resolves.toEqual(state('2024-05-01T08:30:00Z'));
          await journal.clear();
        });
      });
    }

    describe('locks taken with acquireLock', () => {
      it('refuses a second run at once, naming the pid and host holding the lock', async () => {
        const { logger } = log();
        const held = await acquireLock(store, { pipeline: 'contract', logger });
        const refused = await acquireLock(open(), { pipeline: 'contract', logger }).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(StateLockedError);
        expect((refused as StateLockedError).message).toContain(`locked by pid ${process.pid} on host ${hostname()} since ${held.holder.since}`);
        expect((refused as StateLockedError).exitCode).toBe(1);
        await held.release();
        const next = await acquireLock(open(), { pipeline: 'contract', logger });
        await next.release();
      });

      it('takes over, with a warning, the lock of a process of this host that no longer exists', async () => {
        const pid = deadPid();
        await store.swapLock(undefined, holder({ pid }));
        const { logger, lines } = log();
        const held = await acquireLock(open(), { pipeline: 'contract', logger });
        expect(lines).toEqual([{ level: 'warn', message: `state ${store.location}: took over the lock of pid ${pid} on host ${hostname()} (no such process); its run did not finish` }]);
        await expect(store.readLock()).resolves.toMatchObject({ holder: held.holder });
        await held.release();
      });

      it("waits out another host's lease: refused while it runs, taken over once it expired", async () => {
        const expiresAt = new Date(Date.now() + 400).toISOString();
        await store.swapLock(undefined, holder({ host: 'elsewhere', pid: 1, expiresAt }));
        const { logger, lines } = log();
        await expect(acquireLock(open(), { pipeline: 'contract', logger })).rejects.toThrow('locked by pid 1 on host elsewhere');
        await sleep(450);
        const held = await acquireLock(open(), { pipeline: 'contract', logger });
        expect(lines.map((line) => line.message)).toEqual([`state ${store.location}: took over the lock of pid 1 on host elsewhere (its lease expired at ${expiresAt}); its run did not finish`]);
        await held.release();
      });

      it('renews its lease while it holds the lock, so other hosts keep out', async () => {
        const { logger } = log();
        const held = await acquireLock(store, { pipeline: 'contract', logger, leaseMs: 300 });
        const firstExpiry = held.holder.expiresAt;
        await sleep(700);
        const elsewhere = { pid: 1, host: 'elsewhere' };
        await expect(acquireLock(open(), { pipeline: 'contract', logger, process: elsewhere })).rejects.toBeInstanceOf(StateLockedError);
        expect(Date.parse((await store.readLock()).holder!.expiresAt)).toBeGreaterThan(Date.parse(firstExpiry));
        expect(held.lost.aborted).toBe(false);
        await held.release();
        await expect(store.readLock()).resolves.toEqual({ version: expect.any(String) });
      });

      it('tells the run when another process took its lock over', async () => {
        const { logger } = log();
        const held = await acquireLock(store, { pipeline: 'contract', logger, leaseMs: 300 });
        const { version } = await store.readLock();
        await open().swapLock(version, holder({ host: 'elsewhere', pid: 1 }));
        await sleep(250);
        expect(held.lost.aborted).toBe(true);
        expect((held.lost.reason as StateError).code).toBe('PF_STATE_LOCK_LOST');
        await expect(held.confirm()).rejects.toThrow('lost the lock: another process took the lock over');
        await held.release();
        // The usurper's lock stays.
        await expect(store.readLock()).resolves.toMatchObject({ holder: { host: 'elsewhere' } });
      });
    });
  });
}
