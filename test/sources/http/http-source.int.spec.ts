import { inspect } from 'node:util';
import { runPipeline } from '../../../src/pipeline/run-pipeline';
import type { DataRecord } from '../../../src/record';
import { createHttpSource } from '../../../src/sources/http/http-source';
import { type SeenRequest, startFaultApiPerTest } from '../../helpers/fault-api';
import { fastRetry, runSource, runSourceError } from './run-source';

const TOKEN = 'tok_secret_0123456789';
const auth = { type: 'bearer' as const, token: TOKEN };

describe('http source: resilience (loopback fault API)', () => {
  const start = startFaultApiPerTest();
  const ids = (pages: number, perPage = 2) => Array.from({ length: pages * perPage }, (_, index) => `p${Math.floor(index / perPage) + 1}r${index % perPage}`);

  it('reads every page in order and sends the token', async () => {
    const api = await start({ pages: 3 });
    const run = await runSource({ url: api.url, auth });
    expect(run.records.map((record) => record.id)).toEqual(ids(3));
    expect(api.requests.map((request) => request.headers.authorization)).toEqual(Array(3).fill(`Bearer ${TOKEN}`));
    expect(run.metrics.pages).toBe(3);
  });

  it('retries a 500 and delivers the page exactly once, logging the retry at warn level without the token', async () => {
    const api = await start({ pages: 3, fault: (request) => (request.page === 2 && request.attempt === 1 ? { status: 500, body: { message: 'Server Error' } } : undefined) });
    const run = await runSource({ url: api.url, auth, params: { api_key: 'key_secret_abcdef' }, retry: fastRetry });
    expect(run.records.map((record) => record.id)).toEqual(ids(3));
    expect(run.metrics.retries).toBe(1);
    const warnings = run.logs.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(/^page 2 \(http:\/\/127\.0\.0\.1:\d+\/items\?.*page=2.*\): HTTP 500 Server Error: retry 1 of 2 in \d+ms$/);
    expect(warnings[0].fields).toEqual({ url: expect.stringContaining('api_key=***'), status: 500, delayMs: expect.any(Number) });
    expect(JSON.stringify(run.logs)).not.toMatch(/tok_secret|key_secret/);
  });

  it('gives up after `attempts` tries on a persistent 503', async () => {
    const api = await start({ pages: 3, fault: (request) => (request.page === 2 ? { status: 503 } : undefined) });
    const error = await runSourceError({ url: api.url, retry: fastRetry });
    expect(error.message).toMatch(/^page 2 \(.*\): HTTP 503 Service Unavailable \(gave up after 3 attempts\)$/);
    expect(error.details?.status).toBe(503);
    expect(api.requests.filter((request) => request.page === 2)).toHaveLength(3);
  });

  it('honours Retry-After: 1 on a 429 without using up the attempts', async () => {
    const api = await start({
      pages: 2,
      fault: (request) => (request.page === 2 && request.attempt === 1 ? { status: 429, body: { code: 429, message: 'Too many requests.' }, headers: { 'Retry-After': '1' } } : undefined),
    });
    const run = await runSource({ url: api.url, retry: { ...fastRetry, attempts: 1 } });
    expect(run.records.map((record) => record.id)).toEqual(ids(2));
    const [first, second] = api.requests.filter((request) => request.page === 2);
    expect(second.at - first.at).toBeGreaterThanOrEqual(990);
    expect(run.metrics).toMatchObject({ throttled: 1, retries: 0 });
    expect(run.logs.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([expect.stringMatching(/HTTP 429 Too many requests\.: throttled, waiting 1s$/)]);
  });

  it('caps the wait a 429 asks for, and bounds how many 429s it takes', async () => {
    const api = await start({ pages: 2, fault: (request) => (request.page === 2 ? { status: 429, headers: { 'Retry-After': '3600' } } : undefined) });
    const error = await runSourceError({ url: api.url, retry: { ...fastRetry, maxRetryAfter: '20ms', maxThrottled: 2 } });
    expect(error.message).toMatch(/HTTP 429 Too Many Requests \(still throttled after 3 answers 429 \(retry\.maxThrottled: 2\)\)$/);
    expect(api.requests.filter((request) => request.page === 2)).toHaveLength(3);
  });

  it('retries a dropped connection', async () => {
    const api = await start({ pages: 3, fault: (request) => (request.page === 2 && request.attempt === 1 ? { drop: true } : undefined) });
    const run = await runSource({ url: api.url, auth, retry: fastRetry });
    expect(run.records.map((record) => record.id)).toEqual(ids(3));
    expect(run.logs.find((line) => line.level === 'warn')?.message).toMatch(/page 2 .*: request failed: ECONNRESET/);
    expect(run.metrics.retries).toBe(1);
  });

  it('ends a request that trickles bytes past the timeout (a hard deadline), then retries it', async () => {
    const api = await start({ pages: 2, fault: (request) => (request.page === 2 && request.attempt <= 2 ? { stall: true } : undefined) });
    const run = await runSource({ url: api.url, timeout: '100ms', retry: fastRetry });
    expect(run.records.map((record) => record.id)).toEqual(ids(2));
    expect(run.metrics.retries).toBe(2);
    expect(run.logs.find((line) => line.level === 'warn')?.message).toMatch(/page 2 .*: no complete answer within 100ms: retry 1 of 2/);
    const stalling = await start({ pages: 2, fault: (request) => (request.page === 2 ? { stall: true } : undefined) });
    const error = await runSourceError({ url: stalling.url, timeout: '100ms', retry: { ...fastRetry, attempts: 1 } });
    expect(error.message).toMatch(/page 2 .*: no complete answer within 100ms \(gave up after 1 attempt\)$/);
    expect(error.code).toBe('PF_HTTP_TIMEOUT');
  });

  it('fails fast on 401 with one line naming the status, URL, server message and a hint, without the token', async () => {
    const api = await start({ pages: 3, fault: () => ({ status: 401, body: { message: 'Unauthenticated.' } }) });
    const error = await runSourceError({ url: api.url, auth, params: { per_page: 2 }, retry: fastRetry });
    expect(error.message).toBe(`page 1 (${api.url}?per_page=2): HTTP 401 Unauthenticated. — check the token (auth.token)`);
    expect(error).toMatchObject({ code: 'PF_HTTP_STATUS', exitCode: 1, details: { status: 401 } });
    expect(api.requests).toHaveLength(1);
  });

  it.each([400, 403, 404, 422])('does not retry a %i', async (status) => {
    const api = await start({ pages: 3, fault: (request) => (request.page === 2 ? { status } : undefined) });
    const error = await runSourceError({ url: api.url, retry: fastRetry });
    expect(error.message).toMatch(new RegExp(`^page 2 \\(.*\\): HTTP ${status} `));
    expect(api.requests).toHaveLength(2);
  });

  it('keeps the token out of errors that carry axios request headers (connection refused)', async () => {
    const api = await start({ pages: 1 });
    await api.close();
    const error = await runSourceError({ url: api.url, auth, headers: { 'X-Api-Key': 'hdr_secret_abcdef' }, retry: { ...fastRetry, attempts: 2 } });
    expect(error.message).toMatch(/^page 1 \(.*\): request failed: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(gave up after 2 attempts\)$/);
    expect(inspect(error, { depth: 20, showHidden: true })).not.toMatch(/tok_secret|hdr_secret/);
  });

  it('stops a loop back to page 1 with an error naming both pages', async () => {
    const api = await start({ pages: 5, nextLink: (page, origin) => `${origin}/items?page=${page === 3 ? 1 : page + 1}` });
    const error = await runSourceError({ url: `${api.url}?page=1` });
    expect(error.message).toBe(`page 3 (${api.url}?page=3): next link leads back to page 1 (${api.url}?page=1): the API's pagination loops`);
    expect(error.code).toBe('PF_HTTP_PAGINATION_LOOP');
  });

  it('fails when maxPages is reached with pages left, and not when the last page is the cap', async () => {
    const api = await start({ pages: 5 });
    const error = await runSourceError({ url: api.url, maxPages: 3 });
    expect(error.code).toBe('PF_HTTP_MAX_PAGES');
    expect(error.message).toMatch(/^page 3 \(.*\): maxPages \(3\) reached and there are more pages: the export would be incomplete/);
    expect((await runSource({ url: api.url, maxPages: 5 })).records).toHaveLength(10);
  });

  it('follows a few empty pages with next links, then fails', async () => {
    const api = await start({ pages: 20, records: (page) => (page === 1 || page === 4 ? 2 : 0) });
    const error = await runSourceError({ url: api.url });
    expect(error.code).toBe('PF_HTTP_EMPTY_PAGES');
    expect(error.message).toMatch(/^page 8 \(.*\): 4 empty pages in a row/);
    expect(Math.max(...api.requests.map((request) => request.page))).toBe(8);
  });

  it('fails on malformed JSON on a middle page, naming the page, without retrying it', async () => {
    const api = await start({ pages: 3, fault: (request) => (request.page === 2 ? { raw: '{"data": [' } : undefined) });
    const error = await runSourceError({ url: api.url, retry: fastRetry });
    expect(error.message).toBe(`page 2 (${api.url}?page=2): response is not JSON (starts with "{\\"data\\": [")`);
    expect(error.code).toBe('PF_HTTP_BAD_PAGE');
    expect(api.requests).toHaveLength(2);
  });

  it('fails on a body larger than maxResponseBytes', async () => {
    const api = await start({ pages: 1, perPage: 50 });
    const error = await runSourceError({ url: api.url, maxResponseBytes: 200, retry: fastRetry });
    expect(error.code).toBe('PF_HTTP_TOO_LARGE');
    expect(error.message).toMatch(/^page 1 \(.+\): response too large \(more than 200 bytes: maxResponseBytes\)$/);
    expect(api.requests).toHaveLength(1);
  });

  describe('a next link to another origin', () => {
    const setup = async () => {
      const other = await start({ pages: 2, nextLink: (page, origin) => (page === 1 ? `${origin}/items?page=2` : null) });
      const api = await start({ pages: 2, nextLink: (page, origin) => (page === 1 ? `${origin}/items?page=2` : `${other.url}?page=1`) });
      return { api, other };
    };
    const options = { auth, headers: { 'X-Api-Key': 'hdr_secret_abcdef' }, params: { api_key: 'key_secret_abcdef' } };
    const leaked = (request: SeenRequest) => JSON.stringify([request.headers, request.url.search]).match(/tok_secret|hdr_secret|key_secret/);

    it('is refused with a clear error; the other origin hears nothing', async () => {
      const { api, other } = await setup();
      const error = await runSourceError({ url: api.url, ...options });
      expect(error.code).toBe('PF_HTTP_CROSS_ORIGIN');
      expect(error.message).toBe(
        `page 2 (${api.url}?page=2&api_key=***): next link leads to another origin (${other.origin}): refused, credentials are only sent to ${api.origin}; set allowCrossOrigin: true to follow it without credentials`,
      );
      expect(other.requests).toHaveLength(0);
    });

    it('with allowCrossOrigin, is followed without credentials', async () => {
      const { api, other } = await setup();
      const run = await runSource({ url: api.url, ...options, allowCrossOrigin: true });
      expect(run.records).toHaveLength(8);
      expect(api.requests.every((request) => request.headers.authorization === `Bearer ${TOKEN}` && request.headers['x-api-key'] === 'hdr_secret_abcdef')).toBe(true);
      expect(other.requests).toHaveLength(2);
      expect(other.requests.filter(leaked)).toEqual([]);
    });
  });

  describe('rate limits', () => {
    /** Laravel's throttle: a fixed window from the first request, X-RateLimit-* headers, 429 past the limit. */
    const throttledApi = (pages: number, limit: number, windowMs: number, { reportRemaining = true } = {}) => {
      let windowStart = -Infinity;
      let used = 0;
      const count = (request: SeenRequest) => {
        if (request.at >= windowStart + windowMs) {
          windowStart = request.at;
          used = 0;
        }
        used += 1;
        return used;
      };
      const remaining = new Map<SeenRequest, number>();
      return start({
        pages,
        fault: (request) => {
          const n = count(request);
          remaining.set(request, Math.max(0, limit - n));
          return n > limit ? { status: 429, body: { message: 'Too Many Attempts.' }, headers: { 'Retry-After': '1', 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': '0' } } : undefined;
        },
        headers: (request) => (reportRemaining ? { 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': String(remaining.get(request)) } : undefined),
      });
    };

    it('paces requests so that a throttled server never answers 429, in close to the least possible time', async () => {
      const api = await throttledApi(15, 5, 300);
      const run = await runSource({ url: api.url, rateLimit: { requests: 5, per: '300ms' } });
      expect(run.records).toHaveLength(30);
      expect(run.metrics.throttled).toBe(0);
      // 15 requests at 5 per window: 3 windows, so at least 2 full windows of waiting.
      expect(run.elapsedMs).toBeGreaterThanOrEqual(600);
      expect(run.elapsedMs).toBeLessThan(1000);

      // The same server draws 429s from a client that neither paces nor reads X-RateLimit-Remaining.
      const unpaced = await throttledApi(15, 5, 300, { reportRemaining: false });
      const error = await runSourceError({ url: unpaced.url, retry: { ...fastRetry, maxThrottled: 0 } });
      expect(error.message).toMatch(/^page 6 .*HTTP 429 Too Many Attempts\./);
    });

    it('waits for the window when the server reports X-RateLimit-Remaining: 0', async () => {
      let resetAt = 0;
      const api = await start({
        pages: 3,
        fault: (request) => (request.at < resetAt ? { status: 429, headers: { 'Retry-After': '1' } } : undefined),
        headers: (request) => {
          if (request.page !== 2) return undefined;
          resetAt = Date.now() + 1000;
          return { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1' };
        },
      });
      const run = await runSource({ url: api.url, retry: { ...fastRetry, maxThrottled: 0 } });
      expect(run.records).toHaveLength(6);
      expect(api.requests[2].at - api.requests[1].at).toBeGreaterThanOrEqual(990);
      expect(run.logs.map((line) => line.message)).toContain("the server's rate-limit window is used up (X-RateLimit-Remaining: 0): waiting 1s");
    });
  });
});

describe('http source: through runPipeline', () => {
  /** A sink that keeps what it is given, and whether it was finished or aborted. */
  const memorySink = () => {
    const sink = {
      records: [] as DataRecord[],
      outcome: 'open' as 'open' | 'finished' | 'aborted',
      metrics: { name: 'memory', records: 0, bytes: 0 },
      open: async () => {},
      write: async (records: readonly DataRecord[]) => {
        sink.records.push(...records);
        sink.metrics.records += records.length;
      },
      finish: async () => void (sink.outcome = 'finished'),
      abort: async () => void (sink.outcome = 'aborted'),
    };
    return sink;
  };
  const start = startFaultApiPerTest();

  it('delivers every record once despite retries and prefetch', async () => {
    const api = await start({ pages: 12, perPage: 5, fault: (request) => (request.attempt === 1 && request.page % 4 === 0 ? { drop: true } : undefined) });
    const sink = memorySink();
    const metrics = await runPipeline({ source: createHttpSource({ url: api.url, concurrency: 4, retry: fastRetry }), sinks: [sink], batchSize: 7 });
    expect(sink.outcome).toBe('finished');
    expect(sink.records.map((record) => record.id)).toEqual(Array.from({ length: 60 }, (_, index) => `p${Math.floor(index / 5) + 1}r${index % 5}`));
    expect(metrics).toMatchObject({ pages: 12, recordsRead: 60, retries: 3 });
  });

  it('aborts the sinks on a fail-fast status with a one-line error (exit code 1) that hides the token the server echoed', async () => {
    const api = await start({ pages: 3, fault: (request) => (request.page === 3 ? { status: 403, body: { message: `This action is unauthorized for ${TOKEN}.` } } : undefined) });
    const sink = memorySink();
    const failure = await runPipeline({ source: createHttpSource({ url: api.url, auth, retry: fastRetry }), sinks: [sink] }).catch((error: Error) => error);
    expect(sink.outcome).toBe('aborted');
    expect(failure).toMatchObject({
      name: 'SourceError',
      exitCode: 1,
      message: `page 3 (${api.url}?page=3): HTTP 403 This action is unauthorized for ***. — check the permissions of the token (auth.token)`,
    });
    expect(api.requests).toHaveLength(3);
  });
});
