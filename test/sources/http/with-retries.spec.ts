import { SourceError } from '../../../src/errors/source-error';
import { HttpErrorCode, HttpStatusError } from '../../../src/sources/http/http-errors';
import { backoffDelay, type RetryPolicy, retryKind } from '../../../src/sources/http/retry-policy';
import { type RetryEvent, withRetries } from '../../../src/sources/http/with-retries';

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000, maxThrottled: 3, maxTotalWaitMs: 1_800_000 };
const status = (code: number, serverWaitMs?: number) => new HttpStatusError(`page 2 (http://api/items?page=2): HTTP ${code}`, { url: 'http://api/items?page=2', status: code }, serverWaitMs);
const network = () => new SourceError('page 2 (…): request failed: ECONNRESET', { code: HttpErrorCode.network });

/** Runs `withRetries` on virtual time: sleeps are recorded, not waited. */
async function retrying(failures: unknown[], options: { random?: () => number; policy?: RetryPolicy } = {}) {
  const sleeps: number[] = [];
  const events: RetryEvent[] = [];
  let calls = 0;
  const result = withRetries(
    async () => {
      calls += 1;
      if (calls <= failures.length) throw failures[calls - 1];
      return 'page';
    },
    options.policy ?? policy,
    { sleep: async (ms) => void sleeps.push(ms), random: options.random ?? (() => 1), onRetry: (event) => events.push(event) },
  );
  return { result: await result.then((value) => ({ value }), (error: Error) => ({ error })), sleeps, events, calls: () => calls };
}

describe('retry policy', () => {
  it.each([
    { name: '500', error: status(500), kind: 'failure' },
    { name: '503', error: status(503), kind: 'failure' },
    { name: '408', error: status(408), kind: 'failure' },
    { name: '429', error: status(429), kind: 'throttled' },
    { name: 'a network error', error: network(), kind: 'failure' },
    { name: 'a timeout', error: new SourceError('…', { code: HttpErrorCode.timeout }), kind: 'failure' },
    { name: '400', error: status(400), kind: undefined },
    { name: '401', error: status(401), kind: undefined },
    { name: '403', error: status(403), kind: undefined },
    { name: '404', error: status(404), kind: undefined },
    { name: '422', error: status(422), kind: undefined },
    { name: 'a bad page', error: new SourceError('…', { code: HttpErrorCode.badPage }), kind: undefined },
    { name: 'a plain error', error: new Error('boom'), kind: undefined },
  ])('retryKind($name) is $kind', ({ error, kind }) => {
    expect(retryKind(error)).toBe(kind);
  });

  it('backs off exponentially with full jitter, capped at maxDelay', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((retry) => backoffDelay(retry, policy, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffDelay(3, policy, () => 0.25)).toBe(500);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe('withRetries (virtual time)', () => {
  it('retries failures with backoff and returns the first success', async () => {
    const run = await retrying([status(500), network(), status(502)]);
    expect(run.result).toEqual({ value: 'page' });
    expect(run.sleeps).toEqual([500, 1000, 2000]);
    expect(run.events.map(({ kind, retry, delayMs }) => ({ kind, retry, delayMs }))).toEqual([
      { kind: 'failure', retry: 1, delayMs: 500 },
      { kind: 'failure', retry: 2, delayMs: 1000 },
      { kind: 'failure', retry: 3, delayMs: 2000 },
    ]);
  });

  it('gives up after `attempts` tries, saying so', async () => {
    const run = await retrying(Array.from({ length: 5 }, () => status(503)));
    expect(run.calls()).toBe(5);
    expect(run.sleeps).toHaveLength(4);
    expect(run.result).toEqual({ error: expect.objectContaining({ message: 'page 2 (http://api/items?page=2): HTTP 503 (gave up after 5 attempts)', code: 'PF_HTTP_STATUS' }) });
  });

  it('does not retry what fails fast', async () => {
    const run = await retrying([status(401)]);
    expect(run.calls()).toBe(1);
    expect(run.sleeps).toEqual([]);
    expect(run.result).toEqual({ error: status(401) });
  });

  it('waits what a 429 asks for, capped, without using up the attempts', async () => {
    const run = await retrying([status(429, 2000), status(429, 999_999), status(500), status(429)], { policy: { ...policy, attempts: 2 } });
    expect(run.result).toEqual({ value: 'page' });
    // 2 s asked; an hour capped at maxRetryAfter; backoff for the 500; backoff for a 429 that asked nothing.
    expect(run.sleeps).toEqual([2000, 120_000, 500, 2000]);
    expect(run.events.map((event) => event.kind)).toEqual(['throttled', 'throttled', 'failure', 'throttled']);
  });

  it("waits what a 503's Retry-After asks for", async () => {
    const run = await retrying([status(503, 3000)]);
    expect(run.sleeps).toEqual([3000]);
    expect(run.events[0].kind).toBe('failure');
  });

  it('bounds the 429s it takes', async () => {
    const run = await retrying(Array.from({ length: 10 }, () => status(429, 10)));
    expect(run.calls()).toBe(4);
    expect(run.result).toEqual({ error: expect.objectContaining({ message: expect.stringMatching(/\(still throttled after 4 answers 429 \(retry\.maxThrottled: 3\)\)$/) }) });
  });

  it('stops retrying once its signal is aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = withRetries(
      async () => {
        calls += 1;
        controller.abort();
        throw status(500);
      },
      policy,
      { signal: controller.signal, sleep: async () => {} },
    );
    await expect(result).rejects.toMatchObject({ details: { status: 500 } });
    expect(calls).toBe(1);
  });
});
