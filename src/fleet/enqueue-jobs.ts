import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import type { JobsOptions, Queue } from 'bullmq';
import { ConfigError, type ConfigIssue } from '../errors/config-error';
import type { JobPolicy } from './fleet-defaults';
import { jobRedactor } from './job-redactor';
import type { JobSummary } from './job-summary';
import { defaultJobId, JOB_ID, jobVariables, loadJob, type PipelineJobData } from './pipeline-job';
import { refuseSplit } from './split-export';

export type PipelineQueue = Queue<PipelineJobData, JobSummary>;

/** One job ready to add: its id, its name (the pipeline's, redacted) and its data. */
export interface PreparedJob {
  readonly id: string;
  readonly name: string;
  readonly data: PipelineJobData;
}

export interface EnqueueRequest {
  readonly file: string;
  readonly set: readonly string[];
  /** The variables of each job: one set (`--var`s), or one per line of a vars file (`origin` names the line). */
  readonly jobs: readonly { readonly variables: Readonly<Record<string, string>>; readonly origin?: string }[];
  readonly jobId?: string;
  /** Split each job into range jobs of this many pages (see `splitProblems` for what can be split). */
  readonly splitPages?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Checks every job as a worker will load it (the file, its `--set`s, its variables) before any is
 * added: the first problem is thrown as a `ConfigError` naming the vars-file line, so an invalid
 * batch enqueues nothing.
 */
export async function prepareJobs(request: EnqueueRequest): Promise<PreparedJob[]> {
  const { file, set, jobs, env } = request;
  if (request.jobId !== undefined && !JOB_ID.test(request.jobId)) {
    throw new ConfigError('--job-id', [{ path: '', message: 'expected letters, digits, ".", "_" or "-" (not only digits, at most 128)' }]);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  const pipeline = { file, dir: resolve(dirname(file)), text, set: [...set] };
  return jobs.map(({ variables, origin }) => {
    const data: PipelineJobData = { format: 1, pipeline, variables: jobVariables(text, set, variables, env), ...(request.splitPages ? { split: { pages: request.splitPages } } : {}) };
    let name: string;
    try {
      const job = loadJob(data);
      if (request.splitPages) refuseSplit(job.definition, text, file);
      name = jobRedactor(job.secrets)(job.definition.name);
    } catch (error) {
      if (error instanceof ConfigError && origin) throw new ConfigError(`${error.file} (variables of ${origin})`, error.issues);
      throw error;
    }
    // `--job-id` names a single job; for the lines of a vars file it is a prefix.
    const id = request.jobId !== undefined && jobs.length === 1 && !origin ? request.jobId : defaultJobId(data, request.jobId ?? basename(file, extname(file)));
    return { id, name, data };
  });
}

/** What `enqueueJobs` did: ids added, and ids that were there already (with their state). */
export interface EnqueueResult {
  readonly added: string[];
  readonly existing: { readonly id: string; readonly state: string }[];
}

/**
 * Adds the jobs whose id the queue does not hold yet, in any state: a job id is run once while
 * Redis keeps the job (see `keepCompleted`/`keepFailed`), however often it is enqueued.
 */
export async function enqueueJobs(queue: PipelineQueue, jobs: readonly PreparedJob[], policy: JobPolicy): Promise<EnqueueResult> {
  const unique = [...new Map(jobs.map((job) => [job.id, job])).values()];
  const states = await Promise.all(unique.map((job) => queue.getJobState(job.id)));
  const fresh = unique.filter((_, index) => states[index] === 'unknown');
  const existing = unique.flatMap((job, index) => (states[index] === 'unknown' ? [] : [{ id: job.id, state: states[index] }]));
  const options: JobsOptions = {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { count: policy.keepCompleted, age: Math.ceil(policy.keepAgeMs / 1000) },
    removeOnFail: { count: policy.keepFailed, age: Math.ceil(policy.keepAgeMs / 1000) },
  };
  for (let start = 0; start < fresh.length; start += 500) {
    await queue.addBulk(fresh.slice(start, start + 500).map((job) => ({ name: job.name, data: job.data, opts: { ...options, jobId: job.id } })));
  }
  return { added: fresh.map((job) => job.id), existing };
}

/** A `--vars-file`: one JSON object of variables per line (blank lines skipped). */
export async function readVarsFile(path: string): Promise<{ variables: Record<string, string>; origin: string }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ path: '', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  const issues: ConfigIssue[] = [];
  const jobs = text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    const problem = (message: string) => issues.push({ path: '', message, line: index + 1 });
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problem('expected a JSON object of variables, e.g. {"TENANT":"acme","MKP_TOKEN":"…"}');
      return [];
    }
    const variables = toVariables(parsed, problem);
    return variables ? [{ variables, origin: `${path}:${index + 1}` }] : [];
  });
  if (issues.length > 0) throw new ConfigError(path, issues);
  if (jobs.length === 0) throw new ConfigError(path, [{ path: '', message: 'no jobs: expected one JSON object of variables per line' }]);
  return jobs;
}

/** `--var NAME=value`s. */
export function parseVars(texts: readonly string[]): Record<string, string> {
  const issues: ConfigIssue[] = [];
  const entries = texts.flatMap((text) => {
    const equals = text.indexOf('=');
    const name = equals < 0 ? text : text.slice(0, equals);
    // The value may be a token: never in a message.
    if (equals < 0 || !VARIABLE_NAME.test(name)) {
      issues.push({ path: name, message: 'expected NAME=value, NAME made of letters, digits and _' });
      return [];
    }
    return [[name, text.slice(equals + 1)] as const];
  });
  if (issues.length > 0) throw new ConfigError('--var', issues);
  return Object.fromEntries(entries);
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function toVariables(value: unknown, problem: (message: string) => void): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return void problem('expected a JSON object of variables');
  const variables: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (!VARIABLE_NAME.test(name)) return void problem(`variable name ${JSON.stringify(name)}: expected letters, digits and _`);
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return void problem(`${name}: expected a string, number or boolean`);
    variables[name] = String(item);
  }
  return variables;
}
