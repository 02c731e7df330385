import { defer, finalize, Observable, type OperatorFunction } from 'rxjs';
import { z } from 'zod';
import { ConfigError } from '../../errors/config-error';
import { isCredentialName, Redactor } from '../../errors/redact';
import { incrementalConfig } from '../../state/incremental';
import { defineSource } from '../../pipeline/component';
import { formatPath } from '../../pipeline/issue-path';
import type { DataRecord } from '../../record';
import type { Source } from '../source';
import { authConfig, authSecrets, createAuthenticator } from './auth/auth-types';
import { duration } from './duration';
import { createHttpClients, resolveTls, tlsConfig } from './http-clients';
import { createHttpSession } from './http-session';
import type { SessionLink } from './session-link';
import type { Page } from './page';
import { crawlPages } from './page-crawler';
import { firstPageUrl } from './page-url';
import { createPaginator, paginationConfig } from './pagination/pagination-types';
import type { RetryPolicy } from './retry-policy';

const retryConfig = z
  .strictObject({
    attempts: z.int().min(1).default(5).meta({ description: 'Tries per page for network errors, timeouts, 5xx and 408, the first one included.' }),
    baseDelay: duration.prefault('500ms').meta({ description: 'Backoff before the first retry; doubles on each retry, with full jitter.', examples: ['500ms'] }),
    maxDelay: duration.prefault('30s').meta({ description: 'Longest backoff between two tries.', examples: ['30s'] }),
    maxRetryAfter: duration.prefault('120s').meta({ description: 'Cap on a wait the server asks for with `Retry-After` or `X-RateLimit-Reset`.', examples: ['120s'] }),
    maxThrottled: z.int().min(0).default(10).meta({ description: '429 answers tolerated per page; they do not use up `attempts`.' }),
    maxTotalWait: duration
      .prefault('30m')
      .meta({ description: 'Bound on the time the whole run spends waiting: before retries, for 429s and for used-up rate-limit windows. Past it the run fails.', examples: ['30m', '2h'] }),
  })
  .prefault({});

/** `{ requests, per }`: the source's own `rateLimit`, and the `budget` of a file with several streams. */
export const rateLimitConfig = z.strictObject({
  requests: z.int().min(1).meta({ description: 'Requests allowed per window.' }),
  per: duration.refine((ms) => ms > 0, 'expected a window longer than 0').meta({ description: 'The window.', examples: ['60s', '1m'] }),
});

export const httpSourceConfig = z.strictObject({
  type: z.literal('http'),
  url: z
    .url({ protocol: /^https?$/, error: (issue) => (typeof issue.input === 'string' ? 'expected an http:// or https:// URL' : undefined) })
    .meta({ description: 'URL of the first page. Credentials are only ever sent to its origin.', examples: ['https://api.mijnklantportaal.nl/v1/customers'], secret: 'url' }),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .meta({ description: 'Query parameters for every page request; put back when a same-origin next link lost them.', examples: [{ per_page: 100 }] }),
  headers: z.record(z.string(), z.string()).optional().meta({ description: 'Extra request headers (values are treated as secrets, sent only to the origin of `url`).' }),
  auth: authConfig.optional(),
  tls: tlsConfig.optional(),
  records: z
    .string()
    .default('data')
    .meta({ description: 'Dot path of the records array in each page; `""` when the body is the array. Missing or not an array fails the run.', secret: false }),
  pagination: paginationConfig,
  timeout: duration.prefault('30s').meta({ description: 'Hard deadline per request, body included.', examples: ['30s'] }),
  maxResponseBytes: z
    .int()
    .min(1)
    .default(100 * 1024 * 1024)
    .meta({ description: 'Largest page body accepted, in bytes (after decompression).' }),
  retry: retryConfig.meta({ description: 'How failed requests are retried.', examples: [{ attempts: 5, baseDelay: '500ms', maxDelay: '30s' }] }),
  rateLimit: rateLimitConfig
    .optional()
    .meta({ description: "Paces requests to stay under the API's rate limit: spread evenly, never more than `requests` in any window.", examples: [{ requests: 60, per: '60s' }] }),
  concurrency: z
    .int()
    .min(1)
    .max(32)
    .default(1)
    .meta({ description: 'Page requests kept in flight: exactly the pages left once their count is known (`lastPage`, `total`), else guessed from `?page=n+1` links; records keep their order.' }),
  maxReadAheadBytes: z
    .int()
    .min(0)
    .default(128 * 1024 * 1024)
    .meta({ description: 'Bound on the bytes of pages read ahead of the one being written (pages in flight count as the largest page so far); the next page is always requested.' }),
  maxPages: z
    .int()
    .min(1)
    .default(100_000)
    .meta({ description: 'Safety cap: a run that reaches it with pages left fails, as the export would be incomplete.' }),
  allowCrossOrigin: z.boolean().default(false).meta({ description: 'Follow next links to another origin, without credentials. Off: such a link fails the run.' }),
  incremental: incrementalConfig.optional(),
});

export type HttpSourceOptions = Omit<z.input<typeof httpSourceConfig>, 'type'>;
type HttpSourceSettings = z.output<typeof httpSourceConfig>;

/**
 * The values an HTTP source must never print: auth secrets, header values, credential-looking `params`,
 * and a password or credential-looking query parameter written into `url` itself.
 */
export function httpSecrets(options: HttpSourceOptions): string[] {
  const credentialValues = (entries: Iterable<[string, unknown]>) => [...entries].filter(([key]) => isCredentialName(key)).map(([, value]) => String(value));
  let inUrl: string[] = [];
  try {
    const url = new URL(options.url);
    inUrl = [decodeURIComponent(url.password), decodeURIComponent(url.username), ...credentialValues(url.searchParams)];
  } catch {
    // An invalid URL is the schema's to report.
  }
  return [...(options.auth ? authSecrets(options.auth) : []), ...Object.values(options.headers ?? {}), ...credentialValues(Object.entries(options.params ?? {})), ...inUrl].filter(
    (value): value is string => !!value,
  );
}

export interface HttpSourceDeps {
  /** Redacts everything the source prints; it learns the source's secrets and those found while running (OAuth tokens). */
  readonly redactor?: Redactor;
  /** Where steps find the session while the source runs (child requests); its connections then outlive the last page. */
  readonly sessions?: SessionLink;
}

/**
 * Records of a paginated JSON API, page by page as `pagination` says (Laravel's `next_page_url` by
 * default): retried, paced, guarded against hostile pagination, and read ahead when `concurrency`
 * allows. New pages are requested only once the sinks have taken the current one (or up to
 * `concurrency` ahead of it, within `maxReadAheadBytes`).
 */
export function createHttpSource(options: HttpSourceOptions, deps: HttpSourceDeps = {}): Source {
  const settings = parseSettings(options);
  const redactor = deps.redactor ?? new Redactor();
  for (const secret of httpSecrets(options)) redactor.add(secret);
  const policy: RetryPolicy = {
    attempts: settings.retry.attempts,
    baseDelayMs: settings.retry.baseDelay,
    maxDelayMs: settings.retry.maxDelay,
    maxRetryAfterMs: settings.retry.maxRetryAfter,
    maxThrottled: settings.retry.maxThrottled,
    maxTotalWaitMs: settings.retry.maxTotalWait,
  };
  const firstUrl = firstPageUrl(settings.url, settings.params);
  const origin = new URL(firstUrl).origin;
  const paginator = createPaginator(settings.pagination, { params: settings.params ?? {} });

  return (context) =>
    defer(() => {
      const clients = createHttpClients({
        origin,
        headers: settings.headers,
        timeoutMs: settings.timeout,
        tls: settings.tls,
        logger: context.logger,
      });
      const authenticator =
        settings.auth &&
        createAuthenticator(settings.auth, { logger: context.logger, onSecret: (secret) => redactor.add(secret), agentFor: clients.agentFor, timeoutMs: settings.timeout });
      const session = createHttpSession({
        origin,
        clients,
        authenticator,
        headers: settings.headers,
        rateLimit: settings.rateLimit && { requests: settings.rateLimit.requests, perMs: settings.rateLimit.per },
        budgets: context.budgets,
        policy,
        timeoutMs: settings.timeout,
        maxResponseBytes: settings.maxResponseBytes,
        limits: { concurrency: settings.concurrency, maxPages: settings.maxPages, maxReadAheadBytes: settings.maxReadAheadBytes, allowCrossOrigin: settings.allowCrossOrigin },
        redactor,
        logger: context.logger,
        metrics: context.metrics,
      });
      const ended = deps.sessions?.attach(session, () => clients.destroy()) ?? (() => clients.destroy());
      return crawlPages(session, paginator, firstUrl, { records: settings.records, demand: (mark) => context.demand(mark), resumeFrom: context.resumeFrom }).pipe(
        recordsOf(),
        finalize(ended),
      );
    });
}

/** Each page's records, in order: a loop per page rather than an inner Observable per page. */
function recordsOf(): OperatorFunction<Page, DataRecord> {
  return (pages$) =>
    new Observable<DataRecord>((subscriber) =>
      pages$.subscribe({
        next: (page) => {
          for (const record of page.records) {
            if (subscriber.closed) return;
            subscriber.next(record);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}

function parseSettings(options: HttpSourceOptions): HttpSourceSettings {
  const parsed = httpSourceConfig.safeParse({ ...options, type: 'http' });
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    'http source',
    parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  );
}

export const httpSource = defineSource({
  type: 'http',
  summary: 'Pages through a JSON REST API: next links (Laravel by default), Link headers, page numbers, offsets or cursors; with retries, rate limiting and parallel pages.',
  config: httpSourceConfig,
  secrets: ({ type: _type, ...options }) => httpSecrets(options),
  create: ({ type: _type, ...options }, context) => createHttpSource({ ...options, tls: resolveTls(options.tls, context.pipelineDir) }, { redactor: context.redactor, sessions: context.sessions }),
});
