import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startSampleApi } from '../../demo/sample-api';
import type { CliIo } from '../io';
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
