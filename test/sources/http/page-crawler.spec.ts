import { lastValueFrom, take, tap, toArray } from 'rxjs';
import type { Page, PageRequest } from '../../../src/sources/http/fetch-page';
import { type CrawlOptions, crawlPages } from '../../../src/sources/http/page-crawler';
import { followingPageUrl, pageKey } from '../../../src/sources/http/page-url';

const BASE = 'http://api.test/items';

/** A fake API of `last` pages behind `load`, answering after a macrotask; `link` makes the next links. */
function fakeApi(last: number, link: (page: number) => string | undefined = (page) => `${BASE}?page=${page + 1}`) {
  const requested: PageRequest[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const load = async (request: PageRequest): Promise<Page> => {
    requested.push(request);
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight -= 1;
    const page = Number(new URL(request.url).searchParams.get('page') ?? 1);
    const records = page <= last ? [{ page }] : [];
    return { index: request.index, url: request.url, records, next: page < last ? link(page) : undefined };
  };
  return { load, requested, mostInFlight: () => mostInFlight };
}

const crawl = (options: Partial<CrawlOptions> & Pick<CrawlOptions, 'load'>) =>
  lastValueFrom(crawlPages({ firstUrl: BASE, concurrency: 1, maxPages: 1000, check: () => {}, demand: async () => {}, ...options }).pipe(toArray()));

describe('crawlPages', () => {
  it('follows next links one page at a time by default', async () => {
    const api = fakeApi(5);
    const pages = await crawl({ load: api.load });
    expect(pages.map((page) => page.index)).toEqual([1, 2, 3, 4, 5]);
    expect(api.requested).toHaveLength(5);
    expect(api.mostInFlight()).toBe(1);
  });

  it('reads up to `concurrency` predictable pages ahead, emits in order and drops pages past the end', async () => {
    const api = fakeApi(10);
    const pages = await crawl({ load: api.load, concurrency: 4 });
    expect(pages.map((page) => page.records[0].page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(api.mostInFlight()).toBe(4);
    const dropped = api.requested.filter((request) => request.index > 10);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((request) => request.signal?.aborted)).toBe(true);
  });

  it('never requests more than `concurrency` pages past the one last emitted, nor any before demand()', async () => {
    const api = fakeApi(30);
    let emitted = 0;
    let worst = 0;
    let pendingDemand = false;
    let requestsDuringDemand = 0;
    await lastValueFrom(
      crawlPages({
        firstUrl: BASE,
        concurrency: 3,
        maxPages: 1000,
        check: () => {
          emitted += 1;
        },
        load: (request) => {
          worst = Math.max(worst, request.index - emitted);
          if (pendingDemand) requestsDuringDemand += 1;
          return api.load(request);
        },
        demand: async () => {
          pendingDemand = true;
          await new Promise((resolve) => setTimeout(resolve, 3));
          pendingDemand = false;
        },
      }).pipe(toArray()),
    );
    expect(worst).toBe(3);
    expect(requestsDuringDemand).toBe(0);
  });

  it('does not read ahead past maxPages', async () => {
    const api = fakeApi(100);
    await lastValueFrom(crawlPages({ firstUrl: BASE, concurrency: 8, maxPages: 5, check: () => {}, demand: async () => {}, load: api.load }).pipe(take(5), toArray()));
    expect(Math.max(...api.requested.map((request) => request.index))).toBe(5);
  });

  it('fails with the error of the page it waits for, not of a page read ahead and dropped', async () => {
    const api = fakeApi(3);
    const load = (request: PageRequest) => (request.index === 4 ? Promise.reject(new Error('page past the end')) : api.load(request));
    await expect(crawl({ load, concurrency: 4 })).resolves.toHaveLength(3);
    const failing = (request: PageRequest) => (request.index === 2 ? Promise.reject(new Error('page 2 broke')) : api.load(request));
    await expect(crawl({ load: failing, concurrency: 4 })).rejects.toThrow('page 2 broke');
  });

  it('stops with the error `check` throws, before emitting that page', async () => {
    const api = fakeApi(5);
    const seen: number[] = [];
    const result = lastValueFrom(
      crawlPages({
        firstUrl: BASE,
        concurrency: 2,
        maxPages: 1000,
        demand: async () => {},
        load: api.load,
        check: (page) => {
          if (page.index === 3) throw new Error('loop');
        },
      }).pipe(
        tap((page) => seen.push(page.index)),
        toArray(),
      ),
    ).catch((error: Error) => error.message);
    await expect(result).resolves.toBe('loop');
    expect(seen).toEqual([1, 2]);
  });

  it('cancels the requests in flight when unsubscribed', async () => {
    const api = fakeApi(100);
    await lastValueFrom(crawlPages({ firstUrl: BASE, concurrency: 4, maxPages: 1000, check: () => {}, demand: async () => {}, load: api.load }).pipe(take(2), toArray()));
    expect(api.requested.length).toBeGreaterThan(2);
    expect(api.requested.slice(2).every((request) => request.signal?.aborted)).toBe(true);
  });
});

describe('page prediction', () => {
  it.each([
    { url: `${BASE}?page=3&per_page=10`, following: `${BASE}?page=4&per_page=10` },
    { url: `${BASE}?per_page=10`, following: `${BASE}?per_page=10&page=2` },
    { url: `${BASE}?page=abc`, following: undefined },
  ])('the page after $url is $following', ({ url, following }) => {
    expect(followingPageUrl(url)).toBe(following);
  });

  it('compares links regardless of the order of their parameters', () => {
    expect(pageKey(`${BASE}?per_page=10&page=2`)).toBe(pageKey(`${BASE}?page=2&per_page=10`));
    expect(pageKey(`${BASE}?page=2`)).not.toBe(pageKey(`${BASE}?page=3`));
  });
});
