import { buildPipeline } from '../../src/pipeline/build-pipeline';
import { parsePipeline } from '../../src/pipeline/load-pipeline';
import { runPipeline } from '../../src/pipeline/run-pipeline';
import type { Task } from '../harness/bench-case';
import { createSlowStoreSink } from '../slow-store-sink';

export interface SlowStoreArgs {
  /** A pipeline definition; its sinks are replaced by the slow store. */
  readonly pipeline: object;
  readonly delayMs: number;
}

/** The pipeline's records into a store slower than the API: how far the source runs ahead of what the store took. */
export const task: Task<SlowStoreArgs> = async ({ pipeline: definition, delayMs }) => async () => {
  const pipeline = buildPipeline(parsePipeline(JSON.stringify(definition), 'slow-store.yaml', { env: {} }));
  let maxRecordsAhead = 0;
  const slow = createSlowStoreSink({
    delayMs,
    onChunk: (recordsWritten) => {
      maxRecordsAhead = Math.max(maxRecordsAhead, pipeline.metrics.recordsRead - recordsWritten);
    },
  });
  const metrics = await runPipeline({ ...pipeline, sinks: [slow] });
  return { records: metrics.sinks[0].records, figures: { maxRecordsAhead } };
};
