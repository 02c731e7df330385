import { loadPipeline } from '../../pipeline/load-pipeline';
import type { CliIo } from '../io';
import { reportError } from '../report-error';

/** Checks pipeline files without running anything; exit 0 when all are valid, 2 otherwise. */
export async function validateFiles(files: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  for (const file of files) {
    try {
      const definition = await loadPipeline(file, { env: io.env });
      io.logger.log('info', `${file}: valid (${definition.name})`);
    } catch (error) {
      exitCode = Math.max(exitCode, reportError(error, io));
    }
  }
  return exitCode;
}
