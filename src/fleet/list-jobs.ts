import type { Job } from 'bullmq';
import { formatBytes, formatElapsed } from '../cli/progress';
import type { PipelineQueue } from './enqueue-jobs';
import { type JobProgress, jobProgress, type JobSummary, jobSummary } from './job-summary';

/**
 * The states `pageflow jobs` shows, in order; `waiting` includes jobs waiting for a retry (BullMQ's
 * `delayed`) and split exports waiting for their ranges (`waiting-children`).
 */
const STATES = [
  { state: 'active', types: ['active'] },
  { state: 'waiting', types: ['wait', 'prioritized', 'delayed', 'waiting-children'] },
  { state: 'completed', types: ['completed'] },
  { state: 'failed', types: ['failed'] },
] as const;

type ListedState = (typeof STATES)[number]['state'];

/** One job as listed: never its data (which holds the variables), only what the worker reported. */
export interface JobRow {
  readonly state: ListedState;
  readonly id: string;
  readonly pipeline: string;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly startedAt?: number;
  readonly worker?: string;
  readonly summary?: JobSummary;
  readonly progress?: JobProgress;
  /** The failed reason, one line, redacted by the worker; for a waiting job, why its last attempt failed. */
  readonly error?: string;
}

export interface JobListing {
  readonly counts: Readonly<Record<ListedState, number>>;
  /** The newest jobs of each state, at most `limit` each. */
  readonly jobs: readonly JobRow[];
}

export async function listJobs(queue: PipelineQueue, { failedOnly = false, limit = 20 }: { failedOnly?: boolean; limit?: number } = {}): Promise<JobListing> {
  const states = failedOnly ? STATES.filter(({ state }) => state === 'failed') : STATES;
  const counts = await queue.getJobCounts(...STATES.flatMap(({ types }) => types));
  const listed = await Promise.all(
    states.map(async ({ state, types }) => (await queue.getJobs([...types], 0, limit - 1)).filter((job): job is Job => job !== undefined).map((job) => toRow(state, job))),
  );
  return {
    counts: Object.fromEntries(STATES.map(({ state, types }) => [state, types.reduce((sum, type) => sum + (counts[type] ?? 0), 0)])) as Record<ListedState, number>,
    jobs: listed.flat(),
  };
}

function toRow(state: ListedState, job: Job): JobRow {
  // What Redis holds was written by some worker: read it through the schema, never trust it.
  const summary = jobSummary.safeParse(job.returnvalue);
  const progress = jobProgress.safeParse(job.progress);
  return {
    state,
    id: job.id ?? '',
    pipeline: job.name,
    attempts: job.attemptsStarted,
    enqueuedAt: job.timestamp,
    startedAt: job.processedOn,
    worker: job.processedBy,
    summary: summary.success ? summary.data : undefined,
    progress: progress.success ? progress.data : undefined,
    error: job.failedReason || undefined,
  };
}

/**
 * The listing for people: a counts line, then one row per job, newest first within each state:
 * `STATE ID PIPELINE ATTEMPT PAGES RECORDS TIME WORKER RESULT` (outputs, or the error).
 */
export function formatJobs({ counts, jobs }: JobListing, now = Date.now()): string {
  const heading = STATES.map(({ state }) => `${state} ${counts[state]}`).join(' · ');
  const rows = jobs.map((job) => {
    const figures = job.summary ?? job.progress;
    const time = job.summary ? formatElapsed(job.summary.durationMs) : job.state === 'active' && job.startedAt ? formatElapsed(now - job.startedAt) : '';
    const result = job.summary
      ? job.summary.outputs.map((output) => `${output.name} (${output.records} records, ${formatBytes(output.bytes)})`).join(', ')
      : job.state === 'waiting'
        ? [`enqueued ${formatElapsed(now - job.enqueuedAt)} ago`, job.error && `last attempt: ${job.error}`].filter(Boolean).join('; ')
        : (job.error ?? '');
    return [job.state, job.id, job.pipeline, String(job.attempts), figures ? String(figures.pages) : '', figures ? String(figures.records) : '', time, job.summary?.worker ?? job.worker ?? '', result];
  });
  if (rows.length === 0) return `${heading}\n`;
  const table = [['STATE', 'ID', 'PIPELINE', 'ATTEMPT', 'PAGES', 'RECORDS', 'TIME', 'WORKER', 'RESULT'], ...rows];
  const widths = table[0].map((_, column) => Math.max(...table.map((cells) => cells[column].length)));
  const lines = table.map((cells) => cells.map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]) : cell)).join('  ').trimEnd());
  return `${heading}\n${lines.join('\n')}\n`;
}
