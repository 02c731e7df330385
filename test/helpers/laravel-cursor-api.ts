import type { Shape } from './api-server';
import { type LaravelOptions, laravelRequest } from './laravel-pagination';

/** Laravel's cursor: base64url (no padding) of the JSON of the last row's key and its direction. */
const encodeCursor = (id: number) => Buffer.from(JSON.stringify({ id, _pointsToNextItems: true })).toString('base64url');
const decodeCursor = (text: string | null): number | undefined => {
  if (!text) return undefined;
  try {
    const { id } = JSON.parse(Buffer.from(text, 'base64url').toString()) as { id?: unknown };
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A Laravel `cursorPaginate()` endpoint (CursorPaginator::toArray()), ordered by `id`: `next_cursor`
 * and `next_page_url` (`?cursor=…`, without the other parameters), null on the last page.
 */
export const laravelCursorApi = (records: ReadonlyArray<{ id: number }>, options?: LaravelOptions): Shape => (url) => {
  const { perPage, path } = laravelRequest(url, options);
  const after = decodeCursor(url.searchParams.get('cursor'));
  const rest = after === undefined ? records : records.filter((record) => record.id > after);
  const data = rest.slice(0, perPage);
  const next = rest.length > perPage ? encodeCursor(data[data.length - 1].id) : null;
  const prev = after === undefined ? null : Buffer.from(JSON.stringify({ id: data[0]?.id ?? after, _pointsToNextItems: false })).toString('base64url');
  return {
    body: {
      data,
      path,
      per_page: perPage,
      next_cursor: next,
      next_page_url: next && `${path}?cursor=${next}`,
      prev_cursor: prev,
      prev_page_url: prev && `${path}?cursor=${prev}`,
    },
  };
};
