import { intParam } from './api-server';

/**
 * What Laravel's paginators share, as Laravel 11 does it: the page from `?page=` (page 1 for anything
 * that is not a whole number ≥ 1, such as `2,`), the page size the controller takes from `?per_page=`
 * (capped), and links built from the request's path with only `page` in their query string — Laravel
 * drops every other parameter (`per_page` included) unless told `withQueryString()`.
 */
export interface LaravelOptions {
  /** The controller's default page size. @default 15 */
  readonly defaultPerPage?: number;
  /** The controller's cap on `per_page`. @default 100 */
  readonly maxPerPage?: number;
}

export function laravelRequest(url: URL, { defaultPerPage = 15, maxPerPage = 100 }: LaravelOptions = {}) {
  const page = intParam(url, 'page', 1);
  const perPage = Math.min(intParam(url, 'per_page', defaultPerPage), maxPerPage);
  const path = `${url.origin}${url.pathname}`;
  return { page, perPage, path, pageUrl: (n: number) => `${path}?page=${n}` };
}

/** `LengthAwarePaginator::linkCollection()`: previous, the page window (UrlWindow, onEachSide 3, with `...`), next. */
export function laravelLinks(current: number, lastPage: number, pageUrl: (n: number) => string): Array<{ url: string | null; label: string; active: boolean }> {
  const onEachSide = 3;
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);
  let parts: Array<number[] | '...'>;
  if (lastPage < onEachSide * 2 + 8) parts = [range(1, lastPage)];
  else {
    const window = onEachSide + 4;
    if (current <= window) parts = [range(1, window + onEachSide), '...', range(lastPage - 1, lastPage)];
    else if (current > lastPage - window) parts = [range(1, 2), '...', range(lastPage - (window + (onEachSide - 1)), lastPage)];
    else parts = [range(1, 2), '...', range(current - onEachSide, current + onEachSide), '...', range(lastPage - 1, lastPage)];
  }
  return [
    { url: current > 1 ? pageUrl(current - 1) : null, label: '&laquo; Previous', active: false },
    ...parts.flatMap((part) => (part === '...' ? [{ url: null, label: '...', active: false }] : part.map((n) => ({ url: pageUrl(n) as string | null, label: String(n), active: n === current })))),
    { url: current < lastPage ? pageUrl(current + 1) : null, label: 'Next &raquo;', active: false },
  ];
}

/** The records of one page, with Laravel's `from`/`to` (1-based, null for an empty page). */
export function laravelSlice<T>(records: readonly T[], page: number, perPage: number) {
  const start = (page - 1) * perPage;
  const data = records.slice(start, start + perPage);
  return { data, from: data.length > 0 ? start + 1 : null, to: data.length > 0 ? start + data.length : null };
}
