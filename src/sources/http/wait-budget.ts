import { SourceError } from '../../errors/source-error';
import { formatDuration } from './duration';
import { HttpErrorCode } from './http-errors';

/**
 * The run-wide bound on time spent waiting: before retries, for 429s, for used-up rate-limit windows.
 * Each bound per page (`attempts`, `maxThrottled`, `maxRetryAfter`) is reset by the next page, so a
 * server that asks every page to wait two minutes could hold a run for days; this one is not.
 * Waits that overlap (pages in flight together) count once: it measures wall-clock time.
 */
export class WaitBudget {
  private waitedMs = 0;
  private waitingUntil = 0;

  constructor(
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Books a wait of `ms` starting now; throws instead when it would take the run past the bound. `where` names the page. */
  spend(ms: number, where: string, url?: string): void {
    const now = this.now();
    const added = Math.max(0, now + ms - Math.max(now, this.waitingUntil));
    if (this.waitedMs + added > this.maxMs) {
      throw new SourceError(
        `${where}: asked to wait ${formatDuration(ms)} more after ${formatDuration(this.waitedMs)} of waiting in this run: giving up (retry.maxTotalWait: ${formatDuration(this.maxMs)}; a rateLimit matching the API's keeps waits short)`,
        { url, code: HttpErrorCode.waitedTooLong },
      );
    }
    this.waitedMs += added;
    this.waitingUntil = Math.max(this.waitingUntil, now + ms);
  }

  /** Milliseconds waited so far. */
  get waited(): number {
    return this.waitedMs;
  }
}
