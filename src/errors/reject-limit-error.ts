import { PageflowError } from './pageflow-error';

/** More records were rejected than `maxRejects` allows (or one was, with no `rejects:` sink to take it); outputs were rolled back. */
export class RejectLimitError extends PageflowError {
  override name = 'RejectLimitError';

  constructor(message: string) {
    super(message, { code: 'PF_TOO_MANY_REJECTS' });
  }
}
