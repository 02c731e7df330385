import { dirname } from 'node:path';
import type { Task } from '../harness/bench-case';

export interface RunPipelineFileArgs {
  /** `dist/index.js` of the checkout to run. */
  readonly index: string;
  readonly file: string;
}

/** In-process pageflow: the checkout's built library loaded first, then the pipeline file loaded, built and run (timed). */
export const task: Task<RunPipelineFileArgs> = async ({ index, file }) => {
  const pageflow = require(index) as typeof import('../../src/index');
  return async () => {
    const pipeline = pageflow.buildPipeline(await pageflow.loadPipeline(file), { pipelineDir: dirname(file) });
    const metrics = await pageflow.runPipeline(pipeline);
    return { records: metrics.sinks[0]?.records };
  };
};
