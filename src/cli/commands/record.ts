import { dirname } from 'node:path';
import { Redactor, redactingLogger } from '../../errors/redact';
import { UsageError } from '../../errors/usage-error';
import { readConfigFile, readPipeline } from '../../pipeline/load-pipeline';
import { resolveTls } from '../../sources/http/http-clients';
import { httpSourceConfig } from '../../sources/http/http-source';
import type { CliIo } from '../io';
import { recordPages } from '../pipeline-test/page-recorder';
import { openHttpProbe } from '../probe/http-probe';
import { reportError } from '../report-error';

export interface RecordArguments {
  readonly file: string;
  readonly pages: number;
  /** The fixture directory to write. */
  readonly output: string;
}

/**
 * Saves the first pages of a pipeline's API, secrets scrubbed, as a recorded fixture for `pageflow
 * test`. Exit 0; 1 when a page cannot be fetched or read; 2 for an invalid file or command line.
 */
export async function recordFixture(args: RecordArguments, io: CliIo): Promise<number> {
  const redactor = new Redactor();
  try {
    const { definition } = readPipeline(await readConfigFile(args.file), args.file, { env: io.env });
    for (const secret of definition.secrets ?? []) redactor.add(secret);
    if (definition.source.type !== 'http') throw new UsageError(`${args.file}: a ${definition.source.type} source has no pages to record: pageflow record records http sources`);
    const settings = httpSourceConfig.parse(definition.source);
    const probe = openHttpProbe({ ...settings, tls: resolveTls(settings.tls, dirname(args.file)) }, { logger: redactingLogger(io.logger, redactor), redactor });
    try {
      const recording = await recordPages(settings, probe, { count: args.pages, dir: args.output, redactor });
      io.stdout.write(`recorded ${recording.pages} page${recording.pages === 1 ? '' : 's'} into ${args.output} (secrets scrubbed)\n`);
      if (recording.open) {
        io.logger.log(
          'warn',
          `page ${recording.pages} links on to more pages: a test replaying these stops at the next request ("no page for …") — record them all with a larger --pages, or make the test expect that error`,
        );
      }
      return 0;
    } finally {
      probe.close();
    }
  } catch (error) {
    return reportError(error, io, redactor);
  }
}
