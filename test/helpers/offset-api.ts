import type { Shape } from './api-server';
import { intParam } from './api-server';

/** An offset API: `?offset=&limit=` (limit capped at `maxLimit`), `{ items, offset, limit }`, with `total` unless `withTotal` is false. */
export const offsetApi = (records: readonly unknown[], { withTotal = true, maxLimit = 1000 }: { withTotal?: boolean; maxLimit?: number } = {}): Shape => (url) => {
  const offset = intParam(url, 'offset', 0, 0);
  const limit = Math.min(intParam(url, 'limit', 20), maxLimit);
  return { body: { items: records.slice(offset, offset + limit), offset, limit, ...(withTotal ? { total: records.length } : {}) } };
};
