import { setTimeout as delay } from 'node:timers/promises';
import { filter, from, map, Observable } from 'rxjs';
import { RejectLimitError } from '../../src/errors/reject-limit-error';
import { ConfigError } from '../../src/errors/config-error';
import { buildPipeline } from '../../src/pipeline/build-pipeline';
import { parsePipeline } from '../../src/pipeline/load-pipeline';
import { RejectRouter } from '../../src/pipeline/reject-router';
import { InterruptedError } from '../../src/errors/interrupted-error';
import { runPipeline } from '../../src/pipeline/run-pipeline';
import type { DataRecord } from '../../src/record';
import type { Sink } from '../../src/sinks/sink';
import type { Source } from '../../src/sources/source';

/** A sink in memory: every batch it was given, and how it was ended. */
function memorySink({ writeDelayMs = 0, failOnWrite }: { writeDelayMs?: number; failOnWrite?: number } = {}) {
  const batches: DataRecord[][] = [];
  const origins: string[][] = [];
  const calls: string[] = [];
  const sink: Sink = {
    metrics: { name: 'memory', records: 0, bytes: 0 },
    async open() {
      calls.push('open');
    },
    async write(records, origin) {
      if (batches.length + 1 === failOnWrite) throw new Error('disk full');
      if (writeDelayMs) await delay(writeDelayMs);
      batches.push([...records]);
      origins.push(records.map((_, index) => origin?.describe(index) ?? ''));
      sink.metrics.records += records.length;
    },
    async finish() {
      calls.push('finish');
    },
    async abort(reason) {
      calls.push(`abort: ${(reason as Error).message}`);
    },
  };
  return { sink, batches, origins, calls, records: () => batches.flat() };
}

/**
 * A paged source like the HTTP one: emits a page of records, then awaits `demand()` before the next.
 * `emitted` counts records handed downstream so far.
 */
function pagedSource(pages: number, perPage: number, { failAtPage, marks = false }: { failAtPage?: number; marks?: boolean } = {}) {
  const state = { emitted: 0, pagesStarted: 0, unsubscribed: false, subscribed: 0 };
  const source: Source = (context) =>
    new Observable<DataRecord>((subscriber) => {
      state.subscribed += 1;
      void (async () => {
        for (let page = 1; page <= pages && !subscriber.closed; page += 1) {
          if (page > 1) await context.demand(marks ? { index: page - 1, url: `http://api/items?page=${page - 1}` } : undefined);
          if (subscriber.closed) return;
          state.pagesStarted += 1;
          if (page === failAtPage) return subscriber.error(new Error(`page ${page} failed`));
          for (let index = 0; index < perPage; index += 1) {
            state.emitted += 1;
            subscriber.next({ id: (page - 1) * perPage + index, page });
          }
        }
        subscriber.complete();
      })().catch((error: unknown) => subscriber.error(error));
      return () => {
        state.unsubscribed = true;
      };
    });
  return { source, state };
}

describe('runPipeline', () => {
  it('lets every finish settle before aborting the sinks when one finish fails', async () => {
    const events: string[] = [];
    const slowFinisher = memorySink();
    slowFinisher.sink.finish = async () => {
      await delay(20);
      events.push('slow finish done');
    };
    slowFinisher.sink.abort = async () => void events.push('slow aborted');
    const failing = memorySink();
    failing.sink.finish = async () => {
      events.push('finish failed');
      throw new Error('upload refused');
    };
    failing.sink.abort = async () => void events.push('failing aborted');

    const failure = await runPipeline({ source: pagedSource(1, 2).source, sinks: [slowFinisher.sink, failing.sink] }).catch((error: Error) => error);

    expect(failure).toEqual(new Error('upload refused'));
    expect(events).toEqual(['finish failed', 'slow finish done', 'slow aborted', 'failing aborted']);
  });

  it('writes every record to every sink in order, in batches, then finishes each sink once', async () => {
    const { source } = pagedSource(3, 5);
    const first = memorySink();
    const second = memorySink();
    const metrics = await runPipeline({ source, sinks: [first.sink, second.sink], batchSize: 4 });
    for (const sink of [first, second]) {
      expect(sink.records().map((record) => record.id)).toEqual(Array.from({ length: 15 }, (_, index) => index));
      expect(sink.batches.every((batch) => batch.length <= 5)).toBe(true);
      expect(sink.calls).toEqual(['open', 'finish']);
    }
    expect(metrics.sinks.map((sink) => sink.records)).toEqual([15, 15]);
  });

  it('applies the operators in order', async () => {
    const { source } = pagedSource(2, 5);
    const sink = memorySink();
    await runPipeline({
      source,
      operators: [filter((record) => (record.id as number) % 2 === 0), filter((record) => (record.id as number) > 2)],
      sinks: [sink.sink],
    });
    expect(sink.records().map((record) => record.id)).toEqual([4, 6, 8]);
  });

  it('finishes the sinks of an empty export, so a CSV still gets its header', async () => {
    const sink = memorySink();
    await runPipeline({ source: pagedSource(0, 5).source, sinks: [sink.sink] });
    expect(sink.batches).toEqual([]);
    expect(sink.calls).toEqual(['open', 'finish']);
  });

  it('resolves demand() only once the sinks have written every record emitted so far', async () => {
    const { source, state } = pagedSource(6, 10);
    const sink = memorySink({ writeDelayMs: 5 });
    let mostAhead = 0;
    const watched: Sink = {
      ...sink.sink,
      metrics: sink.sink.metrics,
      write: async (records) => {
        mostAhead = Math.max(mostAhead, state.emitted - sink.sink.metrics.records);
        await sink.sink.write(records);
      },
    };
    await runPipeline({ source, sinks: [watched], batchSize: 10 });
    expect(sink.records()).toHaveLength(60);
    // Never more than one page (10 records) emitted and not yet written, however long the export.
    expect(mostAhead).toBe(10);
  });

  it('stops after `limit` records, unsubscribes from the source and still finishes the sinks', async () => {
    const { source, state } = pagedSource(100, 10);
    const sink = memorySink();
    await runPipeline({ source, sinks: [sink.sink], limit: 25 });
    expect(sink.records()).toHaveLength(25);
    expect(state.unsubscribed).toBe(true);
    expect(state.pagesStarted).toBeLessThanOrEqual(3);
    expect(sink.calls).toEqual(['open', 'finish']);
  });

  it('aborts every sink and rethrows when the source fails', async () => {
    const first = memorySink();
    const second = memorySink();
    await expect(runPipeline({ source: pagedSource(5, 3, { failAtPage: 3 }).source, sinks: [first.sink, second.sink] })).rejects.toThrow('page 3 failed');
    expect(first.calls).toEqual(['open', 'abort: page 3 failed']);
    expect(second.calls).toEqual(['open', 'abort: page 3 failed']);
  });

  it('stops fetching, aborts every sink and rethrows the sink error when a write fails', async () => {
    const { source, state } = pagedSource(50, 10);
    const failing = memorySink({ failOnWrite: 2 });
    const healthy = memorySink();
    await expect(runPipeline({ source, sinks: [failing.sink, healthy.sink], batchSize: 10 })).rejects.toThrow('disk full');
    expect(state.unsubscribed).toBe(true);
    expect(state.pagesStarted).toBeLessThanOrEqual(3);
    expect(failing.calls).toEqual(['open', 'abort: disk full']);
    expect(healthy.calls).toEqual(['open', 'abort: disk full']);
  });

  it('rolls back with an InterruptedError for the signal when aborted', async () => {
    const controller = new AbortController();
    const { source, state } = pagedSource(1000, 10);
    const sink = memorySink({ writeDelayMs: 2 });
    const run = runPipeline({ source, sinks: [sink.sink], signal: controller.signal });
    await delay(20);
    controller.abort('SIGTERM');
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(143);
    expect(state.unsubscribed).toBe(true);
    expect(state.pagesStarted).toBeLessThan(1000);
    expect(sink.calls).toEqual(['open', `abort: ${(error as Error).message}`]);
  });

  it('opens every sink before the source is subscribed, and never subscribes when an open fails', async () => {
    const { source, state } = pagedSource(2, 2);
    const sink = memorySink();
    const opened: number[] = [];
    sink.sink.open = async () => void opened.push(state.subscribed);
    await runPipeline({ source, sinks: [sink.sink] });
    expect(opened).toEqual([0]);

    const failing = memorySink();
    failing.sink.open = async () => {
      throw new Error('out/ is not writable');
    };
    const healthy = memorySink();
    const second = pagedSource(2, 2);
    await expect(runPipeline({ source: second.source, sinks: [healthy.sink, failing.sink] })).rejects.toThrow('out/ is not writable');
    expect(second.state.subscribed).toBe(0);
    expect(healthy.calls).toEqual(['open', 'abort: out/ is not writable']);
    expect(failing.calls).toEqual(['abort: out/ is not writable']);
  });

  it('names each record by its page and index within it, with the URL of the page mark', async () => {
    const sink = memorySink();
    await runPipeline({ source: pagedSource(3, 3, { marks: true }).source, sinks: [sink.sink], batchSize: 10 });
    expect(sink.origins.flat()).toEqual([
      'record 1 of page 1 (http://api/items?page=1)',
      'record 2 of page 1 (http://api/items?page=1)',
      'record 3 of page 1 (http://api/items?page=1)',
      'record 1 of page 2 (http://api/items?page=2)',
      'record 2 of page 2 (http://api/items?page=2)',
      'record 3 of page 2 (http://api/items?page=2)',
      // The last page ends with the source, without a mark.
      'record 1 of page 3',
      'record 2 of page 3',
      'record 3 of page 3',
    ]);
  });

  it('makes the first write the whole first page, then writes batches', async () => {
    const sink = memorySink();
    await runPipeline({ source: pagedSource(2, 25).source, sinks: [sink.sink], batchSize: 10 });
    // Later pages: a write starts at batchSize records, and takes with it what arrived while the one before ran.
    expect(sink.batches.map((batch) => batch.length)).toEqual([25, 10, 15]);
  });

  it('starts the first write after 10 batches for a source that never calls demand', async () => {
    const sink = memorySink();
    const records = Array.from({ length: 1000 }, (_, id) => ({ id }));
    await runPipeline({ source: () => from(records), sinks: [sink.sink], batchSize: 10 });
    expect(sink.records()).toHaveLength(1000);
    expect(sink.batches[0]).toHaveLength(100);
  });

  describe('rejects', () => {
    /** An operator that rejects the records with an odd id, as `validate` with `onInvalid: reject` does. */
    const rejectOdd = (channel: RejectRouter) =>
      (records$: Observable<DataRecord>) =>
        records$.pipe(
          filter((record) => {
            if ((record.id as number) % 2 === 0) return true;
            channel.reject(record, 'validate', new Error(`id ${String(record.id)} is odd`));
            return false;
          }),
          map((record) => record),
        );

    it('writes each reject as { record, step, error, page } to the rejects sink, and counts them', async () => {
      const channel = new RejectRouter();
      const sink = memorySink();
      const rejects = memorySink();
      const metrics = await runPipeline({
        source: pagedSource(2, 3, { marks: true }).source,
        operators: [rejectOdd(channel)],
        sinks: [sink.sink],
        rejects: { channel, sink: rejects.sink },
      });
      expect(sink.records().map((record) => record.id)).toEqual([0, 2, 4]);
      expect(rejects.records()).toEqual([
        { record: { id: 1, page: 1 }, step: 'validate', error: 'id 1 is odd', page: { index: 1, url: 'http://api/items?page=1' } },
        // The last page ends with the source, without a mark: no URL.
        { record: { id: 3, page: 2 }, step: 'validate', error: 'id 3 is odd', page: { index: 2 } },
        { record: { id: 5, page: 2 }, step: 'validate', error: 'id 5 is odd', page: { index: 2 } },
      ]);
      expect(metrics.rejects).toBe(3);
      expect(rejects.calls).toEqual(['open', 'finish']);
      expect(metrics.sinks.map((each) => each.name)).toEqual(['memory', 'memory']);
    });

    it('fails the run and rolls back every sink once more than maxRejects records were rejected', async () => {
      const channel = new RejectRouter();
      const { source, state } = pagedSource(100, 10);
      const sink = memorySink();
      const rejects = memorySink();
      const run = runPipeline({ source, operators: [rejectOdd(channel)], sinks: [sink.sink], rejects: { channel, sink: rejects.sink, maxRejects: 12 } });
      await expect(run).rejects.toEqual(new RejectLimitError('more than 12 records were rejected (maxRejects: 12): stopped'));
      expect(state.pagesStarted).toBe(3);
      expect(sink.calls).toEqual(['open', 'abort: more than 12 records were rejected (maxRejects: 12): stopped']);
      expect(rejects.calls).toEqual(['open', 'abort: more than 12 records were rejected (maxRejects: 12): stopped']);
    });

    it('fails the run on a reject when there is no rejects sink', async () => {
      const channel = new RejectRouter();
      await expect(runPipeline({ source: pagedSource(1, 3).source, operators: [rejectOdd(channel)], sinks: [memorySink().sink], rejects: { channel } })).rejects.toThrow(
        'a record was rejected, but the pipeline has no rejects: sink to take it',
      );
    });
  });

  describe('rejects: in a pipeline file', () => {
    const file = (rest: string) => `name: p\nsource: { type: http, url: "http://127.0.0.1:1/items" }\nsinks: [{ type: stdout }]\n${rest}`;

    it('builds the rejects sink, of any type, with maxRejects', () => {
      const built = buildPipeline(parsePipeline(file('rejects: { type: file, path: out/rejects.ndjson }\nmaxRejects: 5\n'), 'p.yaml', { env: {} }));
      expect(built.rejects.sink?.metrics.name).toBe('file:out/rejects.ndjson');
      expect(built.rejects.maxRejects).toBe(5);
      expect(built.rejects.channel).toBeInstanceOf(RejectRouter);
    });

    it.each([
      { rest: 'rejects: { type: stdot }\n', message: /rejects\.type: unknown sink type "stdot"/ },
      { rest: 'rejects: { type: file }\n', message: /rejects\.path: Invalid input/ },
      { rest: 'maxRejects: -1\n', message: /maxRejects: Too small: expected number to be >=0/ },
    ])('reports $message', ({ rest, message }) => {
      expect(() => parsePipeline(file(rest), 'p.yaml', { env: {} })).toThrow(ConfigError);
      expect(() => parsePipeline(file(rest), 'p.yaml', { env: {} })).toThrow(message);
    });
  });
});
