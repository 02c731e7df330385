import { Observable, tap } from 'rxjs';
import { z } from 'zod';
import type { Redactor } from '../../errors/redact';
import { SourceError } from '../../errors/source-error';
import type { PageMark } from '../source';
import type { CrawlLimits, HttpSession } from './http-session';
import { describePage, type Page, type PageRequest } from './page';
import { loadPage } from './page-loader';
import { pageKey } from './page-url';
import type { Paginator } from './pagination/paginator';
import { PaginationGuard } from './pagination-guard';

export interface CrawlOptions {
  /** Dot path of the records array in each page; empty for a body that is the array. */
  readonly records: string;
  /**
   * The sinks' handshake, called after each page's records were emitted, with where the crawl stands:
   * no request beyond those already in flight is made before it resolves.
   */
  demand?(mark: PageMark): Promise<void>;
  /** A `PageMark.resume` of an earlier crawl with the same paginator: start at the request after that page. */
  readonly resumeFrom?: unknown;
  /** Bounds other than the session's (a child request reads one page at a time). */
  readonly limits?: CrawlLimits;
}

/** Everything `crawl` needs; `load` gets one page, retries included, and must honour `request.signal`. */
export interface CrawlPlan extends Omit<CrawlOptions, 'records'> {
  readonly paginator: Paginator;
  readonly firstUrl: string;
  /** Origin of the configured `url`. */
  readonly origin: string;
  readonly limits: CrawlLimits;
  readonly redactor: Redactor;
  load(request: PageRequest): Promise<Page>;
}

/** What `PageMark.resume` holds: the index and paginator position of the next request, or that the crawl had ended. */
const resumeMark = z.union([z.strictObject({ index: z.int().min(1), position: z.unknown() }), z.strictObject({ index: z.int().min(1), end: z.literal(true) })]);

interface Pending {
  readonly index: number;
  readonly position: unknown;
  readonly url: string;
  readonly page: Promise<Page>;
  /** The body's size once it arrived. */
  bytes?: number;
}

/** Where a crawl starts: the first request, a resumed one, or nowhere (it had ended). */
function startOf(paginator: Paginator, resumeFrom: unknown): { index: number; position: unknown } | undefined {
  if (resumeFrom === undefined) return { index: 1, position: paginator.first() };
  const mark = resumeMark.safeParse(resumeFrom);
  const position = mark.success && 'position' in mark.data ? paginator.position.safeParse(mark.data.position) : undefined;
  if (!mark.success || (position && !position.success)) {
    throw new SourceError(`cannot resume from ${JSON.stringify(resumeFrom)?.slice(0, 200)}: not a position of this source's pagination`, { code: 'PF_HTTP_RESUME' });
  }
  return position ? { index: mark.data.index, position: position.data } : undefined;
}

/** The pages of one paginated resource, read with the session's clients, auth, rate gate and retry policy. */
export function crawlPages(session: HttpSession, paginator: Paginator, firstUrl: string, { records, limits = session.limits, ...options }: CrawlOptions): Observable<Page> {
  const reading = { records, paginator, start: firstUrl, redactor: session.redactor };
  return crawl({
    ...options,
    paginator,
    firstUrl,
    origin: session.origin,
    limits,
    redactor: session.redactor,
    load: (request) => loadPage(session, request, reading),
  }).pipe(tap((page) => page.invalidUtf8 && noteInvalidUtf8(session, page)));
}

/**
 * Crawls the pages of one paginated resource from `firstUrl` (or `resumeFrom`) and emits every page
 * once, in page order, after checking where it leads (`PaginationGuard`).
 *
 * With `concurrency` N > 1 it requests up to N pages ahead of the one last emitted, when the
 * paginator can tell them: exactly the pages that exist once the page count is known (`lastPage`,
 * `total`), else guesses (`?page=n+1` links) that each page's own next request must confirm — on a
 * mismatch the pages requested ahead are dropped and the crawl goes where the page said. Pages past
 * the end are dropped unseen. New requests go out only after `demand()`, and pages read ahead are
 * bounded by bytes too (`maxReadAheadBytes`, pages in flight counted as the largest page so far).
 */
export function crawl(plan: CrawlPlan): Observable<Page> {
  const { paginator, firstUrl, redactor, load } = plan;
  const { concurrency, maxPages, maxReadAheadBytes, allowCrossOrigin } = plan.limits;
  return new Observable<Page>((subscriber) => {
    let stopped = false;
    let finished = false;
    let largest = 0;
    // One signal for the requests of a stretch of the crawl, not one per request (a signal costs more than
    // the rest of the page's bookkeeping): dropping the pages read ahead aborts it and starts a new one.
    let requests = new AbortController();
    const queue: Pending[] = [];
    const guard = new PaginationGuard({ origin: plan.origin, allowCrossOrigin, maxPages, redactor });

    const request = (index: number, position: unknown, url = paginator.url(position, firstUrl)) => {
      const page = load({ index, url, position, signal: requests.signal });
      const pending: Pending = { index, position, url, page };
      page.then(
        (loaded) => {
          pending.bytes = loaded.bytes;
          largest = Math.max(largest, loaded.bytes);
        },
        () => {}, // a page dropped unseen may fail unobserved; a page awaited reports its own failure
      );
      queue.push(pending);
    };
    /** Drops the pages requested ahead; only ever called when no other page is awaited. */
    const dropQueued = () => {
      if (queue.length === 0) return;
      queue.length = 0;
      requests.abort();
      requests = new AbortController();
    };
    const readAhead = () => queue.reduce((sum, pending) => sum + (pending.bytes ?? largest), 0);

    /** Requests pages ahead while the paginator can tell them (guesses only while they come true), within the bounds. */
    const fillAhead = (guessing: boolean) => {
      while (queue.length < concurrency) {
        const last = queue[queue.length - 1];
        if (last.index >= maxPages || readAhead() + largest > maxReadAheadBytes) return;
        const ahead = paginator.ahead?.(last.position, last.url);
        if (!ahead || (!ahead.exact && !guessing)) return;
        request(last.index + 1, ahead.position);
      }
    };

    /** True when the page's own next request is the guess the paginator would have made from it. */
    const guessedRight = (from: Pending, next: Page['next']) => {
      const guess = next && paginator.ahead?.(from.position, from.url);
      return guess !== undefined && !guess.exact && sameRequest(paginator.url(guess.position, firstUrl), next!.url);
    };

    const crawl = async () => {
      const start = startOf(paginator, plan.resumeFrom);
      if (!start) return;
      request(start.index, start.position);
      for (;;) {
        const read = queue.shift()!;
        const page = await read.page;
        if (stopped) return;
        guard.check(page);
        subscriber.next(page);
        const { next } = page;
        if (queue.length > 0 && (next === undefined || !sameRequest(queue[0].url, next.url))) dropQueued();
        await plan.demand?.(new CrawlMark(page, redactor));
        if (stopped || next === undefined) return;
        const guessing = concurrency > 1 && guessedRight(read, next);
        if (queue.length === 0) request(page.index + 1, next.position, next.url);
        if (concurrency > 1) fillAhead(guessing);
      }
    };

    crawl()
      .finally(() => {
        finished = true;
        dropQueued();
      })
      .then(
        () => subscriber.complete(),
        (error: unknown) => subscriber.error(error),
      );
    return () => {
      stopped = true;
      if (!finished) requests.abort();
    };
  });
}

/** Where a crawl stands after a page. The redacted URL is worked out only when asked for (most runs never do). */
class CrawlMark implements PageMark {
  readonly index: number;
  readonly resume: unknown;

  constructor(
    private readonly page: Page,
    private readonly redactor: Redactor,
  ) {
    this.index = page.index;
    this.resume = page.next ? { index: page.index + 1, position: page.next.position } : { index: page.index + 1, end: true };
  }

  get url(): string {
    return this.redactor.redact(this.page.url);
  }
}

/** Same page, whatever the order of the query parameters. */
function sameRequest(a: string, b: string): boolean {
  return a === b || pageKey(a) === pageKey(b);
}

function noteInvalidUtf8(session: HttpSession, page: Page): void {
  session.metrics.invalidUtf8Pages += 1;
  if (session.invalidUtf8Warned) return;
  session.invalidUtf8Warned = true;
  session.logger.log(
    'warn',
    `${describePage(page, session.redactor)}: the body is not valid UTF-8; the invalid bytes became U+FFFD (pages affected are counted in the summary: invalidUtf8Pages)`,
  );
}
