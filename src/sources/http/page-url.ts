/** Query parameters the pipeline sets on every page request. */
export type QueryParams = Readonly<Record<string, string | number | boolean>>;

/** The first page's URL: the configured URL with `params` set on it. */
export function firstPageUrl(url: string, params: QueryParams = {}): string {
  const result = new URL(url);
  for (const [key, value] of Object.entries(params)) result.searchParams.set(key, String(value));
  return result.toString();
}

/**
 * Turns a page's next link into the URL to request, or `undefined` at the end.
 *
 * Tolerates what real Laravel APIs send: stray whitespace and trailing commas (`?page=2,`),
 * and relative links. Puts back any of `params` the link lost: Laravel builds `next_page_url`
 * without the query string unless the server opted in, and a `per_page` that silently falls
 * back to the default mid-crawl makes pages skip or repeat rows. Links to another origin are
 * taken as they are.
 */
export function nextPageUrl(link: unknown, currentUrl: string, params: QueryParams = {}): string | undefined {
  if (link === null || link === undefined) return undefined;
  if (typeof link !== 'string') throw new TypeError(`expected the next link to be a string or null, got ${typeof link}`);
  const cleaned = link.trim().replace(/[\s,]+$/, '');
  if (cleaned === '') return undefined;
  const next = new URL(cleaned, currentUrl);
  // Another origin is not the same API: our parameters (an api_key among them, perhaps) stay home.
  if (next.origin !== new URL(currentUrl).origin) return next.toString();
  for (const [key, value] of Object.entries(params)) {
    if (!next.searchParams.has(key)) next.searchParams.set(key, String(value));
  }
  return next.toString();
}

/** The `page` query parameter as a number, when the URL has a numeric one. */
export function pageParameter(url: string): number | undefined {
  const value = new URL(url).searchParams.get('page');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The URL with its `page` parameter incremented (a URL without one is page 1), or undefined when `page` is not a number. */
export function followingPageUrl(url: string): string | undefined {
  const result = new URL(url);
  const page = result.searchParams.has('page') ? pageParameter(url) : 1;
  if (page === undefined) return undefined;
  result.searchParams.set('page', String(page + 1));
  return result.toString();
}

/** Identifies a page regardless of the order of its query parameters, for comparing links. */
export function pageKey(url: string): string {
  const result = new URL(url);
  result.searchParams.sort();
  result.hash = '';
  return result.toString();
}
