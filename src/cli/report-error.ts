import { isPageflowError } from '../errors/pageflow-error';
import { redact } from '../errors/redact';
import type { CliIo } from './io';

/** Prints an error for people, secrets redacted, and returns the exit code: the error's own, else 1. */
export function reportError(error: unknown, io: CliIo, secrets: readonly string[] = []): number {
  if (isPageflowError(error)) {
    io.stderr.write(`error: ${redact(error.message, secrets)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: unexpected failure: ${redact(message, secrets)}\n`);
  return 1;
}
