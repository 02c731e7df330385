import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type SampleApiOptions, startSampleApi } from '../../demo/sample-api';
import { describeSystemError } from '../../errors/describe-system-error';
import { UsageError } from '../../errors/usage-error';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { type RunArguments, runFile } from './run';

/**
 * The pipeline the demo runs, shipped with the package: found from this file upwards, as it sits in
 * src/cli/commands, dist/cli/commands or (bundled into the CLI) dist/cli.
 */
export const DEMO_PIPELINE = shippedFile(join('pipelines', 'demo.yaml'));

function shippedFile(path: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, path))) return join(dir, path);
    if (dirname(dir) === dir) return join(__dirname, '..', '..', '..', path);
  }
}

/**
 * Starts the built-in sample API on loopback and runs the demo pipeline (or `file`) against it: the
 * real code path. No token needed: the API takes any, and `MKP_TOKEN` stands in when unset.
 */
export async function runDemo(args: Omit<RunArguments, 'file'> & { readonly file?: string }, io: CliIo): Promise<number> {
  const api = await startSampleApi();
  const file = args.file ?? DEMO_PIPELINE;
  io.logger.log('info', `sample API listening on ${api.url}; running ${file}`);
  try {
    return await runFile({ ...args, file }, { ...io, env: { MKP_TOKEN: 'demo', ...io.env, MKP_BASE_URL: api.url } });
  } finally {
    await api.close();
  }
}

/**
 * Serves the sample API on loopback until Ctrl-C (or SIGTERM), for trying commands against it:
 * `pageflow init http://127.0.0.1:8080/v1/customers`. With `token`, requests need it as a bearer token.
 */
export async function serveDemo({ tokenEnv, ...options }: Pick<SampleApiOptions, 'port' | 'customers'> & { readonly tokenEnv?: string }, io: CliIo): Promise<number> {
  const token = tokenEnv === undefined ? undefined : io.env[tokenEnv];
  if (tokenEnv !== undefined && !token) return reportError(new UsageError(`${tokenEnv} is not set: set it to the token the sample API should require`), io);
  let api: Awaited<ReturnType<typeof startSampleApi>>;
  try {
    api = await startSampleApi({ ...options, token });
  } catch (error) {
    return reportError(new UsageError(`cannot serve on 127.0.0.1:${options.port ?? 0}: ${describeSystemError(error)} (choose another with --port)`), io);
  }
  io.logger.log('info', `sample API: ${api.url}/v1/customers (${options.customers ?? 250} customers${token ? ', bearer token required' : ''}); Ctrl-C stops it`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
  io.logger.log('info', `sample API stopped after ${api.requests()} page requests`);
  return 0;
}
