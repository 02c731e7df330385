import { PageflowError } from './pageflow-error';

/** The command line asks for something that cannot be done as given; nothing has run. Exit 2. */
export class UsageError extends PageflowError {
  override name = 'UsageError';

  constructor(message: string) {
    super(message, { code: 'PF_USAGE', exitCode: 2 });
  }
}
