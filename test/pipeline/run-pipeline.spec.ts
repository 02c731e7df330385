import { setTimeout as delay } from 'node:timers/promises';
import { filter, Observable } from 'rxjs';
import { InterruptedError } from '../../src/errors/interrupted-error';
import { runPipeline } from '../../src/pipeline/run-pipeline';
import type { DataRecord } from '../../src/record';
import type { Sink } from '../../src/sinks/sink';
import type { Source } from '../../src/sources/source';

/** A sink in memory: every batch it was given, and how it was ended. */
function memorySink({ writeDelayMs = 0, failOnWrite }: { writeDelayMs?: number; failOnWrite?: number } = {}) {
  const batches: DataRecord[][] = [];
  const calls: string[] = [];
  const sink: Sink = {
    metrics: { name: 'memory', records: 0, bytes: 0 },
    async open() {
      calls.push('open');
    },
    async write(records) {
      if (batches.length + 1 === failOnWrite) throw new Error('disk full');
      if (writeDelayMs) await delay(writeDelayMs);
      batches.push([...records]);
      sink.metrics.records += records.length;
    },
    async finish() {
      calls.push('finish');
    },
    async abort(reason) {
      calls.push(`abort: ${(reason as Error).message}`);
    },
  };
  return { sink, batches, calls, records: () => batches.flat() };
}

/**
 * A paged source like the HTTP one: emits a page of records, then awaits `demand()` before the next.
 * `emitted` counts records handed downstream so far.
 */
function pagedSource(pages: number, perPage: number, { failAtPage }: { failAtPage?: number } = {}) {
  const state = { emitted: 0, pagesStarted: 0, unsubscribed: false };
  const source: Source = (context) =>
    new Observable<DataRecord>((subscriber) => {
      void (async () => {
        for (let page = 1; page <= pages && !subscriber.closed; page += 1) {
          if (page > 1) await context.demand();
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
});
