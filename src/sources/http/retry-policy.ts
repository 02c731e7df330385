import { SourceError } from '../../errors/source-error';
import { HttpErrorCode, HttpStatusError } from './http-errors';

/** How a page request is retried. All durations in milliseconds. */
export interface RetryPolicy {
  /** Tries per page for failures (network errors, timeouts, 5xx, 408), the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Cap on a wait the server asks for (`Retry-After`, `X-RateLimit-Reset`). */
  readonly maxRetryAfterMs: number;
  /** 429 answers tolerated per page; they do not use up `attempts`. */
  readonly maxThrottled: number;
  /** Bound on the time the whole run spends waiting (retries, 429s, used-up windows). */
  readonly maxTotalWaitMs: number;
}

/** `failure`: retry with backoff, counted against `attempts`; `throttled`: a 429; `undefined`: do not retry. */
export type RetryKind = 'failure' | 'throttled';

/** Which failures are worth another try. Decided on the status and error code, never on the body. */
export function retryKind(error: unknown): RetryKind | undefined {
  if (error instanceof HttpStatusError) {
    if (error.status === 429) return 'throttled';
    return error.status >= 500 || error.status === 408 ? 'failure' : undefined;
  }
  if (error instanceof SourceError && (error.code === HttpErrorCode.network || error.code === HttpErrorCode.timeout)) return 'failure';
  return undefined;
}

/**
 * Exponential backoff with full jitter: a random wait between 0 and `baseDelay · 2^(retry-1)`,
 * capped at `maxDelay`. The randomness spreads clients that failed together, so they don't retry together.
 * @param retry 1 for the first retry.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)));
}

/**
 * How long to wait before retrying after `error`, the n-th of its kind for this page: what the server
 * asked for (a 429's or a 503's `Retry-After`), capped, else the backoff.
 */
export function retryDelay(error: unknown, retry: number, policy: RetryPolicy, random?: () => number): number {
  const asked = error instanceof HttpStatusError ? error.serverWaitMs : undefined;
  return asked === undefined ? backoffDelay(retry, policy, random) : Math.min(asked, policy.maxRetryAfterMs);
}
