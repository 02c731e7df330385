import { stringify } from 'yaml';
import type { QueryParams } from '../../sources/http/page-url';
import type { DetectedPagination } from './detect-pagination';
import type { DetectedRateLimit } from './detect-rate-limit';
import type { DetectedRecords } from './detect-records';

/** How the pipeline authenticates: the names of the environment variables that hold the secrets, never their values. */
export type InitAuth =
  | { readonly type: 'bearer'; readonly tokenEnv: string }
  | { readonly type: 'basic'; readonly userEnv: string; readonly passwordEnv: string }
  | { readonly type: 'api-key'; readonly name: string; readonly in: 'header' | 'query'; readonly valueEnv: string };

export interface PipelinePlan {
  readonly name: string;
  readonly url: string;
  readonly auth?: InitAuth;
  readonly records: DetectedRecords;
  readonly pagination: DetectedPagination;
  readonly rateLimit?: DetectedRateLimit;
  readonly fields: readonly string[];
  /** Where the CSV goes, relative to the working directory of the run. */
  readonly output: string;
  /** The `$schema` the editor comment points at, relative to the written file; none outside a project. */
  readonly schemaPath?: string;
}

/** A YAML scalar: plain where YAML allows it, quoted otherwise. */
const scalar = (value: string | number | boolean) => stringify(value).trimEnd();
const env = (name: string) => `\${${name}}`;

function authLines(auth: InitAuth): string[] {
  const head = ['  # Secrets come from the environment (or --env-file); the file holds only their names.', '  auth:', `    type: ${auth.type}`];
  if (auth.type === 'bearer') return [...head, `    token: ${env(auth.tokenEnv)}`];
  if (auth.type === 'basic') return [...head, `    username: ${env(auth.userEnv)}`, `    password: ${env(auth.passwordEnv)}`];
  return [...head, `    name: ${scalar(auth.name)}`, `    value: ${env(auth.valueEnv)}`, `    in: ${auth.in}`];
}

function paramLines(params: QueryParams): string[] {
  const entries = Object.entries(params);
  if (entries.length === 0) return [];
  return [
    '  # The page size page 1 had; a larger one means fewer requests, up to what the API allows.',
    '  params:',
    ...entries.map(([name, value]) => `    ${scalar(name)}: ${scalar(value)}`),
  ];
}

function paginationLines(pagination: DetectedPagination): string[] {
  const { lastPage, total } = pagination.pagination;
  return [
    `  # Detected: ${pagination.shape} (${pagination.sureness}: ${pagination.why}).`,
    '  pagination:',
    ...Object.entries(pagination.pagination).map(([key, value]) => `    ${key}: ${scalar(value as string | number)}`),
    // With a page count the crawler requests exactly the pages that exist, several at a time.
    ...(lastPage !== undefined || total !== undefined ? ['  # The page count is known from page 1: `concurrency: 4` would request 4 pages at a time.'] : []),
  ];
}

/** The pipeline file `init` writes: every choice commented with what it was detected from. */
export function renderPipeline(plan: PipelinePlan): string {
  const { records, rateLimit } = plan;
  const lines = [
    ...(plan.schemaPath ? [`# yaml-language-server: $schema=${plan.schemaPath}`] : []),
    `# Written by pageflow init from ${plan.url}. Next: pageflow check <this file>, then pageflow run <this file>.`,
    `name: ${scalar(plan.name)}`,
    `description: ${scalar(`Every record of ${new URL(plan.url).pathname} into ${plan.output}.`)}`,
    'source:',
    '  type: http',
    `  url: ${scalar(plan.url)}`,
    ...paramLines(plan.pagination.params),
    ...(plan.auth ? authLines(plan.auth) : []),
    `  # Detected: ${records.path === '' ? 'the body is the list of records' : `the records are at "${records.path}"`} (${records.sureness}: ${records.why}).`,
    `  records: ${scalar(records.path)}`,
    ...paginationLines(plan.pagination),
    ...(rateLimit ? [`  # ${rateLimit.why}.`, '  rateLimit:', `    requests: ${rateLimit.requests}`, `    per: ${rateLimit.per}`] : []),
    'sinks:',
    '  - type: file',
    `    path: ${scalar(plan.output)}`,
    '    # The fields of the first pages, in order (nested values are written as JSON). A field not listed is left out;',
    "    # without `columns`, one the first page did not have fails the run instead.",
    '    columns:',
    ...plan.fields.map((field) => `      - ${scalar(field)}`),
  ];
  return `${lines.join('\n')}\n`;
}
