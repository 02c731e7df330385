import { z } from 'zod';

const count = z.int().nonnegative();

/** A finished job's figures: its BullMQ return value, shown by `pageflow jobs`. Secrets redacted. */
export const jobSummary = z.strictObject({
  /** The pipeline's `name`. */
  pipeline: z.string(),
  pages: count,
  records: count,
  duplicates: count,
  retries: count,
  /** Answers 429 (Too Many Requests). */
  throttled: count,
  /** What each sink wrote: `name` is e.g. `s3://bucket/key` or `file:out/a.csv`. */
  outputs: z.array(z.strictObject({ name: z.string(), records: count, bytes: count })),
  durationMs: z.number().nonnegative(),
  /** 1 for the first attempt; more after a retry or a dead worker. */
  attempt: z.int().min(1),
  /** The worker that ran it: `host:pid`. */
  worker: z.string(),
});

export type JobSummary = z.output<typeof jobSummary>;

/** A running (or failed) job's figures so far: its BullMQ progress. Numbers only. */
export const jobProgress = z.strictObject({ pages: count, records: count });

export type JobProgress = z.output<typeof jobProgress>;
