import { PageflowError } from '../errors/pageflow-error';
import type { Sink } from '../sinks/sink';
import type { RateBudgets } from '../sources/rate-gate';
import { RunMetrics } from './run-metrics';
import { runPipeline, type RunOptions } from './run-pipeline';

/** One stream of a file with several: its name and what `runPipeline` needs. */
export interface StreamRun {
  readonly name: string;
  readonly options: RunOptions;
}

export interface StreamsOptions {
  readonly streams: readonly StreamRun[];
  /** `rollback`: the first failure stops the other streams and every stream's outputs are rolled back. */
  readonly onStreamFailure: 'rollback' | 'continue';
  /** Streams running at once. */
  readonly parallelStreams: number;
  /** Shared by every stream (and its child requests): one gate per credential. */
  readonly budgets: RateBudgets;
  /** Aborting stops every stream and rolls each back, as for one pipeline. */
  readonly signal?: AbortSignal;
}

/** How one stream ended. `error` is absent when it succeeded; `started` false when it never ran (another failed first). */
export interface StreamOutcome {
  readonly name: string;
  readonly metrics: RunMetrics;
  readonly started: boolean;
  readonly error?: unknown;
}

/** A stream stopped, or its outputs rolled back, because another stream failed (`onStreamFailure: rollback`). */
export class StreamStoppedError extends PageflowError {
  override name = 'StreamStoppedError';

  constructor(failed: string) {
    super(`stopped and rolled back: stream "${failed}" failed (onStreamFailure: rollback)`, { code: 'PF_STREAM_STOPPED' });
  }
}

/**
 * Runs the streams of one file in one process, at most `parallelStreams` at once, every request
 * paced by the shared `budgets`. With `rollback` no stream's sinks finish (rename, complete the
 * upload) before every stream got to the end: a failure anywhere stops the running streams, skips
 * the waiting ones and aborts every sink. With `continue` each stream ends on its own.
 */
export async function runStreams(options: StreamsOptions): Promise<StreamOutcome[]> {
  const { streams, onStreamFailure, budgets } = options;
  const stopAll = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopAll.signal]) : stopAll.signal;
  const slots = new Slots(options.parallelStreams);
  const barrier = onStreamFailure === 'rollback' ? new CommitBarrier(streams.length) : undefined;
  let failed: string | undefined;

  const runOne = async ({ name, options: run }: StreamRun, index: number): Promise<StreamOutcome> => {
    const metrics = run.metrics ?? new RunMetrics();
    await slots.take();
    let holding = true;
    const free = () => {
      if (holding) slots.give();
      holding = false;
    };
    if (failed !== undefined && onStreamFailure === 'rollback') {
      free();
      return { name, metrics, started: false, error: new StreamStoppedError(failed) };
    }
    // Its work done, a stream waiting to commit gives its place to the next.
    const arrive = barrier
      ? () => {
          free();
          return barrier.arrive(index);
        }
      : undefined;
    const gate = (sink: Sink): Sink => (arrive ? gatedSink(sink, arrive) : sink);
    try {
      await runPipeline({
        ...run,
        metrics,
        budgets,
        signal,
        sinks: run.sinks.map(gate),
        ...(run.rejects && { rejects: { ...run.rejects, sink: run.rejects.sink && gate(run.rejects.sink) } }),
      });
      return { name, metrics, started: true };
    } catch (error) {
      if (failed === undefined && !(error instanceof StreamStoppedError) && !signal.aborted) {
        failed = name;
        if (onStreamFailure === 'rollback') stopAll.abort(new StreamStoppedError(name));
      }
      barrier?.fail(new StreamStoppedError(failed ?? name));
      return { name, metrics, started: true, error };
    } finally {
      free();
    }
  };
  return Promise.all(streams.map(runOne));
}

/** The stream's sink, finishing only once every stream got to its end. */
function gatedSink(sink: Sink, arrive: () => Promise<void>): Sink {
  return {
    metrics: sink.metrics,
    open: () => sink.open(),
    write: (records, origin) => sink.write(records, origin),
    finish: async () => {
      await arrive();
      await sink.finish();
    },
    abort: (reason) => sink.abort(reason),
  };
}

/** Resolves once each of `count` streams arrived; rejects for all at the first failure. */
class CommitBarrier {
  private readonly arrived = new Set<number>();
  private readonly done: Promise<void>;
  private resolve: () => void = () => {};
  private reject: (error: unknown) => void = () => {};

  constructor(private readonly count: number) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => {}); // a failure before any stream arrived is reported by that stream
  }

  arrive(stream: number): Promise<void> {
    this.arrived.add(stream);
    if (this.arrived.size === this.count) this.resolve();
    return this.done;
  }

  fail(error: unknown): void {
    this.reject(error);
  }
}

/** A counting semaphore: at most `free` holders at once, first come first served. */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
