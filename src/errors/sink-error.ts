import { PageflowError } from './pageflow-error';

/** A sink could not write, finish or abort. The message starts with `[sink:<name>]`. */
export class SinkError extends PageflowError {
  override name = 'SinkError';

  constructor(
    readonly sink: string,
    message: string,
    options: { code?: string; cause?: unknown } = {},
  ) {
    super(`[sink:${sink}] ${message}`, { code: options.code ?? 'PF_SINK_FAILED', cause: options.cause });
  }
}
