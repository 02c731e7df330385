import type { AxiosInstance } from 'axios';
import { type Logger, silentLogger } from '../../logger';
import { type Redactor, redactingLogger } from '../../errors/redact';
import { RunMetrics } from '../../pipeline/run-metrics';
import type { RateBudgets, RateGate, RateLimit } from '../rate-gate';
import { type Authenticator, credentialKey } from './auth/authenticator';
import type { HttpClients } from './http-clients';
import { RateLimiter } from './rate-limiter';
import { originOf } from './page-url';
import type { RetryPolicy } from './retry-policy';
import { WaitBudget } from './wait-budget';

/** How a crawl may run ahead of the sinks. */
export interface CrawlLimits {
  /** Page requests in flight at most. */
  readonly concurrency: number;
  /** No page past this index is requested, not even ahead; reaching it with pages left fails. */
  readonly maxPages: number;
  /** Bytes of pages read ahead of the one being written (in flight counted as the largest page so far). */
  readonly maxReadAheadBytes: number;
  /** Follow links to another origin, without credentials. */
  readonly allowCrossOrigin: boolean;
}

/**
 * What every request of a run shares: the clients, the authenticator, the rate gate, the retry policy,
 * the redactor, the logger and the figures. The source crawls with one; a child-request operator or
 * the `check`/`init` commands can make one and crawl with it too.
 */
export interface HttpSession {
  /** Origin of the configured `url`: the only one credentials and `params` go to. */
  readonly origin: string;
  readonly clients: HttpClients;
  readonly authenticator?: Authenticator;
  readonly gate: RateGate;
  readonly policy: RetryPolicy;
  readonly waits: WaitBudget;
  /** Hard deadline per request, body included. */
  readonly timeoutMs: number;
  /** The largest body a request may read. */
  readonly maxResponseBytes: number;
  readonly limits: CrawlLimits;
  readonly redactor: Redactor;
  /** Logs through the redactor. */
  readonly logger: Logger;
  readonly metrics: RunMetrics;
  /** Set once the first page with invalid UTF-8 has been warned about. */
  invalidUtf8Warned: boolean;
  /** The client for a URL (with credentials only for `origin`), looked up once per origin. */
  clientFor(url: string): AxiosInstance;
}

export interface SessionParts {
  readonly origin: string;
  readonly clients: HttpClients;
  readonly authenticator?: Authenticator;
  /** The source's own headers: without `auth`, they may carry the credential (an API key header). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly rateLimit?: RateLimit;
  /** Shared gates per credential; without them the session paces its own requests. */
  readonly budgets?: RateBudgets;
  readonly policy: RetryPolicy;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly limits: CrawlLimits;
  readonly redactor: Redactor;
  readonly logger?: Logger;
  readonly metrics?: RunMetrics;
}

export function createHttpSession(parts: SessionParts): HttpSession {
  const { budgets, rateLimit, authenticator, origin } = parts;
  // Without `auth`, requests to one origin with the same headers (an API key among them, perhaps) share one budget.
  const key = authenticator?.credentialKey ?? credentialKey('origin', origin, JSON.stringify(parts.headers ?? {}));
  const gate = budgets ? budgets.gate(key, rateLimit) : new RateLimiter(rateLimit);
  const byOrigin = new Map<string, AxiosInstance>();
  return {
    origin,
    clients: parts.clients,
    authenticator,
    gate,
    policy: parts.policy,
    waits: new WaitBudget(parts.policy.maxTotalWaitMs),
    timeoutMs: parts.timeoutMs,
    maxResponseBytes: parts.maxResponseBytes,
    limits: parts.limits,
    redactor: parts.redactor,
    logger: redactingLogger(parts.logger ?? silentLogger, parts.redactor),
    metrics: parts.metrics ?? new RunMetrics(),
    invalidUtf8Warned: false,
    clientFor: (url) => {
      const key = originOf(url);
      let client = byOrigin.get(key);
      if (!client) byOrigin.set(key, (client = parts.clients.clientFor(url)));
      return client;
    },
  };
}
