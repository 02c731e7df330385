import type { Shape } from './api-server';
import { intParam } from './api-server';

const token = (index: number) => Buffer.from(`after:${index}`).toString('base64url');

/**
 * A generic cursor API (Google style, in snake case): `?page_size=&page_token=`, `{ items, next_page_token }`
 * with an opaque token, null on the last page; an unknown token is a 400.
 */
export const pageTokenApi = (records: readonly unknown[], { defaultPageSize = 10 }: { defaultPageSize?: number } = {}): Shape => (url) => {
  const size = intParam(url, 'page_size', defaultPageSize);
  const given = url.searchParams.get('page_token');
  const start = given === null ? 0 : Number(/^after:(\d+)$/.exec(Buffer.from(given, 'base64url').toString())?.[1] ?? NaN);
  if (Number.isNaN(start)) return { status: 400, body: { error: 'invalid page_token' } };
  const end = Math.min(start + size, records.length);
  return { body: { items: records.slice(start, end), next_page_token: end < records.length ? token(end) : null } };
};
