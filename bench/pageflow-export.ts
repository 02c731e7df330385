import { buildPipeline } from '../src/pipeline/build-pipeline';
import { parsePipeline } from '../src/pipeline/load-pipeline';
import { runPipeline } from '../src/pipeline/run-pipeline';
import type { PageflowCase } from './bench-case';
import { createSlowStoreSink } from './slow-store-sink';

/** The export as a user writes it: a pipeline file (JSON is YAML) through the same loader and runner as `pageflow run`. */
function benchPipelineText(bench: PageflowCase): string {
  return JSON.stringify({
    name: 'bench',
    source: {
      type: 'http',
      url: `${bench.url}/v1/customers`,
      params: { per_page: bench.perPage },
      concurrency: bench.concurrency ?? 1,
    },
    transforms: [
      { dedup: bench.hashDedup ? { key: 'id', hash: true } : 'id' },
      { map: { id: 'id', company: 'companyName', city: 'city', email: 'primaryEmail' } },
    ],
    sinks: [{ type: 'file', path: bench.output }],
  });
}

export async function pageflowExport(bench: PageflowCase): Promise<{ records: number; maxRecordsAhead?: number }> {
  const pipeline = buildPipeline(parsePipeline(benchPipelineText(bench), 'bench.yaml', { env: {} }));
  if (!bench.slowSinkMs) {
    const metrics = await runPipeline(pipeline);
    return { records: metrics.sinks[0].records };
  }
  let maxRecordsAhead = 0;
  const slow = createSlowStoreSink({
    delayMs: bench.slowSinkMs,
    onChunk: (recordsWritten) => {
      maxRecordsAhead = Math.max(maxRecordsAhead, pipeline.metrics.recordsRead - recordsWritten);
    },
  });
  const metrics = await runPipeline({ ...pipeline, sinks: [slow] });
  return { records: metrics.sinks[0].records, maxRecordsAhead };
}
