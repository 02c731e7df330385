import { silentLogger } from '../../../src/logger';
import { lastValueFrom, toArray } from 'rxjs';
import { Redactor } from '../../../src/errors/redact';
import { RunMetrics } from '../../../src/pipeline/run-metrics';
import type { Authenticator } from '../../../src/sources/http/auth/authenticator';
import { createHttpClients } from '../../../src/sources/http/http-clients';
import { createHttpSession, type HttpSession } from '../../../src/sources/http/http-session';
import { crawlPages } from '../../../src/sources/http/page-crawler';
import { createPaginator } from '../../../src/sources/http/pagination/pagination-types';
import type { RateBudgets, RateGate, RateLimit } from '../../../src/sources/rate-gate';
import { RateLimiter } from '../../../src/sources/http/rate-limiter';
import { type LogLine } from './run-source';
import { startFaultApiPerTest } from '../../helpers/fault-api';

/** An authenticator whose token the server rejects until it was renewed (as an expired OAuth token is). */
function renewingAuthenticator(renews: boolean) {
  let token = 'tok_expired_000000';
  const calls = { unauthorized: 0 };
  const authenticator: Authenticator = {
    authorize: async () => ({ headers: { Authorization: `Bearer ${token}` } }),
    unauthorized: async () => {
      calls.unauthorized += 1;
      if (renews) token = 'tok_renewed_111111';
      return renews;
    },
    secrets: [],
    credentialKey: 'key-of-the-credential',
    hint: 'the client credentials (auth.clientId, auth.clientSecret)',
  };
  return { authenticator, calls };
}

function session(origin: string, parts: { authenticator?: Authenticator; budgets?: RateBudgets; logs?: LogLine[] } = {}): HttpSession {
  return createHttpSession({
    origin,
    clients: createHttpClients({ origin, timeoutMs: 5000, logger: silentLogger }),
    authenticator: parts.authenticator,
    budgets: parts.budgets,
    policy: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 1000, maxThrottled: 2, maxTotalWaitMs: 60_000 },
    timeoutMs: 5000,
    maxResponseBytes: 1e6,
    limits: { concurrency: 1, maxPages: 100, maxReadAheadBytes: 1e9, allowCrossOrigin: false },
    redactor: new Redactor(['tok_expired_000000', 'tok_renewed_111111']),
    logger: { log: (level, message, fields) => parts.logs?.push({ level, message, fields }) },
    metrics: new RunMetrics(),
  });
}
const nextLink = createPaginator({ type: 'next-link', next: 'next_page_url' }, { params: {} });
const crawlAll = (http: HttpSession, url: string) => lastValueFrom(crawlPages(http, nextLink, url, { records: 'data' }).pipe(toArray())).finally(() => http.clients.destroy());

describe('HTTP session', () => {
  const start = startFaultApiPerTest();
  const rejectsExpired = (request: { headers: { authorization?: string } }) => (request.headers.authorization === 'Bearer tok_expired_000000' ? { status: 401, body: { message: 'Token expired.' } } : undefined);

  it('after a 401, lets the authenticator renew once and retries the request once', async () => {
    const api = await start({ pages: 3, fault: rejectsExpired });
    const { authenticator, calls } = renewingAuthenticator(true);
    const pages = await crawlAll(session(api.origin, { authenticator }), api.url);
    expect(pages.flatMap((page) => page.records)).toHaveLength(6);
    expect(calls.unauthorized).toBe(1);
    expect(api.requests.map((request) => [request.page, request.headers.authorization])).toEqual([
      [1, 'Bearer tok_expired_000000'],
      [1, 'Bearer tok_renewed_111111'],
      [2, 'Bearer tok_renewed_111111'],
      [3, 'Bearer tok_renewed_111111'],
    ]);
  });

  it('fails on the 401 when the authenticator cannot renew, with its hint, asking only once', async () => {
    const api = await start({ pages: 3, fault: rejectsExpired });
    const { authenticator, calls } = renewingAuthenticator(false);
    await expect(crawlAll(session(api.origin, { authenticator }), api.url)).rejects.toThrow(
      `page 1 (${api.url}): HTTP 401 Token expired. — check the client credentials (auth.clientId, auth.clientSecret)`,
    );
    expect(calls.unauthorized).toBe(1);
    expect(api.requests).toHaveLength(1);
  });

  it('retries a renewed request once only: a second 401 is final', async () => {
    const api = await start({ pages: 3, fault: () => ({ status: 401, body: { message: 'No.' } }) });
    const { authenticator, calls } = renewingAuthenticator(true);
    await expect(crawlAll(session(api.origin, { authenticator }), api.url)).rejects.toThrow(/HTTP 401 No\./);
    expect(calls.unauthorized).toBe(1);
    expect(api.requests).toHaveLength(2);
  });

  it('takes its rate gate from the budgets, by credential key (by origin without auth)', async () => {
    const api = await start({ pages: 2 });
    const asked: Array<[string, RateLimit | undefined]> = [];
    const budgets: RateBudgets = {
      gate: (key, limit): RateGate => {
        asked.push([key, limit]);
        return new RateLimiter(limit);
      },
    };
    await crawlAll(session(api.origin, { budgets, authenticator: renewingAuthenticator(true).authenticator }), api.url);
    await crawlAll(session(api.origin, { budgets }), api.url);
    expect(asked[0]).toEqual(['key-of-the-credential', undefined]);
    expect(asked[1][0]).toMatch(/^[0-9a-f]{32}$/);
    expect(asked[1][0]).not.toContain('127.0.0.1');
  });

  it('logs each request at debug level: method, redacted URL, status, time, bytes, retries', async () => {
    const api = await start({ pages: 2, fault: (request) => (request.page === 2 && request.attempt === 1 ? { status: 503 } : undefined) });
    const logs: LogLine[] = [];
    await crawlAll(session(api.origin, { logs }), `${api.url}?access_token=tok_renewed_111111`);
    const debug = logs.filter((line) => line.level === 'debug');
    expect(debug.map((line) => line.message)).toEqual([
      expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/items\?access_token=\*\*\* → 200 in \d+ms, \d+ B$/),
      expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/items\?page=2&access_token=\*\*\* → 503 in \d+ms, 0 B$/),
      expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/items\?page=2&access_token=\*\*\* → 200 in \d+ms, \d+ B, try 2$/),
    ]);
    expect(debug[2].fields).toEqual({ method: 'GET', url: expect.stringContaining('/items?page=2'), status: 200, ms: expect.any(Number), bytes: expect.any(Number), retries: 1 });
    expect(JSON.stringify(logs)).not.toContain('tok_renewed');
  });
});
