import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseOverrides } from '../cli/set-overrides';
import type { Logger } from '../logger';
import { type BuiltPipeline, buildPipeline } from '../pipeline/build-pipeline';
import { PLACEHOLDER } from '../pipeline/interpolate-env';
import { parsePipeline } from '../pipeline/load-pipeline';
import type { PipelineDefinition } from '../pipeline/schema';
import { rangeJob, splitJob } from './split-job-data';

/**
 * What a job holds in Redis: one pipeline run. The file's text and `--set`s as given (so that a
 * problem found by a worker points at the file's own lines) and the variables its `${VAR}`s take.
 * The variables are usually secrets: Redis must be private (see the README).
 */
export const pipelineJobData = z.strictObject({
  format: z.literal(1),
  pipeline: z.strictObject({
    /** The file as named at enqueue time: names it in messages. */
    file: z.string(),
    /** Its folder, absolute: where relative paths in it resolve on every worker. */
    dir: z.string(),
    text: z.string(),
    set: z.array(z.string()),
  }),
  variables: z.record(z.string(), z.string()),
  /**
   * When the run first started, fixed by the first worker to take the job: every later attempt
   * fills `{date}` and `{timestamp}` from it, so it writes (and cleans up) the same outputs.
   */
  startedAt: z.iso.datetime().optional(),
  /** The run's `{runId}`, fixed with `startedAt` for the same reason. */
  runId: z.string().optional(),
  /** A split export's parent job (`enqueue --split-pages`): it plans the ranges, then assembles their parts. */
  split: splitJob.optional(),
  /** One page range of a split export: a child job of the parent that planned it. */
  range: rangeJob.optional(),
});

export type PipelineJobData = z.output<typeof pipelineJobData>;

/** A job's pipeline, loaded and built as `pageflow run` loads and builds a file. */
export interface LoadedJob {
  readonly definition: PipelineDefinition;
  readonly pipeline: BuiltPipeline;
  /** The values never to print: the pipeline's own secrets and every variable. */
  readonly secrets: readonly string[];
}

/**
 * Loads a job's pipeline from its data with its variables only (a worker's own environment fills no
 * `${VAR}`): the same check at enqueue time and on the worker. Throws `ConfigError`.
 */
export function loadJob(data: PipelineJobData, options: { logger?: Logger; startedAt?: Date; runId?: string } = {}): LoadedJob {
  const { file, dir, text, set } = data.pipeline;
  const definition = parsePipeline(text, file, { env: data.variables, overrides: parseOverrides(set) });
  const pipeline = buildPipeline(definition, { logger: options.logger, startedAt: options.startedAt, runId: options.runId, pipelineDir: dir });
  // A variable is a secret where the file puts it in a field not marked as not secret (auth, headers, params).
  return { definition, pipeline, secrets: pipeline.secrets };
}

/**
 * The variables of one job: those given (`--var`, a line of `--vars-file`), then those the file or
 * a `--set` names that the enqueuing environment sets, as `pageflow run` would read them.
 */
export function jobVariables(
  text: string,
  set: readonly string[],
  given: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [, name] of [text, ...set].flatMap((source) => [...source.matchAll(PLACEHOLDER)])) {
    const value = env[name];
    if (value) variables[name] = value;
  }
  return { ...variables, ...given };
}

/** BullMQ job ids: not a bare number, no `:`. */
export const JOB_ID = /^(?!\d+$)[A-Za-z0-9._-]{1,128}$/;

/**
 * A job's id when `--job-id` names none: `prefix` (the file's name, or `--job-id` with a vars file)
 * and a hash of what the job runs (file text, `--set`s, variables, `--split-pages`), so enqueuing the same run twice
 * adds it once. One-way: the variables (secrets) cannot be read back from it.
 */
export function defaultJobId(data: PipelineJobData, prefix: string): string {
  const variables = Object.entries(data.variables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // A split run is another job than the same run in one piece; ids of jobs that are not split stay as they were.
  const what = [data.pipeline.text, data.pipeline.set, variables, ...(data.split ? [data.split.pages] : [])];
  const hash = createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
  return `${prefix.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100)}-${hash}`;
}
