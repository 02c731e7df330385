import type { Shape } from './api-server';
import { laravelLinks, type LaravelOptions, laravelRequest, laravelSlice } from './laravel-pagination';

/** The body of `$query->paginate()` (LengthAwarePaginator::toArray()), as Laravel 11 serialises it. */
export function laravelPaginateBody(records: readonly unknown[], url: URL, options?: LaravelOptions) {
  const { page, perPage, path, pageUrl } = laravelRequest(url, options);
  const lastPage = Math.max(Math.ceil(records.length / perPage), 1);
  const { data, from, to } = laravelSlice(records, page, perPage);
  return {
    current_page: page,
    data,
    first_page_url: pageUrl(1),
    from,
    last_page: lastPage,
    last_page_url: pageUrl(lastPage),
    links: laravelLinks(page, lastPage, pageUrl),
    next_page_url: page < lastPage ? pageUrl(page + 1) : null,
    path,
    per_page: perPage,
    prev_page_url: page > 1 ? pageUrl(page - 1) : null,
    to,
    total: records.length,
  };
}

/** A Laravel `paginate()` endpoint (length-aware: `last_page`, `total`). */
export const laravelPaginateApi = (records: readonly unknown[], options?: LaravelOptions): Shape => (url) => ({ body: laravelPaginateBody(records, url, options) });
