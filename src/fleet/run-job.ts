import { formatSummary } from '../cli/summary';
import { outcomeOf } from '../cli/summary-json';
import type { Logger } from '../logger';
import { RunMetrics } from '../pipeline/run-metrics';
import { runPipeline } from '../pipeline/run-pipeline';
import type { RateBudgets } from '../sources/rate-gate';
import { JobError } from './job-error';
import { jobRedactor, oneLine, type Redact, redactingLogger } from './job-redactor';
import type { JobProgress, JobSummary } from './job-summary';
import { type LoadedJob, loadJob, type PipelineJobData } from './pipeline-job';
import { removeStaleOutputs } from './stale-outputs';

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
  /** Aborting stops the run and rolls its outputs back (shutdown past the grace period, lock lost). */
  readonly signal?: AbortSignal;
  /** Called about every second while it runs, and once when it ends. */
  readonly onProgress?: (progress: JobProgress) => void;
}

/**
 * Runs one job's pipeline the way `pageflow run` runs a file, every log line redacted. A later
 * attempt first removes what a dead earlier one left half-written. Resolves with the job's summary;
 * rejects with a `JobError` whose one-line message is redacted.
 */
export async function runJob(attempt: JobAttempt): Promise<JobSummary> {
  const { label, data } = attempt;
  // The variables are known first; the pipeline's own secrets once it is loaded.
  let redactText: Redact = jobRedactor(Object.values(data.variables));
  const logger = redactingLogger(attempt.logger, (text) => redactText(text), `${label}: `);
  let job: LoadedJob | undefined;
  let metrics = new RunMetrics();
  const progress = () => attempt.onProgress?.({ pages: metrics.pages, records: metrics.recordsRead });
  const timer = setInterval(progress, PROGRESS_EVERY_MS).unref();
  try {
    job = loadJob(data, { logger, startedAt: attempt.startedAt, runId: attempt.runId });
    redactText = jobRedactor(job.secrets);
    metrics = job.pipeline.metrics;
    logger.log('info', `${job.pipeline.name}, attempt ${attempt.attempt}`);
    if (attempt.attempt > 1) await removeStaleOutputs(job.definition, { startedAt: attempt.startedAt, runId: attempt.runId }, logger);
    await runPipeline({ ...job.pipeline, signal: attempt.signal, logger, budgets: attempt.budgets });
  } catch (error) {
    if (job) logger.log('info', formatSummary(job.pipeline.name, metrics, outcomeOf(error)));
    throw new JobError(oneLine(redactText(error instanceof Error ? error.message : String(error))), error);
  } finally {
    clearInterval(timer);
    progress();
  }
  logger.log('info', formatSummary(job.pipeline.name, metrics, 'done'));
  return {
    pipeline: redactText(job.pipeline.name),
    pages: metrics.pages,
    records: metrics.recordsRead,
    duplicates: metrics.duplicates,
    retries: metrics.retries,
    throttled: metrics.throttled,
    outputs: metrics.sinks.map((sink) => ({ name: redactText(sink.name), records: sink.records, bytes: sink.bytes })),
    durationMs: metrics.elapsedMs(),
    attempt: attempt.attempt,
    worker: attempt.worker,
  };
}
