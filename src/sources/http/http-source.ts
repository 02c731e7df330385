import { defer, finalize, mergeMap, tap } from 'rxjs';
import { z } from 'zod';
import { ConfigError } from '../../errors/config-error';
import { incrementalConfig } from '../../state/incremental';
import { defineSource } from '../../pipeline/component';
import { formatPath } from '../../pipeline/issue-path';
import type { Source } from '../source';
import { authConfig, authSecrets, createAuthenticator } from './auth/auth-types';
import { credentialKey } from './auth/authenticator';
import { duration } from './duration';
import type { PageReading } from './fetch-page';
import { createHttpClients, resolveTls, tlsConfig } from './http-clients';
import { crawlPages } from './page-crawler';
import { createPageLoader } from './page-loader';
import { firstPageUrl } from './page-url';
import { PaginationGuard } from './pagination-guard';
import { RateLimiter } from './rate-limiter';
import type { RetryPolicy } from './retry-policy';

const retryConfig = z
  .strictObject({
    attempts: z.int().min(1).default(5).meta({ description: 'Tries per page for network errors, timeouts, 5xx and 408, the first one included.' }),
    baseDelay: duration.prefault('500ms').meta({ description: 'Backoff before the first retry; doubles on each retry, with full jitter.', examples: ['500ms'] }),
    maxDelay: duration.prefault('30s').meta({ description: 'Longest backoff between two tries.', examples: ['30s'] }),
    maxRetryAfter: duration.prefault('120s').meta({ description: 'Cap on a wait the server asks for with `Retry-After` or `X-RateLimit-Reset`.', examples: ['120s'] }),
    maxThrottled: z.int().min(0).default(10).meta({ description: '429 answers tolerated per page; they do not use up `attempts`.' }),
  })
  .prefault({});

export const httpSourceConfig = z.strictObject({
  type: z.literal('http'),
  url: z.url().meta({ description: 'URL of the first page. Credentials are only ever sent to its origin.', examples: ['https://api.mijnklantportaal.nl/v1/customers'], secret: 'url' }),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .meta({ description: 'Query parameters for every page request; put back when a same-origin next link lost them.', examples: [{ per_page: 100 }] }),
  headers: z.record(z.string(), z.string()).optional().meta({ description: 'Extra request headers (values are treated as secrets, sent only to the origin of `url`).' }),
  auth: authConfig.optional(),
  tls: tlsConfig.optional(),
  records: z.string().default('data').meta({ description: 'Dot path of the records array in each page.', secret: false }),
  next: z.string().default('next_page_url').meta({ description: 'Dot path of the next page link in each page; null ends the export.', secret: false }),
  timeout: duration.prefault('30s').meta({ description: 'Hard deadline per request, body included.', examples: ['30s'] }),
  maxResponseBytes: z
    .int()
    .min(1)
    .default(100 * 1024 * 1024)
    .meta({ description: 'Largest page body accepted, in bytes (after decompression).' }),
  retry: retryConfig.meta({ description: 'How failed requests are retried.', examples: [{ attempts: 5, baseDelay: '500ms', maxDelay: '30s' }] }),
  rateLimit: z
    .strictObject({
      requests: z.int().min(1).meta({ description: 'Requests allowed per window.' }),
      per: duration.refine((ms) => ms > 0, 'expected a window longer than 0').meta({ description: 'The window.', examples: ['60s', '1m'] }),
    })
    .optional()
    .meta({ description: "Paces requests to stay under the API's rate limit (a sliding window).", examples: [{ requests: 60, per: '60s' }] }),
  concurrency: z.int().min(1).max(32).default(1).meta({ description: 'Page requests kept in flight when next links are predictable (`?page=n+1`); records keep their order.' }),
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

/** The values an HTTP source must never print: the token, header values, and secret-looking query parameters. */
export function httpSecrets(options: HttpSourceOptions): string[] {
  const secretParams = Object.entries(options.params ?? {})
    .filter(([key]) => /token|key|secret|password|signature/i.test(key))
    .map(([, value]) => String(value));
  return [...(options.auth ? authSecrets(options.auth) : []), ...Object.values(options.headers ?? {}), ...secretParams].filter((value): value is string => !!value);
}

/**
 * Records of a paginated JSON API, page by page along the next links (Laravel's `next_page_url` by
 * default): retried, paced, guarded against hostile pagination, and read ahead when `concurrency`
 * allows. New pages are requested only once the sinks have taken the current one (or up to
 * `concurrency` ahead of it).
 */
export function createHttpSource(options: HttpSourceOptions): Source {
  const settings = parseSettings(options);
  const secrets = httpSecrets(options);
  const reading: PageReading = {
    recordsPath: settings.records,
    nextPath: settings.next,
    params: settings.params,
    secrets,
    timeoutMs: settings.timeout,
  };
  const policy: RetryPolicy = {
    attempts: settings.retry.attempts,
    baseDelayMs: settings.retry.baseDelay,
    maxDelayMs: settings.retry.maxDelay,
    maxRetryAfterMs: settings.retry.maxRetryAfter,
    maxThrottled: settings.retry.maxThrottled,
  };
  const origin = new URL(settings.url).origin;

  return (context) =>
    defer(() => {
      const clients = createHttpClients({
        origin,
        headers: settings.headers,
        timeoutMs: settings.timeout,
        maxResponseBytes: settings.maxResponseBytes,
        tls: settings.tls,
        logger: context.logger,
      });
      const authDeps = { logger: context.logger, onSecret: (secret: string) => secrets.push(secret), agentFor: clients.agentFor, timeoutMs: settings.timeout };
      const authenticator = settings.auth && createAuthenticator(settings.auth, authDeps);
      const limit = settings.rateLimit && { requests: settings.rateLimit.requests, perMs: settings.rateLimit.per };
      // A fleet shares one budget per credential across its workers; alone, the source paces itself.
      const key = credentialKey(origin, authenticator?.credentialKey ?? '', JSON.stringify(settings.headers ?? {}));
      const limiter = context.budgets?.gate(key, limit) ?? new RateLimiter(limit);
      const guard = new PaginationGuard({ origin, allowCrossOrigin: settings.allowCrossOrigin, maxPages: settings.maxPages, secrets });
      return crawlPages({
        firstUrl: firstPageUrl(settings.url, settings.params),
        concurrency: settings.concurrency,
        maxPages: settings.maxPages,
        load: createPageLoader({ origin, clients, limiter, reading, policy, context, authenticator }),
        check: (page) => guard.check(page),
        demand: () => context.demand(),
      }).pipe(
        tap(() => {
          context.metrics.pages += 1;
        }),
        mergeMap((page) => page.records),
        finalize(() => clients.destroy()),
      );
    });
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
  summary: 'Pages through a JSON REST API along its next links (Laravel simplePaginate by default), with retries, rate limiting and prefetch.',
  config: httpSourceConfig,
  secrets: ({ type: _type, ...options }) => httpSecrets(options),
  create: ({ type: _type, ...options }, context) => createHttpSource({ ...options, tls: resolveTls(options.tls, context.pipelineDir) }),
});
