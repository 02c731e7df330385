import { formatSummary } from '../cli/summary';
import { outcomeOf } from '../cli/summary-json';
import type { Logger } from '../logger';
import { buildPipeline } from '../pipeline/build-pipeline';
import { RunMetrics } from '../pipeline/run-metrics';
import { runPipeline } from '../pipeline/run-pipeline';
import type { PipelineDefinition } from '../pipeline/schema';
import type { RateBudgets } from '../sources/rate-gate';
import { incrementalConfig } from '../state/incremental';
import { runWithState } from '../state/run-with-state';
import { withSourceParams } from '../state/source-params';
import { openStateStore } from '../state/state-config';
import { JobError } from './job-error';
import { jobRedactor, oneLine, type Redact, redactingLogger } from './job-redactor';
import type { JobProgress, JobSummary } from './job-summary';
import { type LoadedJob, loadJob, type PipelineJobData } from './pipeline-job';
import { rangeRun } from './range-run';
import type { RangeJob } from './split-job-data';
import { removeStaleOutputs } from './stale-outputs';
import { pipelineDigests, uploadIdsOf } from '../state/checkpoints';

const PROGRESS_EVERY_MS = 1000;

/** One attempt at a job, as a worker runs it. Independent of BullMQ: the worker adapts a BullMQ job to it. */
export interface JobAttempt {
  /** Names the job in log lines: `job <id>`. */
  readonly label: string;
  readonly data: PipelineJobData;
  /** When the job first started (pinned in its data by the first attempt). */
  readonly startedAt: Date;
  /** The run's `{runId}`, pinned with `startedAt`. */
  readonly runId: string;
  /** 1 for the first attempt to start; more after a retry, a dead worker or a shutdown. */
  readonly attempt: number;
  /** The worker running it, `host:pid`. */
  readonly worker: string;
  readonly logger: Logger;
  /** The fleet's shared rate limits. */
  readonly budgets?: RateBudgets;
  /** The worker's Redis: a pipeline with `state: { path: redis:<key> }` keeps its state there. */
  readonly redisUrl?: string;
  /** Aborting stops the run and rolls its outputs back (shutdown past the grace period, lock lost). */
  readonly signal?: AbortSignal;
  /** Called about every second while it runs, and once when it ends. */
  readonly onProgress?: (progress: JobProgress) => void;
}

/** What a job's work gets once its pipeline is loaded. */
export interface JobContext {
  /** Redacts every secret of the job, and starts each line with `job <id>: `. */
  readonly logger: Logger;
  /**
   * The figures the progress and the summary report from now on. `pagesBefore`: pages of the export
   * before the run's first (a range); `since`: when the job's work began, if before this attempt.
   */
  track(metrics: RunMetrics, options?: { pagesBefore?: number; since?: number }): void;
}

/** A job's work: `waiting` when it handed over to other jobs (a split export's ranges) and is not done. */
export type JobWork = (job: LoadedJob, context: JobContext) => Promise<'done' | 'waiting'>;

/**
 * Runs one job's pipeline the way `pageflow run` runs a file — under its state's lock when it has
 * `state:` — every log line redacted; for a range of a split export, only the range's pages into its
 * part objects. A later attempt first removes what a dead earlier one left half-written. Resolves
 * with the job's summary; rejects with a `JobError` whose one-line message is redacted.
 */
export async function runJob(attempt: JobAttempt & { readonly range?: RangeJob }): Promise<JobSummary> {
  const summary = await attemptJob(attempt, async (job, { logger, track }) => {
    const { startedAt, runId, range } = attempt;
    const pipelineDir = attempt.data.pipeline.dir;
    const run = range ? rangeRun(job.definition, range, { logger, startedAt, runId, pipelineDir }) : { definition: job.definition, pipeline: job.pipeline, pagesBefore: 0 };
    const { metrics } = run.pipeline;
    track(metrics, { pagesBefore: run.pagesBefore });
    if (attempt.attempt > 1) await removeStaleOutputs(run.definition, { startedAt, runId }, logger, await checkpointedUploads(run.definition, attempt, logger));
    if (run.definition.state) {
      await runStateful(run.definition, job, attempt, logger, track);
      return 'done';
    }
    try {
      await runPipeline({ ...run.pipeline, signal: attempt.signal, logger, budgets: attempt.budgets });
    } finally {
      // A range's pages are counted from its first.
      metrics.pages = Math.max(0, metrics.pages - run.pagesBefore);
      track(metrics);
    }
    return 'done';
  });
  return summary!;
}

/**
 * One attempt at a job: loads its pipeline (its secrets then redact everything it prints), runs
 * `work`, and reports. Resolves with the summary, or undefined when the work is `waiting`; rejects with
 * a `JobError`.
 */
export async function attemptJob(attempt: JobAttempt, work: JobWork): Promise<JobSummary | undefined> {
  const { label, data } = attempt;
  // The variables are known first; the pipeline's own secrets once it is loaded.
  let redactText: Redact = jobRedactor(Object.values(data.variables));
  const logger = redactingLogger(attempt.logger, (text) => redactText(text), `${label}: `);
  let job: LoadedJob | undefined;
  let tracked: { metrics: RunMetrics; pagesBefore: number; since?: number } = { metrics: new RunMetrics(), pagesBefore: 0 };
  const progress = () => attempt.onProgress?.({ pages: Math.max(0, tracked.metrics.pages - tracked.pagesBefore), records: tracked.metrics.recordsRead });
  const timer = setInterval(progress, PROGRESS_EVERY_MS).unref();
  let outcome: 'done' | 'waiting';
  try {
    job = loadJob(data, { logger, startedAt: attempt.startedAt, runId: attempt.runId });
    redactText = jobRedactor(job.secrets);
    tracked = { metrics: job.pipeline.metrics, pagesBefore: 0 };
    logger.log('info', `${job.pipeline.name}, attempt ${attempt.attempt}`);
    outcome = await work(job, { logger, track: (metrics, options = {}) => (tracked = { metrics, pagesBefore: options.pagesBefore ?? 0, since: options.since }) });
  } catch (error) {
    if (job) logger.log('info', formatSummary(job.pipeline.name, tracked.metrics, outcomeOf(error)));
    throw new JobError(oneLine(redactText(error instanceof Error ? error.message : String(error))), error);
  } finally {
    clearInterval(timer);
    progress();
  }
  if (outcome === 'waiting') return undefined;
  const { metrics, since } = tracked;
  logger.log('info', formatSummary(job.pipeline.name, metrics, 'done'));
  return {
    pipeline: redactText(job.pipeline.name),
    pages: metrics.pages,
    records: metrics.recordsRead,
    duplicates: metrics.duplicates,
    retries: metrics.retries,
    throttled: metrics.throttled,
    outputs: metrics.sinks.map((sink) => ({ name: redactText(sink.name), records: sink.records, bytes: sink.bytes })),
    durationMs: since === undefined ? metrics.elapsedMs() : Date.now() - since,
    attempt: attempt.attempt,
    worker: attempt.worker,
  };
}

/** The uploads a checkpoint in the job's state refers to: a later attempt resumes them, so they are not stale. */
async function checkpointedUploads(definition: PipelineDefinition, attempt: JobAttempt, logger: Logger): Promise<Set<string>> {
  if (!definition.state || !definition.checkpoint) return new Set();
  const store = openStateStore(definition.state, logger, { redisUrl: attempt.redisUrl });
  try {
    return uploadIdsOf((await store.load())?.unfinished);
  } finally {
    await store.close?.();
  }
}

/**
 * A pipeline with `state:` runs as `pageflow run` runs it: under the state's lock, from its cursor,
 * the state saved once every sink finished. A `redis:` state lives in the worker's own Redis.
 */
async function runStateful(definition: PipelineDefinition, job: LoadedJob, attempt: JobAttempt, logger: Logger, track: JobContext['track']): Promise<void> {
  const state = definition.state!;
  const store = openStateStore(state, logger, { redisUrl: attempt.redisUrl });
  try {
    await runWithState({
      store,
      pipeline: definition.name,
      incremental: incrementalConfig.optional().parse(definition.source.incremental),
      leaseMs: state.lease,
      logger,
      checkpoint: definition.checkpoint && { every: definition.checkpoint.every, definition: pipelineDigests(definition) },
      identity: { runId: attempt.runId, startedAt: attempt.startedAt },
      build: (params, run) => {
        // The incremental lower bound is a source parameter, a resumed run has the names of the run it
        // resumes: the pipeline is built again with them.
        const same = Object.keys(params).length === 0 && run.runId === attempt.runId;
        const pipeline = same ? job.pipeline : buildPipeline(withSourceParams(definition, params), { logger, ...run, pipelineDir: attempt.data.pipeline.dir });
        track(pipeline.metrics);
        return { ...pipeline, signal: attempt.signal, logger, budgets: attempt.budgets };
      },
    });
  } finally {
    await store.close?.();
  }
}
