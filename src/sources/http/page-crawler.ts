import { Observable } from 'rxjs';
import type { Page, PageRequest } from './fetch-page';
import { followingPageUrl, pageKey } from './page-url';

export interface CrawlOptions {
  readonly firstUrl: string;
  /** Page requests kept in flight when the next links are predictable. */
  readonly concurrency: number;
  /** No page past this index is requested, not even ahead. */
  readonly maxPages: number;
  /** Gets one page, retries included; must honour `request.signal`. */
  load(request: PageRequest): Promise<Page>;
  /** Throws if the page's next link must not be followed. Called in page order, before the page is emitted. */
  check(page: Page): void;
  /** The sinks' handshake: no request beyond those already in flight is made before it resolves. */
  demand(): Promise<void>;
}

interface Pending {
  readonly index: number;
  readonly url: string;
  readonly page: Promise<Page>;
  readonly controller: AbortController;
}

/**
 * Follows the next links from the first page and emits every page once, in page order.
 *
 * With `concurrency` N > 1 it reads ahead when the links are predictable: when a page's next link is
 * its own URL with the `page` parameter incremented (Laravel's links), pages k+1…k+N are requested
 * at once. Each page's own next link must then confirm the page requested after it; when it does
 * not, the pages requested ahead are dropped and the crawl follows the link it was given. The crawl
 * ends at the first page without a next link; pages requested past it are dropped unseen. At most N
 * pages are ever requested ahead of the one last emitted, and new ones only after `demand()`.
 */
export function crawlPages(options: CrawlOptions): Observable<Page> {
  return new Observable<Page>((subscriber) => {
    const stopped = new AbortController();
    const queue: Pending[] = [];
    const request = (index: number, url: string) => {
      const controller = new AbortController();
      const page = options.load({ index, url, signal: AbortSignal.any([stopped.signal, controller.signal]) });
      page.catch(() => {}); // a page dropped unseen may fail unobserved; a page awaited reports its own failure
      queue.push({ index, url, page, controller });
    };
    const dropQueued = () => {
      for (const pending of queue.splice(0)) pending.controller.abort();
    };

    const crawl = async () => {
      request(1, options.firstUrl);
      for (;;) {
        const page = await queue.shift()!.page;
        if (stopped.signal.aborted) return;
        options.check(page);
        subscriber.next(page);
        if (page.next === undefined) return;

        const following = followingPageUrl(page.url);
        const predictable = following !== undefined && pageKey(following) === pageKey(page.next);
        if (queue.length > 0 && pageKey(queue[0].url) !== pageKey(page.next)) dropQueued();
        await options.demand();
        if (stopped.signal.aborted) return;
        if (queue.length === 0) request(page.index + 1, page.next);
        const ahead = predictable ? options.concurrency : 1;
        while (queue.length < ahead && queue[queue.length - 1].index < options.maxPages) {
          const last = queue[queue.length - 1];
          const url = followingPageUrl(last.url);
          if (url === undefined) break;
          request(last.index + 1, url);
        }
      }
    };

    crawl()
      .finally(dropQueued)
      .then(
        () => subscriber.complete(),
        (error: unknown) => subscriber.error(error),
      );
    return () => stopped.abort();
  });
}
