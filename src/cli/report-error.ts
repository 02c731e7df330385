import { explainErrorCodes } from '../errors/describe-system-error';
import { isPageflowError } from '../errors/pageflow-error';
import { redact } from '../errors/redact';
import { SourceError } from '../errors/source-error';
import type { CliIo } from './io';

/**
 * Reports an error for people (or, with `--log-format json`, for machines), secrets redacted and
 * system error codes (`ENOENT`) in words, and returns the exit code: the error's own, else 1. A
 * failed request's line carries its URL and status.
 */
export function reportError(error: unknown, io: Pick<CliIo, 'report'>, secrets: readonly string[] = []): number {
  const fields = error instanceof SourceError ? { url: error.details.url && redact(error.details.url, secrets), status: error.details.status } : {};
  if (isPageflowError(error)) {
    io.report.log('error', explainErrorCodes(redact(error.message, secrets)), fields);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.report.log('error', `unexpected failure: ${explainErrorCodes(redact(message, secrets))}`);
  return 1;
}
