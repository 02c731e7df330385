import { PageflowError } from './pageflow-error';

/** Fetching or reading a page failed. The message names the page; URLs in it are already redacted. */
export class SourceError extends PageflowError {
  override name = 'SourceError';

  constructor(
    message: string,
    readonly details: { readonly url?: string; readonly status?: number; readonly code?: string; readonly cause?: unknown } = {},
  ) {
    super(message, { code: details.code ?? 'PF_SOURCE_FAILED', cause: details.cause });
  }
}
