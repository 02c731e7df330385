import { PageflowError } from './pageflow-error';

const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** The run was stopped by a signal; outputs were rolled back. */
export class InterruptedError extends PageflowError {
  override name = 'InterruptedError';

  constructor(readonly signal: string) {
    super(`interrupted by ${signal}: stopped fetching, outputs rolled back`, {
      code: 'PF_INTERRUPTED',
      exitCode: exitCodes[signal] ?? 130,
    });
  }
}
