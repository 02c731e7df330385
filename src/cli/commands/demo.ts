import { join } from 'node:path';
import { startSampleApi } from '../../demo/sample-api';
import type { CliIo } from '../io';
import { type RunArguments, runFile } from './run';

/** The pipeline the demo runs, shipped with the package. */
export const DEMO_PIPELINE = join(__dirname, '..', '..', '..', 'pipelines', 'demo.yaml');

/** Starts the built-in sample API on loopback and runs the demo pipeline against it: the real code path, no token needed. */
export async function runDemo(args: Omit<RunArguments, 'file'>, io: CliIo): Promise<number> {
  const api = await startSampleApi();
  io.logger.log('info', `sample API listening on ${api.url}; running ${DEMO_PIPELINE}`);
  try {
    return await runFile({ ...args, file: DEMO_PIPELINE }, { ...io, env: { ...io.env, MKP_BASE_URL: api.url } });
  } finally {
    await api.close();
  }
}
