import { PageflowError } from './pageflow-error';

const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** The run was stopped by a signal; outputs were rolled back. */
export class InterruptedError extends PageflowError {
  override name = 'InterruptedError';

  /** `outcome` says what became of the outputs, when not all of them could be rolled back. */
  constructor(
    readonly signal: string,
    outcome = 'stopped fetching, outputs rolled back',
  ) {
    super(`interrupted by ${signal}: ${outcome}`, {
      code: 'PF_INTERRUPTED',
      exitCode: exitCodes[signal] ?? 130,
    });
  }
}
