import type { Redactor } from '../../errors/redact';
import { SourceError } from '../../errors/source-error';
import { HttpErrorCode } from './http-errors';
import { describePage, type Page } from './page';
import { originOf, pageKey } from './page-url';

/** Empty pages in a row whose next link is followed; one more means the API is paging through nothing. */
export const MAX_EMPTY_PAGES_FOLLOWED = 3;

export interface PaginationRules {
  /** Origin of the configured `url`: the only one credentials go to. */
  readonly origin: string;
  readonly allowCrossOrigin: boolean;
  readonly maxPages: number;
  readonly redactor: Redactor;
}

/**
 * Checks where each page leads before it is followed, in page order, against pagination that would
 * never end or end somewhere else: a loop back to a page already read, more pages than `maxPages`,
 * a run of empty pages, a link that is not http(s) or carries a user name and password, a link to
 * another origin.
 */
export class PaginationGuard {
  // The index of each page read, by its URL (parameters sorted): about 300 bytes a page, never its records.
  private readonly read = new Map<string, number>();
  private emptyInARow = 0;
  // The key of the last next link: the next page's own URL, usually, so it is not worked out twice.
  private lastNext = { url: '', key: '' };

  constructor(private readonly rules: PaginationRules) {}

  /** Throws a `SourceError` if following `page.next` is not safe. */
  check(page: Page): void {
    this.read.set(page.url === this.lastNext.url ? this.lastNext.key : pageKey(page.url), page.index);
    if (page.next === undefined) return;
    const { redactor } = this.rules;
    const fail = (code: string, problem: string): never => {
      throw new SourceError(`${describePage(page, redactor)}: ${redactor.redact(problem)}`, { url: redactor.redact(page.url), code });
    };

    const next = page.next.url;
    // Only a real request to a real server: no `data:` or `file:` link, and no user:password@ that would replace our credentials.
    if (!/^https?:\/\//i.test(next)) fail(HttpErrorCode.badLink, `next link is not an http(s) URL (${next.slice(0, next.indexOf(':') + 1)}…): refused`);
    if (/^https?:\/\/[^/?#]*@/i.test(next)) fail(HttpErrorCode.badLink, 'next link carries a user name or password (user:password@): refused');

    const nextKey = pageKey(next);
    this.lastNext = { url: next, key: nextKey };
    const earlier = this.read.get(nextKey);
    if (earlier !== undefined) {
      const target = earlier === page.index ? 'itself' : describePage({ index: earlier, url: nextKey }, redactor);
      fail(HttpErrorCode.paginationLoop, `next link leads back to ${target}: the API's pagination loops`);
    }
    if (page.index >= this.rules.maxPages) {
      fail(HttpErrorCode.maxPages, `maxPages (${this.rules.maxPages}) reached and there are more pages: the export would be incomplete (raise source.maxPages, or use --limit for a partial export)`);
    }
    this.emptyInARow = page.records.length === 0 ? this.emptyInARow + 1 : 0;
    if (this.emptyInARow > MAX_EMPTY_PAGES_FOLLOWED) {
      fail(HttpErrorCode.emptyPages, `${this.emptyInARow} empty pages in a row that still link to a next page: stopping, the API seems to page through nothing`);
    }
    const origin = originOf(next);
    if (origin !== this.rules.origin && !this.rules.allowCrossOrigin) {
      fail(
        HttpErrorCode.crossOrigin,
        `next link leads to another origin (${origin}): refused, credentials are only sent to ${this.rules.origin}; set allowCrossOrigin: true to follow it without credentials`,
      );
    }
  }
}
