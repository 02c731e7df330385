import { formatConfigIssues } from '../../errors/config-error';
import { readConfigFile, readPipelineFile } from '../../pipeline/load-pipeline';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { loadPipelineTest } from '../pipeline-test/test-file';
import { PIPELINE_TEST_FILE } from './list';

/**
 * Checks pipeline files (and pipeline tests, `*.test.yaml`) without running anything; exit 0 when
 * all are valid, 2 otherwise. A variable the environment does not set is a warning, not a
 * problem: files can be checked where their secrets are not at hand (CI, an editor).
 */
export async function validateFiles(files: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  for (const file of files) {
    try {
      if (PIPELINE_TEST_FILE.test(file)) {
        const test = await loadPipelineTest(file);
        io.logger.log('info', `${file}: valid (${test.cases.length} test${test.cases.length === 1 ? '' : 's'} of ${test.pipelineFile})`);
        continue;
      }
      const { file: pipeline, warnings } = readPipelineFile(await readConfigFile(file), file, { env: io.env, unset: 'stand-in' });
      if (warnings.length > 0) io.logger.log('warn', formatConfigIssues(file, warnings, 'warning'));
      const streams = pipeline.multiStream ? `, streams: ${pipeline.streams.map((stream) => stream.name).join(', ')}` : '';
      io.logger.log('info', `${file}: valid (${pipeline.name}${streams})`);
    } catch (error) {
      exitCode = Math.max(exitCode, reportError(error, io));
    }
  }
  return exitCode;
}
