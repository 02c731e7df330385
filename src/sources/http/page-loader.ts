import type { Credentials } from './auth/authenticator';
import { formatDuration } from './duration';
import { type Exchange, fetchPage } from './fetch-page';
import type { HttpSession } from './http-session';
import { HttpStatusError } from './http-errors';
import { describePage, type Page, type PageRequest } from './page';
import { originOf } from './page-url';
import { type PageReading, readPage } from './read-page';
import { serverWaitMs, windowUsedUp } from './server-wait';
import { type RetryEvent, withRetries } from './with-retries';

// Laravel's default throttle window: the wait when a server reports its window used up without saying for how long.
const DEFAULT_WINDOW_MS = 60_000;

const formatBytes = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);

/**
 * Gets one page the resilient way: each try waits for the rate gate, failures are retried per the
 * policy (logged at warn level and counted), a 429 or a used-up window holds back every request, a
 * 401 lets the authenticator renew its credentials once, and all waiting counts against the run's
 * `maxTotalWait`. Credentials go to the configured origin only.
 */
export function loadPage(session: HttpSession, request: PageRequest, reading: PageReading): Promise<Page> {
  const { gate, policy, logger, metrics, waits, authenticator, redactor } = session;
  const home = originOf(request.url) === session.origin;
  const client = session.clientFor(request.url);
  const where = () => describePage(request, redactor);
  const debug = logger.enabled?.('debug') ?? true;
  let tries = 0;

  const onRetry = ({ error, kind, retry, delayMs }: RetryEvent) => {
    waits.spend(delayMs, where(), error.details.url);
    const fields = { url: error.details.url, status: error.details.status, delayMs };
    if (kind === 'throttled') {
      metrics.throttled += 1;
      gate.pauseFor(delayMs);
      logger.log('warn', `${error.message}: throttled, waiting ${formatDuration(delayMs)}`, fields);
    } else {
      metrics.retries += 1;
      logger.log('warn', `${error.message}: retry ${retry} of ${policy.attempts - 1} in ${formatDuration(delayMs)}`, fields);
    }
  };

  const exchange = async (): Promise<Exchange> => {
    const release = await gate.acquire(request.signal);
    const started = performance.now();
    let status: number | undefined;
    let failure: string | undefined;
    let bytes = 0;
    try {
      const credentials = home ? await authenticator?.authorize(request.signal) : undefined;
      sent = credentials;
      const answer = await fetchPage(client, request, { timeoutMs: session.timeoutMs, maxResponseBytes: session.maxResponseBytes, redactor, authHint: authenticator?.hint }, credentials);
      status = answer.status;
      bytes = answer.bytes;
      return answer;
    } catch (error) {
      if (error instanceof HttpStatusError) status = error.status;
      else failure = (error as { code?: string }).code ?? 'failed';
      throw error;
    } finally {
      release();
      tries += 1;
      const ms = Math.round(performance.now() - started);
      const outcome = status ?? `failed (${failure})`;
      if (debug) logger.log('debug', `GET ${request.url} → ${outcome} in ${ms}ms, ${formatBytes(bytes)}${tries > 1 ? `, try ${tries}` : ''}`, {
        method: 'GET',
        url: request.url,
        ...(status === undefined ? { error: failure } : { status }),
        ms,
        bytes,
        retries: tries - 1,
      });
    }
  };

  // After a 401 to credentials from `authorize`, the authenticator may renew them (an OAuth token): one more try.
  let renewed = false;
  let sent: Credentials | undefined;
  const attempt = async (): Promise<Page> => {
    let answer: Exchange;
    try {
      answer = await exchange();
    } catch (error) {
      if (!(error instanceof HttpStatusError && error.status === 401 && sent && !renewed && authenticator?.unauthorized)) throw error;
      renewed = true;
      if (!(await authenticator.unauthorized(sent))) throw error;
      answer = await exchange();
    }
    const page = readPage(request, answer, reading);
    if (windowUsedUp(answer.headers)) waitForWindow(serverWaitMs(answer.headers));
    return page;
  };

  const waitForWindow = (resetInMs: number | undefined) => {
    const waitMs = Math.min(resetInMs ?? gate.windowEndsIn() ?? DEFAULT_WINDOW_MS, policy.maxRetryAfterMs);
    waits.spend(waitMs, where(), redactor.redact(request.url));
    logger.log('info', `the server's rate-limit window is used up (X-RateLimit-Remaining: 0): waiting ${formatDuration(waitMs)}`, { delayMs: waitMs });
    gate.pauseFor(waitMs);
  };

  return withRetries(attempt, policy, { signal: request.signal, onRetry });
}
