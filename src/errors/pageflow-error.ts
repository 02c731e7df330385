/** Base class of every error pageflow throws on purpose; `exitCode` is what the CLI exits with. */
export class PageflowError extends Error {
  override name = 'PageflowError';
  readonly code: string;
  readonly exitCode: number;

  constructor(message: string, options: { code: string; exitCode?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isPageflowError(error: unknown): error is PageflowError {
  return error instanceof PageflowError;
}
