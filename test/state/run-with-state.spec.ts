import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { from } from 'rxjs';
import { StateError } from '../../src/errors/state-error';
import { StateLockedError } from '../../src/errors/state-locked-error';
import type { DataRecord } from '../../src/record';
import type { Sink } from '../../src/sinks/sink';
import type { Source } from '../../src/sources/source';
import { createFileStateStore } from '../../src/state/file-state-store';
import { runWithState } from '../../src/state/run-with-state';
import type { StateStore } from '../../src/state/state-store';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

/** Pages of records, each after the sinks took the one before (as the HTTP source does); then `failure`, if any. */
function pagedSource(pages: readonly DataRecord[][], { failure, pauseMs = 0 }: { failure?: Error; pauseMs?: number } = {}): Source {
  return (context) =>
    from(
      (async function* () {
        for (const [index, page] of pages.entries()) {
          yield* page;
          await context.demand({ index: index + 1 });
          if (pauseMs) await sleep(pauseMs);
        }
        if (failure) throw failure;
      })(),
    );
}

/** A sink keeping what it got in memory. */
function memorySink() {
  const written: DataRecord[] = [];
  const events: string[] = [];
  const sink: Sink = {
    metrics: { name: 'memory', records: 0, bytes: 0 },
    async open() {},
    async write(records) {
      written.push(...records);
      sink.metrics.records += records.length;
    },
    async finish() {
      events.push('finish');
    },
    async abort() {
      events.push('abort');
    },
  };
  return { sink, written, events };
}

const customer = (id: number, createdAt: string): DataRecord => ({ id, createdAt });
const incremental = { field: 'createdAt', param: 'created_after' };

let tmp: TmpDir;
let store: StateStore;
let path: string;
beforeEach(async () => {
  tmp = await createTmpDir('pageflow-run-state-');
  path = tmp.resolve('state', 'customers.json');
  store = createFileStateStore(path);
});
afterEach(() => tmp.remove());

/** One incremental run over `pages`: what the sink got, the params the source was built with, the figures. */
async function runOver(pages: DataRecord[][], options: { limit?: number; failure?: Error; readOnly?: boolean } = {}) {
  const { sink, written, events } = memorySink();
  let params: Readonly<Record<string, string>> | undefined;
  const metrics = await runWithState({
    store,
    pipeline: 'customers',
    incremental,
    readOnly: options.readOnly,
    build: (given) => {
      params = given;
      return { source: pagedSource(pages, { failure: options.failure }), sinks: [sink], limit: options.limit };
    },
  });
  return { ids: written.map((record) => record.id), params, metrics, events };
}

describe('runWithState', () => {
  const day1 = [[customer(1, '2024-05-01T08:00:00Z'), customer(2, '2024-05-01T09:00:00Z')], [customer(3, '2024-05-01T10:00:00Z')]];
  const day2 = [...day1, [customer(4, '2024-05-01T10:00:00Z'), customer(5, '2024-05-02T07:00:00Z')]];

  it('moves the cursor after each whole run and records the run', async () => {
    const first = await runOver(day1);
    expect(first).toMatchObject({ ids: [1, 2, 3], params: {}, events: ['finish'] });
    expect(first.metrics.incremental).toEqual({ field: 'createdAt', to: '2024-05-01T10:00:00Z', skipped: 0 });

    const second = await runOver(day2);
    expect(second).toMatchObject({ ids: [4, 5], params: { created_after: '2024-05-01T10:00:00Z' } });
    expect(second.metrics.incremental).toEqual({ field: 'createdAt', from: '2024-05-01T10:00:00Z', to: '2024-05-02T07:00:00Z', skipped: 3 });
    await expect(store.load()).resolves.toMatchObject({
      pipeline: 'customers',
      cursor: { value: '2024-05-02T07:00:00Z' },
      lastRun: { pages: 3, outputs: [{ name: 'memory', records: 2, bytes: 0 }], cursor: { from: '2024-05-01T10:00:00Z', to: '2024-05-02T07:00:00Z' } },
    });
    await expect(store.readLock()).resolves.toEqual({ version: expect.any(String) });
  });

  it('leaves the state byte for byte as it was after a failed run, and frees the lock', async () => {
    await runOver(day1);
    const before = await readFile(path, 'utf8');
    const failure = new Error('page 3 is broken');
    await expect(runOver(day2, { failure })).rejects.toBe(failure);
    expect(await readFile(path, 'utf8')).toBe(before);
    await expect(store.readLock()).resolves.toEqual({ version: expect.any(String) });
    expect((await runOver(day2)).ids).toEqual([4, 5]);
  });

  it('never moves the cursor for a run with a limit, or a read-only one', async () => {
    await runOver(day1);
    const before = await readFile(path, 'utf8');
    expect((await runOver(day2, { limit: 1 })).ids).toEqual([4]);
    expect((await runOver(day2, { readOnly: true })).ids).toEqual([4, 5]);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('reads, without waiting for the lock, in a read-only run', async () => {
    await runOver(day1);
    const slow = runWithState({ store, pipeline: 'customers', incremental, build: () => ({ source: pagedSource(day2, { pauseMs: 100 }), sinks: [memorySink().sink] }) });
    await sleep(50);
    expect((await runOver(day2, { readOnly: true })).ids).toEqual([4, 5]);
    await slow;
  });

  it('refuses a second run while one holds the state, and leaves the first alone', async () => {
    const first = runWithState({ store, pipeline: 'customers', incremental, build: () => ({ source: pagedSource(day1, { pauseMs: 100 }), sinks: [memorySink().sink] }) });
    await sleep(50);
    const second = memorySink();
    let built = false;
    const refused = runWithState({
      store: createFileStateStore(path),
      pipeline: 'customers',
      build: () => {
        built = true;
        return { source: pagedSource(day1), sinks: [second.sink] };
      },
    });
    await expect(refused).rejects.toBeInstanceOf(StateLockedError);
    expect(built).toBe(false);
    await expect(first).resolves.toMatchObject({ incremental: { to: '2024-05-01T10:00:00Z' } });
  });

  it('stops and rolls back a run whose lock another process took over, saving nothing', async () => {
    const { sink, events } = memorySink();
    const run = runWithState({ store, pipeline: 'customers', incremental, leaseMs: 300, build: () => ({ source: pagedSource(day2, { pauseMs: 200 }), sinks: [sink] }) });
    await sleep(50);
    const { version, holder } = await store.readLock();
    await store.swapLock(version, { ...holder!, owner: 'usurper', host: 'elsewhere' });
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).message).toContain('lost the lock: another process took the lock over');
    expect(events).toEqual(['abort']);
    await expect(store.load()).resolves.toBeUndefined();
  });

  it("refuses another pipeline's state", async () => {
    await runOver(day1);
    const other = runWithState({ store, pipeline: 'suppliers', build: () => ({ source: pagedSource([]), sinks: [memorySink().sink] }) });
    await expect(other).rejects.toThrow(`[state:${path}] belongs to pipeline "customers", not "suppliers": give each pipeline its own state path`);
  });
});

describe('runWithState with checkpoint', () => {
  const checkpoint = { every: 2, definition: { source: 'a', sinks: 'b' } };

  it('refuses a sink that cannot resume, naming it, before anything is fetched or opened', async () => {
    const { sink, events } = memorySink();
    let requested = false;
    const source: Source = (context) => {
      requested = true;
      return pagedSource([[customer(1, '2024-05-01T08:00:00Z')]])(context);
    };
    await expect(runWithState({ store, pipeline: 'customers', checkpoint, build: () => ({ source, sinks: [sink] }) })).rejects.toThrow(
      'sink memory cannot resume exactly (it has no checkpoint/resume): remove checkpoint, or write to a file or S3 sink',
    );
    expect(requested).toBe(false);
    expect(events).toEqual([]);
  });

  it('saves a checkpoint every `every` pages with each sink position, and clears it when the run succeeds', async () => {
    const { sink, written } = memorySink();
    const positions: unknown[] = [];
    const saved: unknown[] = [];
    const resumable: Sink = {
      ...sink,
      checkpoint: async () => ({ position: { records: written.length }, durable: Promise.resolve() }),
      resume: async () => {},
      suspend: async () => {},
    };
    const pages = [1, 2, 3, 4, 5].map((n) => [customer(n, '2024-05-01T08:00:00Z')]);
    const watching: StateStore = {
      ...store,
      async save(state) {
        if (state.unfinished) {
          saved.push(state.unfinished.pages);
          positions.push(state.unfinished.sinks[0].position);
        }
        await store.save(state);
      },
    };
    // Marks with a position to go on from, as the HTTP source gives them.
    const source: Source = (context) => pagedSource(pages)({ ...context, demand: (mark) => context.demand(mark && { ...mark, resume: { index: mark.index + 1 } }) });
    const metrics = await runWithState({ store: watching, pipeline: 'customers', checkpoint, build: () => ({ source, sinks: [resumable] }) });
    expect(saved).toEqual([2, 4]);
    expect(positions).toEqual([{ records: 2 }, { records: 4 }]);
    expect(metrics.resumed).toBeUndefined();
    const state = JSON.parse(await readFile(path, 'utf8')) as { unfinished?: unknown; lastRun?: { pages: number } };
    expect(state.unfinished).toBeUndefined();
    expect(state.lastRun?.pages).toBe(5);
  });

  it('writes on while a checkpoint becomes durable, and saves it only once it is', async () => {
    const { sink, written } = memorySink();
    const events: string[] = [];
    const durable: (() => void)[] = [];
    const resumable: Sink = {
      ...sink,
      write: async (records) => {
        events.push(`write ${records.map((record) => record.id).join(',')}`);
        await sink.write(records);
      },
      checkpoint: async () => {
        const records = written.length;
        events.push(`checkpoint at ${records}`);
        const made = new Promise<void>((resolve) => durable.push(resolve));
        // Durable only after the next write got through (or a moment later, when there is none).
        setTimeout(() => durable.shift()?.(), 50);
        return { position: { records }, durable: made.then(() => void events.push(`durable ${records}`)) };
      },
      resume: async () => {},
      suspend: async () => {},
    };
    const watching: StateStore = {
      ...store,
      async save(state) {
        if (state.unfinished) events.push(`saved ${JSON.stringify(state.unfinished.sinks[0].position)}`);
        await store.save(state);
      },
    };
    const pages = [1, 2, 3].map((n) => [customer(n, '2024-05-01T08:00:00Z')]);
    const source: Source = (context) => pagedSource(pages)({ ...context, demand: (mark) => context.demand(mark && { ...mark, resume: { index: mark.index + 1 } }) });
    await runWithState({ store: watching, pipeline: 'customers', checkpoint: { ...checkpoint, every: 1 }, build: () => ({ source, sinks: [resumable] }) });
    const savedAt = events.indexOf('saved {"records":1}');
    expect(events.indexOf('checkpoint at 1')).toBeLessThan(events.indexOf('write 2'));
    expect(events.indexOf('write 2')).toBeLessThan(events.indexOf('durable 1'));
    expect(events.indexOf('durable 1')).toBeLessThan(savedAt);
  });
});
