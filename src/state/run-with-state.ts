import { filter } from 'rxjs';
import { ConfigError } from '../errors/config-error';
import { StateError } from '../errors/state-error';
import { type Logger, silentLogger } from '../logger';
import { formatPath } from '../pipeline/issue-path';
import { RunMetrics } from '../pipeline/run-metrics';
import { runPipeline, type RunOptions } from '../pipeline/run-pipeline';
import { createRunId } from '../sinks/output-path';
import type { DataRecord } from '../record';
import type { Sink } from '../sinks/sink';
import type { PageMark, Source } from '../sources/source';
import { allSinks, changedParts, type CheckpointOptions, discardCheckpoint, requireResumable } from './checkpoints';
import { clearJournals, OperatorCheckpoints } from './operator-checkpoints';
import { IncrementalTracker, incrementalConfig, type IncrementalOptions } from './incremental';
import { type PipelineState, type RunCheckpoint, STATE_FORMAT } from './state-document';
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
   * `run` is the run's id and start, for the sinks' `{runId}`, `{date}`, `{timestamp}`: a resumed run
   * has those of the run it resumes. A run with a `limit` never moves the state.
   */
  build(params: Readonly<Record<string, string>>, run: RunIdentity): RunOptions | Promise<RunOptions>;
  /**
   * Save a checkpoint every `every` pages and resume an unfinished run from its last one: the sinks
   * (and the rejects sink) must all be resumable (`Sink.checkpoint`), the run must have no `limit`.
   */
  readonly checkpoint?: CheckpointOptions;
  /** Discard an unfinished run's checkpoint (removing its temporary outputs) instead of resuming it. @default false */
  readonly fresh?: boolean;
  /** The run's id and start unless it resumes one (a fleet job's pinned ones). @default a new id, now */
  readonly identity?: RunIdentity;
  /** Read the state but take no lock and save nothing: a dry run. @default false */
  readonly readOnly?: boolean;
  /** How long the lock holds unrenewed. @default 60000 */
  readonly leaseMs?: number;
  readonly logger?: Logger;
  /** This process as the lock names it. @default the real pid and host name */
  readonly process?: LockOptions['process'];
}

/** A run's id and start time, which name its outputs. */
export interface RunIdentity {
  readonly runId: string;
  readonly startedAt: Date;
}

/**
 * Runs a pipeline that keeps state between runs: takes the state's lock (or fails at once naming the
 * pid and host holding it), reads the state, runs, and, only when every sink finished and the run was
 * whole (no `limit`), saves the new cursor and the run's figures. A failed or interrupted run leaves
 * the state as it was. Resolves with the run's figures; `metrics.incremental` tells the cursor's move.
 *
 * With `checkpoint`, every `every` pages, once every sink holds them durably, the state also records
 * where the run stands (the next request, each sink's position, the dedup keys, the cursor so far):
 * a run that fails or dies after that keeps its outputs for the next run, which resumes there.
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
    const checkpoint = readOnly ? undefined : options.checkpoint;
    let unfinished = readOnly ? undefined : saved?.unfinished;
    /** What the state keeps whatever this run does: an unfinished run it neither resumes nor discards stays. */
    let kept: Pick<PipelineState, 'cursor' | 'lastRun' | 'unfinished'> = { cursor: saved?.cursor, lastRun: saved?.lastRun, unfinished: saved?.unfinished };
    if (unfinished && checkpoint && options.fresh) {
      await discardCheckpoint(unfinished, allSinks(await options.build({}, identityOf(unfinished))), logger);
      kept = { ...kept, unfinished: undefined };
      await save(store, lock!, { format: STATE_FORMAT, pipeline, updatedAt: new Date().toISOString(), ...kept }, 'the outputs of the unfinished run were removed, but the state could not be saved:');
      logger.log('info', `discarded the checkpoint of run ${unfinished.runId} (after page ${unfinished.pages}): starting over (--fresh)`);
      unfinished = undefined;
    } else if (unfinished && checkpoint) {
      const changed = changedParts(unfinished.definition, checkpoint.definition);
      if (changed.length > 0) {
        throw new StateError(
          store.location,
          `holds the unfinished run ${unfinished.runId} (checkpoint after page ${unfinished.pages}) of another definition: ${changed.join(', ')} changed; undo the change to resume it, or run with --fresh to discard it and start over`,
          { code: 'PF_STATE_CHECKPOINT_CHANGED' },
        );
      }
    } else if (unfinished) {
      logger.log('info', `state ${store.location}: the unfinished run ${unfinished.runId} is left as it was (this run does not checkpoint); pageflow state --reset discards it`);
      unfinished = undefined;
    }

    const identity = unfinished ? identityOf(unfinished) : (options.identity ?? newIdentity());
    const tracker = incremental && new IncrementalTracker(incremental, saved?.cursor, store.location);
    if (tracker && unfinished?.cursor) tracker.resumeFrom(unfinished.cursor, store.location);
    const params = tracker?.params() ?? {};
    const run = await options.build(params, identity);
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
    if (checkpoint) {
      if (run.limit !== undefined) throw new ConfigError('checkpoint', [{ path: 'checkpoint', message: 'a run with a limit cannot checkpoint: it exports part of what is there' }]);
      const operators = new OperatorCheckpoints(store, identity.runId);
      if (unfinished) run.operatorState?.resumeFrom(await operators.load(unfinished.operators));
      else await clearJournals(store, logger); // a discarded run's, or what a run that died before its first checkpoint appended
      const checkpoints = new Checkpoints(run, { ...parts, metrics }, { store, lock: lock!, pipeline, kept, identity, checkpoint, tracker, unfinished, operators, logger });
      if (unfinished) logger.log('info', `resuming run ${unfinished.runId} from page ${unfinished.pages + 1}`);
      try {
        await runPipeline({ ...run, ...parts, ...checkpoints.parts(), metrics, signal, logger: run.logger ?? logger });
      } catch (error) {
        if (checkpoints.last) logger.log('warn', `run ${identity.runId} stopped; its outputs up to page ${checkpoints.last.pages} are kept: the next run resumes from page ${checkpoints.last.pages + 1} (run --fresh to start over)`);
        throw error;
      }
    } else {
      await runPipeline({ ...run, ...parts, metrics, signal, logger: run.logger ?? logger });
    }

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
        runId: identity.runId,
        startedAt: identity.startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        pages: metrics.pages,
        recordsRead: metrics.recordsRead,
        outputs: metrics.sinks.map(({ name, records, bytes }) => ({ name, records, bytes })),
        cursor: tracker && cursor ? { from: tracker.from?.text, to: cursor.value } : undefined,
      },
      unfinished: checkpoint ? undefined : kept.unfinished,
    });
    if (checkpoint) await clearJournals(store, logger);
    if (metrics.incremental && cursor) metrics.incremental.to = cursor.value;
    return metrics;
  } finally {
    await lock?.release();
  }
}

function newIdentity(): RunIdentity {
  const startedAt = new Date();
  return { runId: createRunId(startedAt), startedAt };
}

function identityOf(checkpoint: RunCheckpoint): RunIdentity {
  return { runId: checkpoint.runId, startedAt: new Date(checkpoint.startedAt) };
}

interface CheckpointContext {
  readonly store: StateStore;
  readonly lock: HeldLock;
  readonly pipeline: string;
  /** What every checkpoint keeps of the state as it was. */
  readonly kept: Pick<PipelineState, 'cursor' | 'lastRun'>;
  readonly identity: RunIdentity;
  readonly checkpoint: CheckpointOptions;
  readonly tracker?: IncrementalTracker;
  /** The checkpoint this run resumes. */
  readonly unfinished?: RunCheckpoint;
  readonly operators: OperatorCheckpoints;
  readonly logger: Logger;
}

/**
 * The checkpoints of one run. A checkpoint is taken in the source's `demand` after page k, when the
 * sinks have written every record of pages up to k and the source has emitted nothing after: a
 * consistent cut. What the cut holds in memory (counters, cursor, the dedup keys added) is taken
 * there and then, and the source goes on at once. Records reach the sinks again once each has made
 * its position durable (what they write after it, a resume drops); the journals and the state are
 * saved meanwhile. So a checkpoint costs the run little more than its fsyncs, overlapped with the
 * next page's request and parsing.
 */
class Checkpoints {
  /** The last checkpoint saved (or resumed): once there is one, a failure keeps the outputs for the next run. */
  last?: RunCheckpoint;
  private readonly sinks;
  private warned = false;
  /** The sinks taking the positions of the checkpoint: writes wait for it. */
  private positioning: Promise<void> = Promise.resolve();
  /** The checkpoint being saved: the finish, an abort and the next checkpoint wait for it; its failure fails them. */
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly run: RunOptions,
    private readonly current: Pick<RunOptions, 'source'> & { readonly metrics: RunMetrics },
    private readonly context: CheckpointContext,
  ) {
    this.sinks = requireResumable(allSinks(run));
    const { unfinished } = context;
    this.last = unfinished;
    if (!unfinished) return;
    if (unfinished.sinks.length !== this.sinks.length) throw new StateError(context.store.location, `the checkpoint of run ${unfinished.runId} holds ${unfinished.sinks.length} sinks, the pipeline has ${this.sinks.length}: run with --fresh`);
    const { metrics } = current;
    metrics.resumed = { runId: unfinished.runId, fromPage: unfinished.pages + 1 };
    if (unfinished.counts) {
      metrics.recordsRead = unfinished.counts.recordsRead;
      metrics.duplicates = unfinished.counts.duplicates;
      metrics.rejects = unfinished.counts.rejects;
      if (metrics.incremental) metrics.incremental.skipped = unfinished.counts.skipped ?? 0;
    }
  }

  /** The source, sinks and rejects sink of the run, checkpointing and resuming. */
  parts(): Pick<RunOptions, 'source' | 'sinks' | 'rejects'> {
    const { every } = this.context.checkpoint;
    const resumeFrom = this.context.unfinished?.resume;
    const source: Source = (context) =>
      this.current.source({
        ...context,
        resumeFrom,
        demand: async (mark) => {
          await context.demand(mark);
          if (!mark || mark.index % every !== 0) return;
          if (mark.resume !== undefined) {
            await this.saving;
            return this.take(mark);
          }
          if (!this.warned) this.context.logger.log('warn', `checkpoint: the source gives no position to go on from after page ${mark.index}, so this run saves no checkpoint`);
          this.warned = true;
        },
      });
    const wrapped = this.sinks.map((sink, index) => this.wrap(sink, index));
    const { rejects } = this.run;
    return { source, sinks: wrapped.slice(0, this.run.sinks.length), rejects: rejects && { ...rejects, sink: rejects.sink && wrapped[wrapped.length - 1] } };
  }

  /** Opens at the checkpoint when resuming; once a checkpoint exists, a failure suspends instead of discarding. */
  private wrap(sink: Sink & Required<Pick<Sink, 'checkpoint' | 'resume' | 'suspend'>>, index: number): Sink {
    const position = this.context.unfinished?.sinks[index].position;
    return {
      metrics: sink.metrics,
      open: () => (this.context.unfinished ? sink.resume(position) : sink.open()),
      write: async (records, origin) => {
        await this.positioning;
        return sink.write(records, origin);
      },
      finish: async () => {
        await this.saving;
        return sink.finish();
      },
      abort: async (reason) => {
        await this.saving.catch(() => {});
        return this.last ? sink.suspend() : sink.abort(reason);
      },
    };
  }

  /** Takes the checkpoint after `mark`: the state in memory now, the sinks' positions and the journals as they become durable. */
  private take(mark: PageMark): void {
    const { metrics } = this.current;
    const counts = { recordsRead: metrics.recordsRead, duplicates: metrics.duplicates, rejects: metrics.rejects, skipped: metrics.incremental?.skipped };
    const cursor = this.context.tracker?.result();
    const operators = this.context.operators.save(this.run.operatorState);
    const taken = Promise.all(this.sinks.map((sink) => sink.checkpoint()));
    // Writes wait for the positions only; the checkpoint is saved once what they hold is durable.
    this.positioning = taken.then(() => undefined);
    this.saving = Promise.all([taken, operators]).then(async ([taken, operators]) => {
      await Promise.all(taken.map(({ durable }) => durable));
      return this.save({
        runId: this.context.identity.runId,
        startedAt: this.context.identity.startedAt.toISOString(),
        savedAt: new Date().toISOString(),
        pages: mark.index,
        resume: mark.resume,
        definition: { ...this.context.checkpoint.definition },
        sinks: this.sinks.map((sink, index) => ({ name: sink.metrics.name, position: taken[index]!.position })),
        cursor,
        operators,
        counts,
      });
    });
    // Each failure is reported to whichever waits for it next.
    this.positioning.catch(() => {});
    this.saving.catch(() => {});
  }

  private async save(taken: RunCheckpoint): Promise<void> {
    const { store, lock, pipeline, kept } = this.context;
    await save(store, lock, { format: STATE_FORMAT, pipeline, updatedAt: taken.savedAt, ...kept, unfinished: taken }, 'could not save a checkpoint:');
    this.last = taken;
  }
}

async function save(store: StateStore, lock: HeldLock, state: PipelineState, failed = 'the outputs are complete, but the state could not be saved, so the next run exports these records again:'): Promise<void> {
  try {
    // A run that lost its lock (paused past its lease, taken over) must not overwrite its successor's state.
    await lock.confirm();
    await store.save(state);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StateError(store.location, `${failed} ${why}`, { cause: error });
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
