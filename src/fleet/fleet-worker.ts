import { hostname } from 'node:os';
import { type Job, Queue, UnrecoverableError, WaitingChildrenError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { InterruptedError } from '../errors/interrupted-error';
import type { Logger } from '../logger';
import { createRunId } from '../sinks/output-path';
import { formatDuration } from '../sources/http/duration';
import { WORKER_DEFAULTS } from './fleet-defaults';
import { describeRedisUrl, workerRedisOptions } from './fleet-redis';
import { JobError } from './job-error';
import type { JobSummary } from './job-summary';
import { type PipelineJobData, pipelineJobData } from './pipeline-job';
import { RedisRateBudgets } from './redis-rate-budgets';
import { type JobAttempt, runJob } from './run-job';
import { runSplitJob, watchParent } from './split-job';

export interface FleetWorkerOptions {
  readonly redisUrl: string;
  readonly queue: string;
  /** Jobs run at once by this worker. */
  readonly concurrency: number;
  /** See `WORKER_DEFAULTS`. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly maxStalledCount?: number;
  readonly logger: Logger;
}

/** A running worker: `stop` is the graceful shutdown. */
export interface FleetWorker {
  /** `host:pid`: stored on each job it runs. */
  readonly name: string;
  /** Resolves once it is connected and taking jobs. */
  readonly ready: Promise<void>;
  /**
   * Stops taking jobs and lets the active ones finish for `graceMs`; then aborts them (their outputs
   * are rolled back) and puts them back in the queue for another worker, and closes.
   */
  stop(graceMs: number): Promise<void>;
}

/** Why a worker aborts its own jobs when the grace period is over. */
const SHUTDOWN = 'SIGTERM';

/**
 * A BullMQ worker running pipeline jobs, with the fleet's shared rate limits. At least once: a job
 * whose worker dies is taken up by another after the stalled-job check (lock duration plus up to two
 * check intervals) and run again from the start, after its stale outputs are removed.
 */
export function startFleetWorker(options: FleetWorkerOptions): FleetWorker {
  const { logger } = options;
  const name = `${hostname()}:${process.pid}`;
  const where = describeRedisUrl(options.redisUrl);
  const budgetsRedis = new Redis(options.redisUrl, { maxRetriesPerRequest: 5 });
  budgetsRedis.on('error', () => {}); // a failing request reports it; the worker's own 'error' is logged below
  const budgets = new RedisRateBudgets(budgetsRedis, { logger });
  // A split export's parent adds its ranges, and a range reads its parent, through it.
  const queue = new Queue(options.queue, { connection: budgetsRedis });
  let stopping = false;
  let closing: Promise<void> | undefined;

  // Three parameters: BullMQ hands a processor that declares the third an AbortSignal.
  const processor = async (job: Job<unknown, JobSummary>, token: string | undefined, signal: AbortSignal | undefined): Promise<JobSummary> => {
    const label = `job ${job.id}`;
    const parsed = pipelineJobData.safeParse(job.data);
    if (!parsed.success) throw unrecoverable(`${label}: its data is not a pageflow pipeline job (enqueued by another program or version?)`);
    const data = await pinStart(job, parsed.data);
    const attempt: JobAttempt = {
      label,
      data,
      startedAt: new Date(data.startedAt),
      runId: data.runId,
      attempt: job.attemptsStarted,
      worker: name,
      logger,
      budgets,
      redisUrl: options.redisUrl,
      signal,
      onProgress: (progress) => void job.updateProgress(progress).catch(() => {}),
    };
    const parent = data.range ? watchParent(job, queue) : undefined;
    try {
      if (data.split) {
        const summary = await runSplitJob({ ...attempt, data: { ...data, split: data.split } }, { job, token, queue });
        if (summary) return summary;
        logger.log('info', `${label}: waiting for its ranges`);
        throw new WaitingChildrenError();
      }
      if (!parent || !data.range) return await runJob(attempt);
      // A range of an export that failed elsewhere stops rather than write a part nobody assembles.
      await parent.check();
      return await runJob({ ...attempt, range: data.range, signal: signal ? AbortSignal.any([signal, parent.signal]) : parent.signal });
    } catch (error) {
      if (!(error instanceof JobError)) throw error;
      if (stopping && error.cause instanceof InterruptedError) {
        // Shut down before it finished: rolled back, and back in the queue without using up an attempt.
        await job.moveToWait(token);
        logger.log('warn', `${label}: not finished within the grace period: rolled back and put back in the queue`);
        throw new WaitingError();
      }
      logger.log('error', `${label}: ${error.message}`);
      throw error.retryable ? error : unrecoverable(error.message);
    } finally {
      parent?.stop();
    }
  };

  const worker = new Worker<unknown, JobSummary>(options.queue, processor, {
    connection: workerRedisOptions(options.redisUrl),
    name,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? WORKER_DEFAULTS.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? WORKER_DEFAULTS.maxStalledCount,
    autorun: false,
  });
  worker.on('error', onceAMinute((message) => logger.log('warn', `worker: ${message}`)));
  // Another worker may take a job whose lock this one lost: stop running it here.
  worker.on('lockRenewalFailed', (ids) => ids.forEach((id) => worker.cancelJob(id, 'a lost lock')));

  const ready = worker.waitUntilReady().then(() => {
    void worker.run().catch((error: unknown) => logger.log('error', `worker stopped: ${(error as Error).message}`));
    logger.log('info', `worker ${name} ready: queue ${options.queue} on ${where}, ${options.concurrency} at a time`);
  });

  return {
    name,
    ready,
    stop(graceMs) {
      stopping = true;
      // A second call (a second signal) shortens the grace period.
      const timer = setTimeout(() => worker.cancelAllJobs(SHUTDOWN), graceMs);
      closing ??= (async () => {
        logger.log('info', `worker ${name} stopping: no new jobs; the active ones have ${formatDuration(graceMs)} to finish`);
        try {
          await worker.close();
          await queue.close();
        } finally {
          budgetsRedis.disconnect();
        }
        logger.log('info', `worker ${name} stopped`);
      })();
      return closing.finally(() => clearTimeout(timer));
    },
  };
}

/** Fixes when the job first started and its run id, the first time it starts: every later attempt writes the same outputs. */
async function pinStart(job: Job<unknown, JobSummary>, data: PipelineJobData): Promise<PipelineJobData & { startedAt: string; runId: string }> {
  if (data.startedAt && data.runId) return { ...data, startedAt: data.startedAt, runId: data.runId };
  const startedAt = new Date();
  const pinned = { ...data, startedAt: startedAt.toISOString(), runId: createRunId(startedAt) };
  await job.updateData(pinned);
  return pinned;
}

/** Passes a message on when it differs from the last one, or a minute after it: Redis down is one line a minute, not one a second. */
function onceAMinute(log: (message: string) => void): (error: Error) => void {
  let last: { message: string; at: number } | undefined;
  return ({ message }) => {
    if (last?.message === message && Date.now() - last.at < 60_000) return;
    last = { message, at: Date.now() };
    log(message);
  };
}

function unrecoverable(message: string): UnrecoverableError {
  const error = new UnrecoverableError(message);
  error.stack = `${error.name}: ${message}`;
  return error;
}
