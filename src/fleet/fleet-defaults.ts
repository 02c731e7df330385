/**
 * The fleet's defaults, in a module that loads nothing heavy: the CLI shows them in `--help` without
 * loading BullMQ and ioredis (about half a second), which only the fleet's commands pay for.
 */

/** The queue workers take jobs from when `--queue` names none. */
export const DEFAULT_QUEUE = 'pageflow';

/** Where `--redis` is read from when the command line has none: keeps a password out of `ps`. */
export const REDIS_URL_VARIABLE = 'PAGEFLOW_REDIS_URL';

export const WORKER_DEFAULTS = {
  concurrency: 1,
  /** SIGTERM: how long the active jobs have to finish before they are rolled back and put back. */
  graceMs: 30_000,
  /** A job's lock without renewal (renewed every half of it while the job runs): a dead worker's jobs wait this long. */
  lockDurationMs: 30_000,
  /** How often a worker looks for jobs whose worker died. */
  stalledIntervalMs: 15_000,
  /** Times a job may lose its worker and still be run again; once more and it fails. */
  maxStalledCount: 2,
} as const;

/** How a job is retried and how long finished jobs are kept. */
export interface JobPolicy {
  /** Runs of a job in all, the first included. */
  readonly attempts: number;
  /** Wait before the first retry; doubles with each one. */
  readonly backoffMs: number;
  /** Completed jobs kept (the newest). */
  readonly keepCompleted: number;
  /** Failed jobs kept (the newest), with their errors. */
  readonly keepFailed: number;
  /** Finished jobs older than this are removed (as later jobs finish). */
  readonly keepAgeMs: number;
}

export const DEFAULT_JOB_POLICY: JobPolicy = { attempts: 3, backoffMs: 30_000, keepCompleted: 1000, keepFailed: 5000, keepAgeMs: 7 * 24 * 3_600_000 };
