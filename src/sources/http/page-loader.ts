import type { RateGate } from '../rate-gate';
import type { SourceContext } from '../source';
import type { Authenticator, Credentials } from './auth/authenticator';
import { formatDuration } from './duration';
import { fetchPage, type Page, type PageReading, type PageRequest } from './fetch-page';
import type { HttpClients } from './http-clients';
import { HttpStatusError } from './http-errors';
import type { RetryPolicy } from './retry-policy';
import { type RetryEvent, withRetries } from './with-retries';

// Laravel's default throttle window: the wait when a server reports its window used up without saying for how long.
const DEFAULT_WINDOW_MS = 60_000;

export interface PageLoaderParts {
  /** Origin of the configured `url`: pages elsewhere are read without our query parameters. */
  readonly origin: string;
  readonly clients: HttpClients;
  readonly limiter: RateGate;
  readonly reading: PageReading;
  readonly policy: RetryPolicy;
  readonly context: Pick<SourceContext, 'logger' | 'metrics'>;
  /** Authenticates requests to `origin`; none when the pipeline has no `auth`. */
  readonly authenticator?: Authenticator;
}

/**
 * Gets one page the resilient way: each try waits for the rate limiter, failures are retried per the
 * policy (logged at warn level and counted), and a 429 or a used-up window holds back every request.
 */
export function createPageLoader({ origin, clients, limiter, reading, policy, context, authenticator }: PageLoaderParts): (request: PageRequest) => Promise<Page> {
  // Our parameters may hold an API key: a page of another origin (allowCrossOrigin) gets none of them.
  const readingAway: PageReading = { ...reading, params: undefined };
  const readingHome: PageReading = { ...reading, authHint: authenticator?.hint };

  const waitForWindow = (page: Page) => {
    const waitMs = Math.min(page.windowUsedUp?.resetInMs ?? limiter.windowEndsIn() ?? DEFAULT_WINDOW_MS, policy.maxRetryAfterMs);
    context.logger.log('info', `the server's rate-limit window is used up (X-RateLimit-Remaining: 0): waiting ${formatDuration(waitMs)}`, { delayMs: waitMs });
    limiter.pauseFor(waitMs);
  };

  const onRetry = ({ error, kind, retry, delayMs }: RetryEvent) => {
    const fields = { url: error.details.url, status: error.details.status, delayMs };
    if (kind === 'throttled') {
      context.metrics.throttled += 1;
      limiter.pauseFor(delayMs);
      context.logger.log('warn', `${error.message}: throttled, waiting ${formatDuration(delayMs)}`, fields);
    } else {
      context.metrics.retries += 1;
      context.logger.log('warn', `${error.message}: retry ${retry} of ${policy.attempts - 1} in ${formatDuration(delayMs)}`, fields);
    }
  };

  const attempt = async (request: PageRequest, renewed = false): Promise<Page> => {
    const release = await limiter.acquire(request.signal);
    let credentials: Credentials | undefined;
    let unauthorized: HttpStatusError;
    try {
      const home = new URL(request.url).origin === origin;
      credentials = home ? await authenticator?.authorize(request.signal) : undefined;
      const page = await fetchPage(clients.clientFor(request.url), request, home ? readingHome : readingAway, credentials);
      if (page.windowUsedUp) waitForWindow(page);
      return page;
    } catch (error) {
      if (renewed || credentials === undefined || !(error instanceof HttpStatusError && error.status === 401)) throw error;
      unauthorized = error;
    } finally {
      release();
    }
    // The server may have revoked the token: try once more if the authenticator renewed it.
    if (!(await authenticator?.unauthorized?.(credentials))) throw unauthorized;
    return attempt(request, true);
  };

  return (request) => withRetries(() => attempt(request), policy, { signal: request.signal, onRetry });
}
