import type { Shape } from './api-server';
import { laravelPaginateBody } from './laravel-paginate-api';
import type { LaravelOptions } from './laravel-pagination';

/**
 * A Laravel API Resources endpoint, `CustomerResource::collection($query->paginate())`
 * (PaginatedResourceResponse): `data`, `links { first, last, prev, next }` and `meta` with the
 * counts and the link collection.
 */
export const laravelResourceApi = (records: readonly unknown[], options?: LaravelOptions): Shape => (url) => {
  const { data, first_page_url, last_page_url, prev_page_url, next_page_url, ...meta } = laravelPaginateBody(records, url, options);
  const { current_page, from, last_page, links, path, per_page, to, total } = meta;
  return {
    body: {
      data,
      links: { first: first_page_url, last: last_page_url, prev: prev_page_url, next: next_page_url },
      meta: { current_page, from, last_page, links, path, per_page, to, total },
    },
  };
};
