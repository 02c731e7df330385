import { lastValueFrom, take, tap, toArray } from 'rxjs';
import { Redactor } from '../../../src/errors/redact';
import type { Page, PageRequest } from '../../../src/sources/http/page';
import { crawl, type CrawlPlan } from '../../../src/sources/http/page-crawler';
import { pageKey } from '../../../src/sources/http/page-url';
import { createPaginator } from '../../../src/sources/http/pagination/pagination-types';
import type { PageMark } from '../../../src/sources/source';

const ORIGIN = 'http://api.test';
const BASE = `${ORIGIN}/items`;

/**
 * A fake API of `last` pages of one record behind `load`, answering after a macrotask. Each page links
 * to the next with `link` (next-link pagination), and says how many pages there are.
 */
function fakeApi(last: number, { link = (page: number) => `${BASE}?page=${page + 1}`, bytes = () => 100 }: { link?: (page: number) => string | undefined; bytes?: (page: number) => number } = {}) {
  const requested: PageRequest[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const paginators = {
    'next-link': createPaginator({ type: 'next-link', next: 'next_page_url' }, { params: {} }),
    'page-number': createPaginator({ type: 'page-number', param: 'page', start: 1, sizeParam: 'per_page', lastPage: 'last_page' }, { params: {} }),
  };
  const load = (paginator: keyof typeof paginators) => async (request: PageRequest): Promise<Page> => {
    requested.push(request);
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight -= 1;
    const page = Number(new URL(request.url).searchParams.get('page') ?? 1);
    const records = page <= last ? [{ page }] : [];
    const body = { data: records, last_page: last, next_page_url: page < last ? (link(page) ?? null) : null };
    const position = paginators[paginator].next(request.position, { url: request.url, body, headers: {}, records });
    const next = position === undefined ? undefined : { position, url: paginators[paginator].url(position, BASE) };
    return { index: request.index, url: request.url, records, bytes: bytes(page), next };
  };
  return { load, paginators, requested, mostInFlight: () => mostInFlight };
}

type Api = ReturnType<typeof fakeApi>;
const plan = (api: Api, paginator: keyof Api['paginators'], options: Partial<Omit<CrawlPlan, 'limits'>> & { limits?: Partial<CrawlPlan['limits']> } = {}): CrawlPlan => ({
  firstUrl: BASE,
  origin: ORIGIN,
  redactor: new Redactor(),
  paginator: api.paginators[paginator],
  load: api.load(paginator),
  ...options,
  limits: { concurrency: 1, maxPages: 1000, maxReadAheadBytes: 1e9, allowCrossOrigin: false, ...options.limits },
});
const run = (crawlPlan: CrawlPlan) => lastValueFrom(crawl(crawlPlan).pipe(toArray()));

describe('crawl', () => {
  it('follows next links one page at a time by default', async () => {
    const api = fakeApi(5);
    const pages = await run(plan(api, 'next-link'));
    expect(pages.map((page) => page.index)).toEqual([1, 2, 3, 4, 5]);
    expect(api.requested).toHaveLength(5);
    expect(api.mostInFlight()).toBe(1);
  });

  it('guesses up to `concurrency` predictable links ahead, emits in order and drops pages past the end', async () => {
    const api = fakeApi(10);
    const pages = await run(plan(api, 'next-link', { limits: { concurrency: 4 } }));
    expect(pages.map((page) => page.records[0].page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(api.mostInFlight()).toBe(4);
    const dropped = api.requested.filter((request) => request.index > 10);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((request) => request.signal?.aborted)).toBe(true);
  });

  it('with a known page count, requests exactly the pages that exist, `concurrency` at a time', async () => {
    const api = fakeApi(10);
    const pages = await run(plan(api, 'page-number', { limits: { concurrency: 4 } }));
    expect(pages.map((page) => page.records[0].page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(api.requested.map((request) => request.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(api.requested.every((request) => !request.signal?.aborted)).toBe(true);
    expect(api.mostInFlight()).toBe(4);
  });

  it('never requests more than `concurrency` pages past the one last emitted, nor any before demand()', async () => {
    const api = fakeApi(30);
    let emitted = 0;
    let worst = 0;
    let pendingDemand = false;
    let requestsDuringDemand = 0;
    const load = api.load('page-number');
    await run(
      plan(api, 'page-number', {
        limits: { concurrency: 3 },
        load: (request) => {
          worst = Math.max(worst, request.index - emitted);
          if (pendingDemand) requestsDuringDemand += 1;
          return load(request);
        },
        demand: async () => {
          emitted += 1;
          pendingDemand = true;
          await new Promise((resolve) => setTimeout(resolve, 3));
          pendingDemand = false;
        },
      }),
    );
    expect(worst).toBe(3);
    expect(requestsDuringDemand).toBe(0);
  });

  it('bounds read-ahead by bytes: pages in flight count as the largest page so far', async () => {
    const api = fakeApi(12, { bytes: () => 1000 });
    let emitted = 0;
    let worst = 0;
    const load = api.load('page-number');
    await run(
      plan(api, 'page-number', {
        limits: { concurrency: 8, maxReadAheadBytes: 2500 },
        load: (request) => {
          worst = Math.max(worst, request.index - emitted);
          return load(request);
        },
        demand: async () => void (emitted += 1),
      }),
    );
    // 2 pages of 1000 bytes fit in 2500 bytes: the next page plus one more ahead.
    expect(worst).toBe(2);
    expect(api.mostInFlight()).toBe(2);
  });

  it('always requests the next page, even when one page is larger than the bound', async () => {
    const api = fakeApi(4, { bytes: () => 10_000 });
    const pages = await run(plan(api, 'page-number', { limits: { concurrency: 8, maxReadAheadBytes: 100 } }));
    expect(pages).toHaveLength(4);
    expect(api.mostInFlight()).toBe(1);
  });

  it('does not read ahead past maxPages', async () => {
    const api = fakeApi(100);
    await expect(run(plan(api, 'next-link', { limits: { concurrency: 8, maxPages: 5 } }))).rejects.toMatchObject({ code: 'PF_HTTP_MAX_PAGES' });
    expect(Math.max(...api.requested.map((request) => request.index))).toBe(5);
  });

  it('fails with the error of the page it waits for, not of a page read ahead and dropped', async () => {
    const api = fakeApi(3);
    const load = api.load('next-link');
    await expect(run(plan(api, 'next-link', { limits: { concurrency: 4 }, load: (request) => (request.index === 4 ? Promise.reject(new Error('page past the end')) : load(request)) }))).resolves.toHaveLength(3);
    await expect(run(plan(api, 'next-link', { limits: { concurrency: 4 }, load: (request) => (request.index === 2 ? Promise.reject(new Error('page 2 broke')) : load(request)) }))).rejects.toThrow('page 2 broke');
  });

  it('stops with the error the guard throws, before emitting that page', async () => {
    const api = fakeApi(5, { link: (page) => `${BASE}?page=${page === 3 ? 2 : page + 1}` });
    const seen: number[] = [];
    const failure = lastValueFrom(crawl(plan(api, 'next-link', { limits: { concurrency: 2 } })).pipe(tap((page) => seen.push(page.index)))).catch((error: Error) => error.message);
    await expect(failure).resolves.toBe(`page 3 (${BASE}?page=3): next link leads back to page 2 (${BASE}?page=2): the API's pagination loops`);
    expect(seen).toEqual([1, 2]);
  });

  it('cancels the requests in flight when unsubscribed', async () => {
    const api = fakeApi(100);
    await lastValueFrom(crawl(plan(api, 'next-link', { limits: { concurrency: 4 } })).pipe(take(2), toArray()));
    expect(api.requested.length).toBeGreaterThan(2);
    expect(api.requested.slice(2).every((request) => request.signal?.aborted)).toBe(true);
  });

  describe('page marks and resuming', () => {
    it('hands demand() a mark per page: index, redacted URL and where to resume', async () => {
      const api = fakeApi(3);
      const marks: PageMark[] = [];
      await run(plan(api, 'page-number', { redactor: new Redactor(), demand: async (mark) => void marks.push({ index: mark.index, url: mark.url, resume: mark.resume }) }));
      expect(marks).toEqual([
        { index: 1, url: `${BASE}?page=1`, resume: { index: 2, position: { page: 2, last: 3 } } },
        { index: 2, url: `${BASE}?page=2`, resume: { index: 3, position: { page: 3, last: 3 } } },
        { index: 3, url: `${BASE}?page=3`, resume: { index: 4, end: true } },
      ]);
    });

    it.each([
      { paginator: 'page-number' as const, concurrency: 1 },
      { paginator: 'page-number' as const, concurrency: 4 },
      { paginator: 'next-link' as const, concurrency: 1 },
      { paginator: 'next-link' as const, concurrency: 4 },
    ])('resumes $paginator (concurrency $concurrency) from every mark with exactly the pages after it', async ({ paginator, concurrency }) => {
      const api = fakeApi(6);
      const marks: PageMark[] = [];
      const all = await run(plan(api, paginator, { limits: { concurrency }, demand: async (mark) => void marks.push(mark) }));
      for (const mark of marks) {
        const rest = await run(plan(fakeApi(6), paginator, { limits: { concurrency }, resumeFrom: JSON.parse(JSON.stringify(mark.resume)) }));
        expect(rest.map((page) => [page.index, page.records])).toEqual(all.filter((page) => page.index > mark.index).map((page) => [page.index, page.records]));
      }
    });

    it('with a known page count, a resumed crawl is parallel from its first request', async () => {
      const api = fakeApi(10);
      await run(plan(api, 'page-number', { limits: { concurrency: 4 }, resumeFrom: { index: 5, position: { page: 5, last: 10 } } }));
      expect(api.requested.slice(0, 4).map((request) => pageKey(request.url))).toEqual([5, 6, 7, 8].map((page) => `${BASE}?page=${page}`));
    });

    it('crawls a page range: only its pages, and none past it', async () => {
      const api = fakeApi(20);
      const pages = await run(plan(api, 'page-number', { limits: { concurrency: 4 }, resumeFrom: { index: 1, position: { page: 6, until: 9 } } }));
      expect(pages.map((page) => page.records[0].page)).toEqual([6, 7, 8, 9]);
      expect(api.requested.map((request) => new URL(request.url).searchParams.get('page'))).toEqual(['6', '7', '8', '9']);
    });

    it('refuses a resume position of another pagination, and resumes nothing after the end', async () => {
      await expect(run(plan(fakeApi(3), 'page-number', { resumeFrom: { index: 2, position: { url: BASE } } }))).rejects.toThrow(/^cannot resume from \{"index":2,"position":\{"url":.*: not a position of this source's pagination$/);
      const api = fakeApi(3);
      await expect(run(plan(api, 'page-number', { resumeFrom: { index: 4, end: true } }))).resolves.toEqual([]);
      expect(api.requested).toHaveLength(0);
    });
  });
});
