import { setTimeout as sleep } from 'node:timers/promises';
import { Job, type Queue } from 'bullmq';
import { createEncoder, MEDIA_TYPES } from '../formats/format';
import { formatOf } from '../formats/format-options';
import type { Logger } from '../logger';
import { RunMetrics } from '../pipeline/run-metrics';
import type { ComponentConfig, PipelineDefinition } from '../pipeline/schema';
import { OutputPath, type RunPlaceholders } from '../sinks/output-path';
import { s3SinkConfig } from '../sinks/s3-sink';
import type { Piece } from './assemble-object';
import { FinalJobError } from './job-error';
import { type JobSummary, jobSummary } from './job-summary';
import { attemptJob, type JobAttempt } from './run-job';
import type { PipelineJobData } from './pipeline-job';
import { partKeyTemplate, refuseSplit, splitSinks } from './split-export';
import type { PageSpan, SplitJob } from './split-job-data';
import { planSplit, rangeResume, type SplitPlan } from './split-plan';
import { removeStaleOutputs } from './stale-outputs';

/** How long a failed export waits for its running ranges to see it and stop, before removing the parts anyway. */
const RANGES_STOP_MS = 60_000;
/** How often a range looks whether its export failed elsewhere. */
const PARENT_CHECK_MS = 2000;
/** S3 requests (HEAD, DELETE) of the parts at once. */
const PART_REQUESTS_AT_ONCE = 8;

/** The BullMQ side of a split export's parent: its job (to move it to waiting-children) and a queue to add the ranges to. */
export interface SplitHandle {
  readonly job: Job<unknown, JobSummary>;
  readonly token?: string;
  readonly queue: Queue;
}

type SplitData = PipelineJobData & { readonly split: SplitJob; readonly startedAt: string; readonly runId: string };

/**
 * A split export's parent job, in steps that each record their outcome in the job's data so that a
 * parent run again goes on where it was: plan (the page count and CSV columns, from the first page),
 * add one child job per range, wait for them (BullMQ's waiting-children), then assemble each S3
 * sink's object from the ranges' parts and remove the parts. A range that fails for good fails the
 * export: the ranges still running stop, and every part is removed.
 *
 * Resolves with the summary, or undefined when the parent now waits for its ranges (the caller
 * throws BullMQ's `WaitingChildrenError`).
 */
export function runSplitJob(attempt: JobAttempt & { readonly data: SplitData }, handle: SplitHandle): Promise<JobSummary | undefined> {
  const run: RunPlaceholders = { startedAt: attempt.startedAt, runId: attempt.runId };
  let data = attempt.data;
  const update = async (split: SplitJob) => {
    data = { ...data, split };
    await handle.job.updateData(data);
  };
  return attemptJob(attempt, async (job, { logger, track }) => {
    refuseSplit(job.definition, data.pipeline.text, data.pipeline.file);
    if (!data.split.plan) {
      const plan = await planSplit(job, data.split.pages, { file: data.pipeline.file, logger, budgets: attempt.budgets, signal: attempt.signal });
      const { ranges } = plan;
      logger.log('info', `split export: pages ${ranges[0].from}–${ranges[ranges.length - 1].to} in ${ranges.length} range${ranges.length === 1 ? '' : 's'} of ${data.split.pages} pages`);
      await update({ ...data.split, plan });
    }
    const plan = data.split.plan!;
    const ids = plan.ranges.map((range) => rangeJobId(handle.job.id!, range));
    if (!data.split.childrenAdded) {
      await addRanges(handle, data, plan, ids);
      await update({ ...data.split, childrenAdded: true });
    }
    if (!data.split.assembled) {
      const failing: FailingExport = { job: handle.job, definition: job.definition, plan, ids, run, logger, markFailed: (reason: string) => update({ ...data.split, failed: reason }) };
      // Before waiting: a range may have failed before the parent got here; after: one may have been the last to end.
      await failIfARangeFailed(failing);
      if (await handle.job.moveToWaitingChildren(handle.token ?? '')) return 'waiting';
      await failIfARangeFailed(failing);
    }
    const values = await handle.job.getChildrenValues();
    const results = ids.map((id, index) => {
      const parsed = jobSummary.safeParse(values[`${handle.job.queueQualifiedName}:${id}`]);
      if (!parsed.success) throw new Error(`pages ${plan.ranges[index].from}–${plan.ranges[index].to} (job ${id}) left no result`);
      return parsed.data;
    });
    const metrics = figuresOf(job.definition, results, run);
    if (!data.split.assembled) {
      try {
        checkRejects(job.definition, results);
        await update({ ...data.split, assembled: await assemble(job.definition, plan, results, run, logger, attempt.signal) });
      } catch (error) {
        // No later attempt will assemble them: the parts go. (A shutdown puts the job back: they stay.)
        const last = error instanceof FinalJobError || (!attempt.signal?.aborted && (handle.job.attemptsMade ?? 0) + 1 >= (handle.job.opts.attempts ?? 1));
        if (last) await removeParts(job.definition, plan.ranges, run, logger);
        throw error;
      }
    }
    data.split.assembled!.forEach((bytes, index) => (metrics.sinks[index].bytes = bytes));
    track(metrics, { since: attempt.startedAt.getTime() });
    await removeParts(job.definition, plan.ranges, run, logger);
    return 'done';
  });
}

/** A range's job id: the parent's and the range's pages, so that adding it again adds nothing. */
function rangeJobId(parentId: string, range: PageSpan): string {
  return `${parentId}.pages-${range.from}-${range.to}`;
}

/** One child job per range, with the parent's retries and retention; a failed one moves the parent on at once. */
async function addRanges({ job, queue }: SplitHandle, data: SplitData, plan: SplitPlan, ids: readonly string[]): Promise<void> {
  const { attempts, backoff, removeOnComplete, removeOnFail } = job.opts;
  const children = plan.ranges.map((range, index) => ({
    name: `${job.name} pages ${range.from}-${range.to}`,
    data: {
      format: data.format,
      pipeline: data.pipeline,
      variables: data.variables,
      startedAt: data.startedAt,
      runId: data.runId,
      range: { ...range, part: index + 1, resume: rangeResume(plan, range), ...(plan.columns ? { columns: plan.columns } : {}) },
    } satisfies PipelineJobData,
    opts: { jobId: ids[index], parent: { id: job.id!, queue: job.queueQualifiedName }, continueParentOnFailure: true, attempts, backoff, removeOnComplete, removeOnFail },
  }));
  for (let start = 0; start < children.length; start += 500) await queue.addBulk(children.slice(start, start + 500));
}

/** What `failIfARangeFailed` needs of an export. */
interface FailingExport {
  readonly job: SplitHandle['job'];
  readonly definition: PipelineDefinition;
  readonly plan: SplitPlan;
  /** The ranges' job ids, in page order. */
  readonly ids: readonly string[];
  readonly run: RunPlaceholders;
  readonly logger: Logger;
  /** Records the export's failure where its running ranges look. */
  markFailed(reason: string): Promise<void>;
}

/**
 * When a range failed for good: marks the export failed (running ranges see it and stop), drops the
 * ranges not started, waits for the others to stop, removes every part, and fails for good.
 */
async function failIfARangeFailed({ job, definition, plan, ids, run, logger, markFailed }: FailingExport): Promise<void> {
  const failures = await job.getIgnoredChildrenFailures();
  const failed = ids.findIndex((id) => failures[`${job.queueQualifiedName}:${id}`] !== undefined);
  if (failed < 0) return;
  const range = plan.ranges[failed];
  const reason = `pages ${range.from}–${range.to} (job ${ids[failed]}) failed: ${failures[`${job.queueQualifiedName}:${ids[failed]}`]}`;
  await markFailed(reason);
  await job.removeUnprocessedChildren();
  for (const deadline = Date.now() + RANGES_STOP_MS; ; await sleep(500)) {
    const { unprocessed = 0 } = await job.getDependenciesCount({ unprocessed: true });
    if (unprocessed === 0) break;
    if (Date.now() > deadline) {
      logger.log('warn', `${unprocessed} range${unprocessed === 1 ? '' : 's'} still running after ${RANGES_STOP_MS / 1000}s: a part they write later may be left behind`);
      break;
    }
  }
  await removeParts(definition, plan.ranges, run, logger, { aborting: true });
  throw new FinalJobError(`split export failed: ${reason}; every part removed`);
}

/** `maxRejects` holds for the whole export: the ranges' rejects together. */
function checkRejects(definition: PipelineDefinition, results: readonly JobSummary[]): void {
  if (!definition.rejects || definition.maxRejects === undefined) return;
  const index = definition.sinks.length;
  const rejected = results.reduce((sum, result) => sum + (result.outputs[index]?.records ?? 0), 0);
  if (rejected > definition.maxRejects) throw new FinalJobError(`more than ${definition.maxRejects} records were rejected (maxRejects: ${definition.maxRejects}) over the ranges: ${rejected}`);
}

/**
 * Each sink's object, assembled from its parts in page order; resolves with their sizes. A CSV part
 * starts with the header (its columns are the export's): only the first part with records keeps it,
 * as one run writes it once; an export without records is the first part as it is (the header, or
 * nothing).
 */
async function assemble(definition: PipelineDefinition, plan: SplitPlan, results: readonly JobSummary[], run: RunPlaceholders, logger: Logger, signal?: AbortSignal): Promise<number[]> {
  // A dead earlier attempt may have left the final object's upload open.
  await removeStaleOutputs(definition, run, logger);
  const [{ assembleObject }, { createS3Client }, { HeadObjectCommand }] = await Promise.all([import('./assemble-object'), import('../sinks/s3/s3-client'), import('@aws-sdk/client-s3')]);
  const sizes = await Promise.all(
    splitSinks(definition).map(async ({ config }, index) => {
      const { type: _type, ...options } = s3SinkConfig.parse(config);
      const { format } = formatOf(options.key, options.format);
      const columns = options.columns?.map((column) => (typeof column === 'string' ? column : column.name)) ?? plan.columns;
      const headerBytes = format === 'csv' && columns ? createEncoder('csv', { columns }).end().length : 0;
      const client = createS3Client(options, logger);
      try {
        const keys = plan.ranges.map((_, part) => new OutputPath(partKeyTemplate(options.key, run.runId, part + 1), run).template);
        const partSizes = await inBatches(keys, async (key) => (await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }), { abortSignal: signal })).ContentLength ?? 0);
        const records = results.map((result) => result.outputs[index]?.records ?? 0);
        const keep = Math.max(0, records.findIndex((count) => count > 0));
        const pieces: Piece[] = keys.flatMap((key, part) => (part === keep ? [{ key, start: 0, end: partSizes[part] }] : records[part] > 0 ? [{ key, start: headerBytes, end: partSizes[part] }] : []));
        return await assembleObject(client, { bucket: options.bucket, key: new OutputPath(options.key, run).template, contentType: MEDIA_TYPES[format] }, pieces, signal);
      } finally {
        client.destroy();
      }
    }),
  );
  logger.log('info', `split export: ${plan.ranges.length} part${plan.ranges.length === 1 ? '' : 's'} assembled into ${figuresOf(definition, [], run).sinks.map((sink) => sink.name).join(', ')}`);
  return sizes;
}

/** The export's figures: the ranges' together, and each sink's final object (its size set once assembled). */
function figuresOf(definition: PipelineDefinition, results: readonly JobSummary[], run: RunPlaceholders): RunMetrics {
  const metrics = new RunMetrics();
  const sum = (figure: (result: JobSummary) => number) => results.reduce((total, result) => total + figure(result), 0);
  metrics.pages = sum((result) => result.pages);
  metrics.recordsRead = sum((result) => result.records);
  metrics.duplicates = sum((result) => result.duplicates);
  metrics.retries = sum((result) => result.retries);
  metrics.throttled = sum((result) => result.throttled);
  for (const [index, { config }] of splitSinks(definition).entries()) {
    const { bucket, key } = s3SinkConfig.parse(config);
    metrics.sinks.push({ name: `s3://${bucket}/${new OutputPath(key, run).template}`, records: sum((result) => result.outputs[index]?.records ?? 0), bytes: 0 });
  }
  return metrics;
}

/** Deletes every range's part of every sink (a part not there is fine); `aborting` also aborts the parts' open uploads. */
async function removeParts(definition: PipelineDefinition, ranges: readonly PageSpan[], run: RunPlaceholders, logger: Logger, { aborting = false } = {}): Promise<void> {
  const [{ createS3Client }, { DeleteObjectCommand }, { describeS3Error }] = await Promise.all([import('../sinks/s3/s3-client'), import('@aws-sdk/client-s3'), import('../sinks/s3/describe-s3-error')]);
  if (aborting) {
    // Every part's key matches `{part}` in place of its number: a range that died left its upload open.
    const toParts = ({ config }: { config: ComponentConfig }) => {
      const { key, format } = s3SinkConfig.parse(config);
      return { ...config, key: partKeyTemplate(key, run.runId, '{part}'), format: formatOf(key, format).format };
    };
    await removeStaleOutputs({ ...definition, sinks: splitSinks(definition).map(toParts), rejects: undefined }, run, logger);
  }
  for (const { config } of splitSinks(definition)) {
    const { type: _type, ...options } = s3SinkConfig.parse(config);
    const client = createS3Client(options, logger);
    try {
      await inBatches(ranges, async (_, part) => {
        const key = new OutputPath(partKeyTemplate(options.key, run.runId, part + 1), run).template;
        await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key })).catch((error: unknown) => {
          logger.log('warn', `s3://${options.bucket}/${key}: could not remove this part of the split export (${describeS3Error(error)})`);
        });
      });
    } finally {
      client.destroy();
    }
  }
}

/** `action` on every item, `PART_REQUESTS_AT_ONCE` at a time; the results in order. */
async function inBatches<T, R>(items: readonly T[], action: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  for (let start = 0; start < items.length; start += PART_REQUESTS_AT_ONCE) {
    const batch = items.slice(start, start + PART_REQUESTS_AT_ONCE);
    (await Promise.all(batch.map((item, offset) => action(item, start + offset)))).forEach((result, offset) => (results[start + offset] = result));
  }
  return results;
}

/**
 * For a range: aborted (with a `FinalJobError`) once its export failed elsewhere or is gone, so that
 * it stops instead of writing a part nobody assembles. `check` looks at once.
 */
export function watchParent(job: Job, queue: Queue): { readonly signal: AbortSignal; check(): Promise<void>; stop(): void } {
  const controller = new AbortController();
  const parentId = job.parent?.id;
  const check = async () => {
    if (!parentId || controller.signal.aborted) return;
    const parent = await Job.fromId(queue, parentId);
    const failed = parent ? (parent.data as Partial<PipelineJobData>).split?.failed : 'its parent job is gone';
    if (failed) controller.abort(new FinalJobError(`stopped: the split export failed (${failed})`));
  };
  const timer = setInterval(() => void check().catch(() => {}), PARENT_CHECK_MS);
  timer.unref();
  return { signal: controller.signal, check, stop: () => clearInterval(timer) };
}
