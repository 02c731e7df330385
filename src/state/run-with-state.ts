import { filter } from 'rxjs';
import { ConfigError } from '../errors/config-error';
import { StateError } from '../errors/state-error';
import { type Logger, silentLogger } from '../logger';
import { formatPath } from '../pipeline/issue-path';
import { RunMetrics } from '../pipeline/run-metrics';
import { runPipeline, type RunOptions } from '../pipeline/run-pipeline';
import { createRunId } from '../sinks/output-path';
import type { DataRecord } from '../record';
import type { Source } from '../sources/source';
import { IncrementalTracker, incrementalConfig, type IncrementalOptions } from './incremental';
import { STATE_FORMAT } from './state-document';
import { acquireLock, type HeldLock, type LockOptions } from './state-lock';
import type { StateStore } from './state-store';

export interface StatefulRunOptions {
  /** Where the state lives between runs: `createFileStateStore`, `createS3StateStore`, or your own. */
  readonly store: StateStore;
  /** The pipeline's name: recorded in the state and its lock. A state saved by another pipeline is refused. */
  readonly pipeline: string;
  /** Export only records newer than the last successful run's (the `source.incremental` of pipeline files). */
  readonly incremental?: IncrementalOptions;
  /**
   * Makes the run once the state is locked and read. `params` holds the incremental query parameter
   * (`{ created_after: '2024-05-01T08:30:00Z' }`; empty when there is none) for the source's requests.
   * A run with a `limit` never moves the state.
   */
  build(params: Readonly<Record<string, string>>): RunOptions | Promise<RunOptions>;
  /** Read the state but take no lock and save nothing: a dry run. @default false */
  readonly readOnly?: boolean;
  /** How long the lock holds unrenewed. @default 60000 */
  readonly leaseMs?: number;
  readonly logger?: Logger;
  /** This process as the lock names it. @default the real pid and host name */
  readonly process?: LockOptions['process'];
}

/**
 * Runs a pipeline that keeps state between runs: takes the state's lock (or fails at once naming the
 * pid and host holding it), reads the state, runs, and, only when every sink finished and the run was
 * whole (no `limit`), saves the new cursor and the run's figures. A failed or interrupted run leaves
 * the state as it was. Resolves with the run's figures; `metrics.incremental` tells the cursor's move.
 */
export async function runWithState(options: StatefulRunOptions): Promise<RunMetrics> {
  const { store, pipeline, readOnly = false } = options;
  const logger = options.logger ?? silentLogger;
  const incremental = options.incremental && parseIncremental(options.incremental);
  const lock = readOnly ? undefined : await acquireLock(store, { pipeline, leaseMs: options.leaseMs, logger, process: options.process });
  try {
    const saved = await store.load();
    if (saved && saved.pipeline !== pipeline) {
      throw new StateError(store.location, `belongs to pipeline "${saved.pipeline}", not "${pipeline}": give each pipeline its own state path`);
    }
    const tracker = incremental && new IncrementalTracker(incremental, saved?.cursor, store.location);
    const params = tracker?.params() ?? {};
    const run = await options.build(params);
    const metrics = run.metrics ?? new RunMetrics();
    let parts: Pick<RunOptions, 'source' | 'operators'> = run;
    if (tracker) {
      metrics.incremental = { field: incremental.field, from: tracker.from?.text, skipped: 0 };
      const asked = Object.entries(params).map(([name, value]) => `${name}=${value}`);
      logger.log(
        'info',
        tracker.from
          ? `incremental: records after ${incremental.field} ${tracker.from.text}${asked.length > 0 ? ` (asking for ${asked.join('&')})` : ''}`
          : `incremental: no cursor yet, exporting everything${tracker.lowerBound ? ` from ${tracker.lowerBound.text}` : ''}`,
      );
      parts = tracked(run, tracker, metrics);
    }
    const signal = lock && run.signal ? AbortSignal.any([run.signal, lock.lost]) : (lock?.lost ?? run.signal);
    await runPipeline({ ...run, ...parts, metrics, signal, logger: run.logger ?? logger });

    if (readOnly || run.limit !== undefined) {
      if (!readOnly) logger.log('info', `state ${store.location} left as it was: a run with a limit exports part of what is there`);
      return metrics;
    }
    const cursor = tracker ? tracker.result() : saved?.cursor;
    await save(store, lock!, {
      format: STATE_FORMAT,
      pipeline,
      updatedAt: new Date().toISOString(),
      cursor,
      lastRun: {
        runId: createRunId(new Date(metrics.startedAt)),
        startedAt: new Date(metrics.startedAt).toISOString(),
        finishedAt: new Date().toISOString(),
        pages: metrics.pages,
        recordsRead: metrics.recordsRead,
        outputs: metrics.sinks.map(({ name, records, bytes }) => ({ name, records, bytes })),
        cursor: tracker && cursor ? { from: tracker.from?.text, to: cursor.value } : undefined,
      },
    });
    if (metrics.incremental && cursor) metrics.incremental.to = cursor.value;
    return metrics;
  } finally {
    await lock?.release();
  }
}

async function save(store: StateStore, lock: HeldLock, state: Parameters<StateStore['save']>[0]): Promise<void> {
  try {
    // A run that lost its lock (paused past its lease, taken over) must not overwrite its successor's state.
    await lock.confirm();
    await store.save(state);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StateError(store.location, `the outputs are complete, but the state could not be saved, so the next run exports these records again: ${why}`, { cause: error });
  }
}

/**
 * The source and a first operator that decides on every record it emits, before any transform sees
 * it: an operator, so that the run still counts the records skipped as read. The source's page marks
 * tell the operator where each record came from.
 */
function tracked(run: RunOptions, tracker: IncrementalTracker, metrics: RunMetrics): Pick<RunOptions, 'source' | 'operators'> {
  let page = 1;
  let record = 0;
  const where = () => `record ${record} of page ${page}`;
  const source: Source = (context) =>
    run.source({
      ...context,
      demand: (mark) => {
        page = (mark?.index ?? page) + 1;
        record = 0;
        return context.demand(mark);
      },
    });
  const decide = filter((next: DataRecord) => {
    record += 1;
    if (tracker.accept(next, where)) return true;
    metrics.incremental!.skipped += 1;
    return false;
  });
  return { source, operators: [decide, ...(run.operators ?? [])] };
}

function parseIncremental(options: IncrementalOptions) {
  const parsed = incrementalConfig.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new ConfigError('incremental', parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
}

/** `20261129T031502Z-9f3a1c`: sorts by start time, unique enough to name a run. */
