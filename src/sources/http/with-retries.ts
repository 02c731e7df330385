import { setTimeout as sleepFor } from 'node:timers/promises';
import { SourceError } from '../../errors/source-error';
import { type RetryKind, type RetryPolicy, retryDelay, retryKind } from './retry-policy';

export interface RetryEvent {
  readonly error: SourceError;
  readonly kind: RetryKind;
  /** 1 for the first retry of this kind. */
  readonly retry: number;
  readonly delayMs: number;
}

export interface RetryOptions {
  readonly signal?: AbortSignal;
  /** Called before each wait: log it, count it, pause other requests. */
  onRetry?(event: RetryEvent): void;
  /** Injectable for tests on virtual time. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

const realSleep = (ms: number, signal?: AbortSignal): Promise<void> => sleepFor(ms, undefined, { signal });

/**
 * Runs `attempt` until it succeeds, retrying what `retryKind` calls retryable: failures up to
 * `policy.attempts` tries with backoff, 429s up to `policy.maxThrottled` more, each waiting what the
 * server asked. The error that ends it says how many tries were made.
 */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  const { signal, sleep = realSleep, random } = options;
  const count: Record<RetryKind, number> = { failure: 0, throttled: 0 };
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const kind = retryKind(error);
      if (kind === undefined || signal?.aborted) throw error;
      const sourceError = error as SourceError;
      count[kind] += 1;
      if (kind === 'failure' && count.failure >= policy.attempts) {
        throw giveUp(sourceError, `gave up after ${policy.attempts} attempt${policy.attempts === 1 ? '' : 's'}`);
      }
      if (kind === 'throttled' && count.throttled > policy.maxThrottled) {
        throw giveUp(sourceError, `still throttled after ${count.throttled} answers 429 (retry.maxThrottled: ${policy.maxThrottled})`);
      }
      const delayMs = retryDelay(error, count[kind], policy, random);
      options.onRetry?.({ error: sourceError, kind, retry: count[kind], delayMs });
      await sleep(delayMs, signal);
    }
  }
}

function giveUp(error: SourceError, why: string): SourceError {
  return new SourceError(`${error.message} (${why})`, { url: error.details.url, status: error.details.status, code: error.code });
}
