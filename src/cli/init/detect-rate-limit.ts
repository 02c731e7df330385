import type { ResponseHeaders } from '../../sources/http/server-wait';

export interface DetectedRateLimit {
  readonly requests: number;
  readonly per: string;
  readonly why: string;
}

/**
 * A `rateLimit` from the `X-RateLimit-Limit` header (Laravel's throttle, GitHub, many others). The
 * header gives the count, not the window: Laravel's default minute is assumed, and said so.
 */
export function detectRateLimit(headers: ResponseHeaders): DetectedRateLimit | undefined {
  const limit = headers['x-ratelimit-limit'];
  const requests = typeof limit === 'string' && /^\d+$/.test(limit.trim()) ? Number(limit) : undefined;
  if (requests === undefined || requests < 1) return undefined;
  return { requests, per: '60s', why: `X-RateLimit-Limit: ${requests}; the window is not in the headers, a minute is assumed (Laravel's throttle)` };
}
