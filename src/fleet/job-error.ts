import { ConfigError } from '../errors/config-error';
import { PageflowError, isPageflowError } from '../errors/pageflow-error';
import { SourceError } from '../errors/source-error';

/**
 * A job's run failed. The message is one line with every secret redacted: it is what Redis keeps as
 * the job's failed reason and what `pageflow jobs` shows. The original error is the `cause`.
 */
export class JobError extends PageflowError {
  override name = 'JobError';
  /** False when running the job again cannot help: an invalid pipeline, a request the API refuses (4xx). */
  readonly retryable: boolean;

  constructor(message: string, cause: unknown) {
    super(message, { code: isPageflowError(cause) ? cause.code : 'PF_JOB_FAILED', exitCode: isPageflowError(cause) ? cause.exitCode : 1, cause });
    // BullMQ stores the stack with the failed reason: it must hold no more than the message.
    this.stack = `${this.name}: ${message}`;
    this.retryable = !(cause instanceof ConfigError) && !(cause instanceof FinalJobError) && !isRefusal(cause);
  }
}

/** Fails its job for good, without the retries left: running it again cannot help (a split export one of whose ranges failed). */
export class FinalJobError extends PageflowError {
  override name = 'FinalJobError';

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'PF_JOB_FINAL', cause: options.cause });
  }
}

/** A 4xx other than 408 (timeout) and 429 (throttled): the same request will be refused again. */
function isRefusal(error: unknown): boolean {
  const status = error instanceof SourceError ? error.details.status : undefined;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}
