import { join } from 'node:path';
import { startSampleApi } from '../../demo/sample-api';
import type { CliIo } from '../io';
import { type RunArguments, runFile } from './run';

/** The pipeline the demo runs, shipped with the package. */
export const DEMO_PIPELINE = join(__dirname, '..', '..', '..', 'pipelines', 'demo.yaml');

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
