/** Response headers as axios hands them over (lower-case names). */
export type ResponseHeaders = Readonly<Record<string, unknown>>;

// X-RateLimit-Reset is an epoch timestamp on some APIs and a number of seconds on others: a value
// this large cannot be a sensible wait, so it is a timestamp.
const EPOCH_THRESHOLD_SECONDS = 10 * 365 * 24 * 3600;

/** `Retry-After` as milliseconds from `now`: a number of seconds or an HTTP date. */
export function retryAfterMs(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `X-RateLimit-Reset` as milliseconds from `now`: epoch seconds or seconds from now. */
export function rateLimitResetMs(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const seconds = Number(value.trim());
  return seconds > EPOCH_THRESHOLD_SECONDS ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
}

/** How long the server asks us to wait: `Retry-After` first, else `X-RateLimit-Reset`. */
export function serverWaitMs(headers: ResponseHeaders, now = Date.now()): number | undefined {
  return retryAfterMs(headers['retry-after'], now) ?? rateLimitResetMs(headers['x-ratelimit-reset'], now);
}

/** True when the server says this was the last request its rate-limit window allows (`X-RateLimit-Remaining: 0`). */
export function windowUsedUp(headers: ResponseHeaders): boolean {
  const remaining = headers['x-ratelimit-remaining'];
  return typeof remaining === 'string' && remaining.trim() === '0';
}
