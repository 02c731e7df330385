import { SourceError } from '../../errors/source-error';
import { redact } from '../../errors/redact';
import { describePage, type Page } from './fetch-page';
import { HttpErrorCode } from './http-errors';
import { pageKey } from './page-url';

/** Empty pages in a row whose next link is followed; one more means the API is paging through nothing. */
export const MAX_EMPTY_PAGES_FOLLOWED = 3;

export interface PaginationRules {
  /** Origin of the configured `url`: the only one credentials go to. */
  readonly origin: string;
  readonly allowCrossOrigin: boolean;
  readonly maxPages: number;
  readonly secrets: readonly string[];
}

/**
 * Checks each page's next link before it is followed, in page order, against pagination that would
 * never end or end somewhere else: a loop back to a page already read, more pages than `maxPages`,
 * a run of empty pages, a link to another origin.
 */
export class PaginationGuard {
  // The index of each page read, by its URL (parameters sorted): about 200 bytes a page, never its records.
  private readonly read = new Map<string, number>();
  private emptyInARow = 0;

  constructor(private readonly rules: PaginationRules) {}

  /** Throws a `SourceError` if following `page.next` is not safe. */
  check(page: Page): void {
    this.read.set(pageKey(page.url), page.index);
    if (page.next === undefined) return;
    const where = describePage(page, this.rules.secrets);
    const fail = (code: string, problem: string): never => {
      throw new SourceError(`${where}: ${problem}`, { url: redact(page.url, this.rules.secrets), code });
    };

    const nextKey = pageKey(page.next);
    const earlier = this.read.get(nextKey);
    if (earlier !== undefined) {
      const target = earlier === page.index ? 'itself' : describePage({ index: earlier, url: nextKey }, this.rules.secrets);
      fail(HttpErrorCode.paginationLoop, `next link leads back to ${target}: the API's pagination loops`);
    }
    if (page.index >= this.rules.maxPages) {
      fail(HttpErrorCode.maxPages, `maxPages (${this.rules.maxPages}) reached and there are more pages: the export would be incomplete (raise source.maxPages, or use --limit for a partial export)`);
    }
    this.emptyInARow = page.records.length === 0 ? this.emptyInARow + 1 : 0;
    if (this.emptyInARow > MAX_EMPTY_PAGES_FOLLOWED) {
      fail(HttpErrorCode.emptyPages, `${this.emptyInARow} empty pages in a row that still link to a next page: stopping, the API seems to page through nothing`);
    }
    const origin = new URL(page.next).origin;
    if (origin !== this.rules.origin && !this.rules.allowCrossOrigin) {
      fail(
        HttpErrorCode.crossOrigin,
        `next link leads to another origin (${redact(origin, this.rules.secrets)}): refused, credentials are only sent to ${this.rules.origin}; set allowCrossOrigin: true to follow it without credentials`,
      );
    }
  }
}
