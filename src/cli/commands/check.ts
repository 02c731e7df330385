import { dirname } from 'node:path';
import { Redactor, redactingLogger } from '../../errors/redact';
import { readConfigFile, readPipeline } from '../../pipeline/load-pipeline';
import { resolveTls } from '../../sources/http/http-clients';
import { httpSourceConfig } from '../../sources/http/http-source';
import { type CheckResult, failed, passed } from '../check/check-result';
import { checkSink } from '../check/sink-checks';
import { checkHttpSource } from '../check/source-checks';
import type { CliIo } from '../io';
import { reportError } from '../report-error';

/**
 * Checks a pipeline without exporting: the file is valid with the environment's secrets, the API
 * answers with them, the first page has the records and the pagination paths the file names, and
 * every sink can write (a probe file or object, removed at once). Prints a ✓/✗ line per check, secrets
 * redacted. Exit 0 when every check passes, 1 when one fails, 2 for an invalid file.
 */
export async function checkPipeline(file: string, io: CliIo): Promise<number> {
  const redactor = new Redactor();
  try {
    const { definition } = readPipeline(await readConfigFile(file), file, { env: io.env });
    for (const secret of definition.secrets ?? []) redactor.add(secret);
    const logger = redactingLogger(io.logger, redactor);
    const results: CheckResult[] = [passed('pipeline', `${file} is valid`)];
    if (definition.source.type === 'http') {
      const settings = httpSourceConfig.parse(definition.source);
      results.push(...(await checkHttpSource({ ...settings, tls: resolveTls(settings.tls, dirname(file)) }, { logger, redactor })));
    } else {
      results.push(failed('source', `a ${definition.source.type} source cannot be checked: pageflow check requests the first page of http sources`));
    }
    for (const sink of [...definition.sinks, ...(definition.rejects ? [definition.rejects] : [])]) results.push(await checkSink(sink, { logger }));
    for (const { ok, subject, detail } of results) io.stdout.write(redactor.redact(`${ok ? '✓' : '✗'} ${subject}: ${detail}`) + '\n');
    const failures = results.filter((result) => !result.ok).length;
    io.stdout.write(failures === 0 ? `all ${results.length} checks passed\n` : `${failures} of ${results.length} checks failed\n`);
    return failures === 0 ? 0 : 1;
  } catch (error) {
    return reportError(error, io, redactor);
  }
}
