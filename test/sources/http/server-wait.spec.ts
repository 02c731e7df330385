import { rateLimitResetMs, retryAfterMs, serverWaitMs, windowUsedUp } from '../../../src/sources/http/server-wait';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('server-wait', () => {
  it.each([
    { name: 'seconds', value: '1', ms: 1000 },
    { name: 'fractional seconds', value: '0.5', ms: 500 },
    { name: 'an HTTP date', value: 'Thu, 01 Jan 2026 12:00:30 GMT', ms: 30_000 },
    { name: 'an HTTP date in the past', value: 'Thu, 01 Jan 2026 11:00:00 GMT', ms: 0 },
    { name: 'garbage', value: 'soon', ms: undefined },
    { name: 'nothing', value: undefined, ms: undefined },
  ])('Retry-After as $name', ({ value, ms }) => {
    expect(retryAfterMs(value, NOW)).toBe(ms);
  });

  it.each([
    { name: 'seconds from now', value: '42', ms: 42_000 },
    { name: 'epoch seconds', value: String(NOW / 1000 + 17), ms: 17_000 },
    { name: 'epoch seconds in the past', value: String(NOW / 1000 - 5), ms: 0 },
    { name: 'garbage', value: 'x', ms: undefined },
  ])('X-RateLimit-Reset as $name', ({ value, ms }) => {
    expect(rateLimitResetMs(value, NOW)).toBe(ms);
  });

  it('prefers Retry-After to X-RateLimit-Reset', () => {
    expect(serverWaitMs({ 'retry-after': '2', 'x-ratelimit-reset': '60' }, NOW)).toBe(2000);
    expect(serverWaitMs({ 'x-ratelimit-reset': '60' }, NOW)).toBe(60_000);
    expect(serverWaitMs({}, NOW)).toBeUndefined();
  });

  it('sees a used-up window only in X-RateLimit-Remaining: 0', () => {
    expect(windowUsedUp({ 'x-ratelimit-remaining': '0' })).toBe(true);
    expect(windowUsedUp({ 'x-ratelimit-remaining': '3' })).toBe(false);
    expect(windowUsedUp({})).toBe(false);
  });
});
