import { buildPipeline } from '../../pipeline/build-pipeline';
import { loadPipeline } from '../../pipeline/load-pipeline';
import { runPipeline } from '../../pipeline/run-pipeline';
import type { Logger } from '../../logger';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { formatSummary } from '../summary';

export interface RunArguments {
  readonly file: string;
  readonly logger: Logger;
}

/** Loads, builds and runs one pipeline file; returns the exit code. SIGINT/SIGTERM roll the outputs back. */
export async function runFile({ file, logger }: RunArguments, io: CliIo): Promise<number> {
  let secrets: string[] = [];
  try {
    const pipeline = buildPipeline(await loadPipeline(file, { env: io.env }), { logger });
    secrets = pipeline.secrets;
    const controller = new AbortController();
    const interrupt = (signal: NodeJS.Signals) => controller.abort(signal);
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
    try {
      await runPipeline({ ...pipeline, signal: controller.signal, logger });
      io.stderr.write(`${formatSummary(pipeline.name, pipeline.metrics, 'done')}\n`);
      return 0;
    } catch (error) {
      io.stderr.write(`${formatSummary(pipeline.name, pipeline.metrics, 'failed')}\n`);
      throw error;
    } finally {
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
    }
  } catch (error) {
    return reportError(error, io, secrets);
  }
}
