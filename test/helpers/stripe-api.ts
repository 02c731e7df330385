import type { Shape } from './api-server';
import { intParam } from './api-server';

/** A Stripe-style list: `?limit=&starting_after=<id>`, `{ object: 'list', data, has_more, url }`. */
export const stripeApi = (records: ReadonlyArray<{ id: string }>): Shape => (url) => {
  const limit = Math.min(intParam(url, 'limit', 10), 100);
  const after = url.searchParams.get('starting_after');
  const start = after === null ? 0 : records.findIndex((record) => record.id === after) + 1;
  if (after !== null && start === 0) return { status: 400, body: { error: { type: 'invalid_request_error', message: `No such object: '${after}'` } } };
  const data = records.slice(start, start + limit);
  return { body: { object: 'list', data, has_more: start + limit < records.length, url: url.pathname } };
};
