import { PageflowError } from './pageflow-error';

/** The run's state could not be read, written or trusted. The message names where the state is kept. */
export class StateError extends PageflowError {
  override name = 'StateError';

  constructor(
    /** Where the state is kept: a file path or `s3://bucket/key`. */
    readonly location: string,
    message: string,
    options: { code?: string; cause?: unknown } = {},
  ) {
    super(`[state:${location}] ${message}`, { code: options.code ?? 'PF_STATE_FAILED', cause: options.cause });
  }
}
