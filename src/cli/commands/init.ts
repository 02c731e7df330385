import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { PageflowError } from '../../errors/pageflow-error';
import { isCredentialName, Redactor } from '../../errors/redact';
import { UsageError } from '../../errors/usage-error';
import { readPipeline } from '../../pipeline/load-pipeline';
import { httpSourceConfig } from '../../sources/http/http-source';
import { detectPagination } from '../init/detect-pagination';
import { detectRateLimit } from '../init/detect-rate-limit';
import { detectRecords, recordFields } from '../init/detect-records';
import { pageFetcher } from '../init/probe-pages';
import { type InitAuth, renderPipeline } from '../init/write-pipeline';
import type { CliIo } from '../io';
import { openHttpProbe } from '../probe/http-probe';
import { reportError } from '../report-error';

export const INIT_AUTH_TYPES = ['bearer', 'basic', 'api-key'] as const;

export interface InitArguments {
  readonly url: string;
  readonly auth?: (typeof INIT_AUTH_TYPES)[number];
  /** The variable holding the token (bearer), the password (basic) or the key (api-key). */
  readonly tokenEnv?: string;
  /** basic: the variable holding the user name. */
  readonly userEnv?: string;
  /** api-key: the header or query parameter. @default X-Api-Key */
  readonly keyName?: string;
  readonly keyIn?: 'header' | 'query';
  /** The pipeline file to write. @default pipelines/<last path segment>.yaml */
  readonly output?: string;
  /** Replace an existing file. */
  readonly force?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Candidates that did not fit, named in the message when none did: the first few say enough.
const MAX_REJECTED_SHOWN = 4;

/** The auth the file will name, checked: each variable a valid name. */
function initAuth(args: InitArguments): InitAuth | undefined {
  if (args.auth === undefined) {
    if (args.tokenEnv || args.userEnv) throw new UsageError('--token-env and --user-env need --auth (bearer, basic or api-key)');
    return undefined;
  }
  const variable = (name: string | undefined, option: string) => {
    if (!name) throw new UsageError(`--auth ${args.auth} needs ${option} VAR: the environment variable that holds the secret (never the secret itself)`);
    if (!ENV_NAME.test(name)) throw new UsageError(`${option} expects the name of an environment variable (e.g. MKP_TOKEN), got "${name.slice(0, 3)}…"`);
    return name;
  };
  if (args.auth === 'bearer') return { type: 'bearer', tokenEnv: variable(args.tokenEnv, '--token-env') };
  if (args.auth === 'basic') return { type: 'basic', userEnv: variable(args.userEnv, '--user-env'), passwordEnv: variable(args.tokenEnv, '--token-env') };
  return { type: 'api-key', name: args.keyName ?? 'X-Api-Key', in: args.keyIn ?? 'header', valueEnv: variable(args.tokenEnv, '--token-env') };
}

/** The auth config of the probe requests, its secrets read from the environment. */
function probeAuth(auth: InitAuth | undefined, env: CliIo['env']) {
  const value = (name: string) => {
    const found = env[name];
    if (!found) throw new UsageError(`${name} is not set: set it (or use --env-file) so that init can request the first pages; the file will say \${${name}}`);
    return found;
  };
  if (auth === undefined) return undefined;
  if (auth.type === 'bearer') return { type: auth.type, token: value(auth.tokenEnv) };
  if (auth.type === 'basic') return { type: auth.type, username: value(auth.userEnv), password: value(auth.passwordEnv) };
  return { type: auth.type, name: auth.name, in: auth.in, value: value(auth.valueEnv) };
}

/** The URL as the file will hold it: no credential may be written in it. */
function checkedUrl(text: string): URL {
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) throw new UsageError(`expected an http:// or https:// URL, got "${text.slice(0, 60)}"`);
  const url = new URL(text);
  if (url.username || url.password) throw new UsageError('the URL holds a user name or password: use --auth basic --user-env VAR --token-env VAR instead, so the file holds no secret');
  const secret = [...url.searchParams.keys()].find(isCredentialName);
  if (secret) throw new UsageError(`the URL holds a credential (?${secret}=…): use --auth api-key --key-in query --key-name ${secret} --token-env VAR instead, so the file holds no secret`);
  return url;
}

/** `customers` from `https://api.example.nl/v1/customers`. */
function resourceName(url: URL): string {
  const segment = url.pathname.split('/').filter(Boolean).pop() ?? url.hostname;
  return segment.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'records';
}

/**
 * Writes a pipeline for an API from its first pages: requests page 1 (and page 2, to confirm what it
 * found), detects the records, the pagination and its page size, the fields and a rate limit, writes a
 * commented pipeline file that the real schema accepts, and prints what it found and how sure it is.
 * Secrets are read from the environment for the requests only: the file names the variables.
 * Exit 0; 1 when the API cannot be read or its pagination not told; 2 for a bad command line.
 */
export async function initPipeline(args: InitArguments, io: CliIo): Promise<number> {
  const redactor = new Redactor();
  try {
    const url = checkedUrl(args.url);
    const auth = initAuth(args);
    const name = resourceName(url);
    const file = args.output ?? `pipelines/${name}.yaml`;
    if (existsSync(file) && !args.force) throw new UsageError(`${file} exists: name another file with -o, or replace it with --force`);
    const settings = httpSourceConfig.parse({ type: 'http', url: url.toString(), auth: probeAuth(auth, io.env) });
    const probe = openHttpProbe(settings, { logger: io.logger, redactor });
    try {
      const fetch = pageFetcher(probe);
      const first = await fetch(settings.url);
      const records = detectRecords(first.body);
      if (!records) throw new PageflowError(`${redactor.redact(settings.url)}: the first page holds no list of records (objects)${describeBody(first.body)}`, { code: 'PF_INIT_UNDETECTED' });
      const { detected: pagination, rejected } = await detectPagination(first, records.path, fetch);
      if (!pagination) {
        const tried = rejected.length > 0 ? `; tried: ${rejected.slice(0, MAX_REJECTED_SHOWN).join('; ')}${rejected.length > MAX_REJECTED_SHOWN ? ` (and ${rejected.length - MAX_REJECTED_SHOWN} more)` : ''}` : '';
        throw new PageflowError(
          `${redactor.redact(settings.url)}: could not tell how the pages follow each other${describeBody(first.body)}${tried}; write pagination: by hand (see the README, Pagination)`,
          { code: 'PF_INIT_UNDETECTED' },
        );
      }
      const fields = recordFields([...records.records, ...(pagination.secondRecords as Record<string, unknown>[])]);
      if (fields.length === 0) throw new PageflowError(`${redactor.redact(settings.url)}: the records have no fields to make columns of`, { code: 'PF_INIT_UNDETECTED' });
      const rateLimit = detectRateLimit(first.headers);
      const schema = resolve('pipeline.schema.json');
      const text = renderPipeline({
        name: `${name}-to-csv`,
        url: url.toString(),
        auth,
        records,
        pagination,
        rateLimit,
        fields,
        output: `out/${name}.csv`,
        schemaPath: existsSync(schema) ? relative(dirname(resolve(file)), schema) : undefined,
      });
      // The real loader, as `run` will read the file: a file init writes must be valid as written.
      readPipeline(text, file, { env: io.env, unset: 'stand-in' });
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text, { flag: args.force ? 'w' : 'wx' });
      io.stdout.write(
        [
          `records:    "${records.path}" — ${records.records.length} on page 1, ${fields.length} fields: ${fields.join(', ')} (${records.sureness}: ${records.why})`,
          `pagination: ${pagination.shape}${describeParams(pagination.params)} (${pagination.sureness}: ${pagination.why})`,
          ...(rateLimit ? [`rate limit:  ${rateLimit.requests} requests per ${rateLimit.per} (${rateLimit.why})`] : []),
          `wrote ${file}; next: pageflow check ${file}, then pageflow run ${file}`,
          '',
        ].join('\n'),
      );
      return 0;
    } finally {
      probe.close();
    }
  } catch (error) {
    return reportError(error, io, redactor);
  }
}

const describeParams = (params: Readonly<Record<string, unknown>>) => {
  const entries = Object.entries(params);
  return entries.length === 0 ? '' : `, page size ${entries.map(([key, value]) => `${key}=${String(value)}`).join('&')}`;
};

/** `; its keys: data, links, meta` for a message about a body. */
function describeBody(body: unknown): string {
  if (Array.isArray(body)) return `; the body is a list of ${body.length} ${body.length > 0 ? typeof body[0] : 'item'}s`;
  return typeof body === 'object' && body !== null ? `; its keys: ${Object.keys(body).slice(0, 12).join(', ')}` : `; the body is ${typeof body}`;
}
