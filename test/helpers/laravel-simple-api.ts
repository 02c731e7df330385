import type { Shape } from './api-server';
import { type LaravelOptions, laravelRequest, laravelSlice } from './laravel-pagination';

/**
 * A Laravel `simplePaginate()` endpoint (Paginator::toArray()): no count; `next_page_url` is set when
 * the query found more than a page of rows (Laravel fetches `per_page + 1` to tell).
 */
export const laravelSimpleApi = (records: readonly unknown[], options?: LaravelOptions): Shape => (url) => {
  const { page, perPage, path, pageUrl } = laravelRequest(url, options);
  const { data, from, to } = laravelSlice(records, page, perPage);
  return {
    body: {
      current_page: page,
      data,
      first_page_url: pageUrl(1),
      from,
      next_page_url: records.length > page * perPage ? pageUrl(page + 1) : null,
      path,
      per_page: perPage,
      prev_page_url: page > 1 ? pageUrl(page - 1) : null,
      to,
    },
  };
};
