import { explainErrorCodes } from '../errors/describe-system-error';
import { isPageflowError } from '../errors/pageflow-error';
import { Redactor } from '../errors/redact';
import { SourceError } from '../errors/source-error';
import type { CliIo } from './io';

/**
 * Reports an error for people (or, with `--log-format json`, for machines), secrets redacted and
 * system error codes (`ENOENT`) in words, and returns the exit code: the error's own, else 1. A
 * failed request's line carries its URL and status.
 */
export function reportError(error: unknown, io: Pick<CliIo, 'report'>, redactor: Redactor = new Redactor()): number {
  const fields = error instanceof SourceError ? { url: error.details.url && redactor.redact(error.details.url), status: error.details.status } : {};
  if (isPageflowError(error)) {
    io.report.log('error', explainErrorCodes(redactor.redact(error.message)), fields);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.report.log('error', `unexpected failure: ${explainErrorCodes(redactor.redact(message))}`);
  return 1;
}
