/** Query parameters the pipeline sets on every page request. */
export type QueryParams = Readonly<Record<string, string | number | boolean>>;

/** The first page's URL: the configured URL with `params` set on it. */
export function firstPageUrl(url: string, params: QueryParams = {}): string {
  const result = new URL(url);
  for (const [key, value] of Object.entries(params)) result.searchParams.set(key, String(value));
  return result.toString();
}

/** The URL's origin (`https://host:port`, no userinfo), read from a URL as `URL` serialises it, without parsing it again. */
export function originOf(url: string): string {
  const start = url.indexOf('//') + 2;
  const end = url.indexOf('/', start);
  const authority = end === -1 ? url.slice(start) : url.slice(start, end);
  return `${url.slice(0, start)}${authority.slice(authority.lastIndexOf('@') + 1)}`;
}

/**
 * Turns a next link from a page (body or `Link` header) into an absolute URL, or `undefined` at the end.
 *
 * Tolerates what real Laravel APIs send: stray whitespace and trailing commas (`?page=2,`), and
 * relative links, which resolve against the page's own URL.
 */
export function resolveLink(link: unknown, pageUrl: string): string | undefined {
  if (link === null || link === undefined) return undefined;
  if (typeof link !== 'string') throw new TypeError(`expected the next link to be a string or null, got ${Array.isArray(link) ? 'an array' : typeof link}`);
  const cleaned = link.trim().replace(/[\s,]+$/, '');
  if (cleaned === '') return undefined;
  return new URL(cleaned, pageUrl).toString();
}

/**
 * Puts back any query parameter of the first request (`params`, and those written in `url`) that a
 * same-origin link lost: Laravel builds its links without the query string unless the server opted
 * in, and a `per_page` that silently falls back to the default mid-crawl makes pages skip or repeat
 * rows (an `api_key` in the URL, pages that answer 401). A link to another origin is not the same
 * API: our parameters stay home.
 */
export class LostParams {
  private start?: string;
  private origin = '';
  private params: Array<[string, string]> = [];

  restore(link: string, start: string): string {
    if (start !== this.start) {
      const parsed = new URL(start);
      this.origin = parsed.origin;
      this.params = [...parsed.searchParams];
      this.start = start;
    }
    if (this.params.length === 0 || originOf(link) !== this.origin) return link;
    const result = new URL(link);
    let changed = false;
    for (const [key, value] of this.params) {
      if (!result.searchParams.has(key)) {
        result.searchParams.append(key, value);
        changed = true;
      }
    }
    return changed ? result.toString() : link;
  }
}

/**
 * Builds URLs that differ from `start` only in a few query parameters of their own (`page`, `offset`,
 * `cursor`), which replace any of the same name: `start` is parsed once, each URL is string work.
 */
export class QueryTemplate {
  private base = '';
  private separator = '?';
  private start?: string;

  constructor(private readonly own: readonly string[]) {}

  url(start: string, values: Readonly<Record<string, string | number>>): string {
    if (start !== this.start) this.prepare(start);
    let url = this.base;
    let separator = this.separator;
    for (const name of this.own) {
      const value = values[name];
      if (value === undefined) continue;
      url += `${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
      separator = '&';
    }
    return url;
  }

  private prepare(start: string): void {
    const parsed = new URL(start);
    for (const name of this.own) parsed.searchParams.delete(name);
    parsed.hash = '';
    this.base = parsed.toString();
    this.separator = parsed.search === '' ? '?' : '&';
    this.start = start;
  }
}

/** The `page` query parameter as a number, when the URL has a numeric one. */
export function pageParameter(url: string): number | undefined {
  const match = /[?&]page=(\d+)(?:[&#]|$)/.exec(url);
  return match ? Number(match[1]) : undefined;
}

/** The URL with its `page` parameter incremented (a URL without one is page 1), or undefined when `page` is not a number. */
export function followingPageUrl(url: string): string | undefined {
  const result = new URL(url);
  const page = result.searchParams.has('page') ? pageParameter(url) : 1;
  if (page === undefined) return undefined;
  result.searchParams.set('page', String(page + 1));
  return result.toString();
}

/**
 * Identifies a page regardless of the order of its query parameters, for comparing links. String work
 * on a URL as `URL` serialises it: this runs for every page.
 */
export function pageKey(url: string): string {
  const hash = url.indexOf('#');
  const clean = hash === -1 ? url : url.slice(0, hash);
  const query = clean.indexOf('?');
  if (query === -1) return clean;
  const params = clean.slice(query + 1).split('&');
  return params.length < 2 ? clean : `${clean.slice(0, query)}?${params.sort().join('&')}`;
}
