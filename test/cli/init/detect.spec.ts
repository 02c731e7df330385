import { detectPagination } from '../../../src/cli/init/detect-pagination';
import { detectRateLimit } from '../../../src/cli/init/detect-rate-limit';
import { detectRecords, recordFields } from '../../../src/cli/init/detect-records';
import type { PageFetcher, ProbedPage } from '../../../src/cli/init/probe-pages';
import { numberedRecords, type Shape } from '../../helpers/api-server';
import { laravelPaginateBody } from '../../helpers/laravel-paginate-api';
import { stripeApi } from '../../helpers/stripe-api';

const ORIGIN = 'http://api.test';

/** The shape answering in memory, as init's fetcher would get it; the URLs asked for are kept. */
function fetcherOf(shape: Shape): { fetch: PageFetcher; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetch: async (url) => {
      asked.push(url);
      const { status = 200, body, headers = {} } = shape(new URL(url), {});
      if (status >= 400) throw new Error(`HTTP ${status}`);
      return { url, headers, body } satisfies ProbedPage;
    },
  };
}

describe('detectRecords', () => {
  it('takes the records, not Laravel paginate\'s link collection', () => {
    const body = laravelPaginateBody(numberedRecords(40), new URL(`${ORIGIN}/v1/customers`));
    expect(detectRecords(body)).toMatchObject({ path: 'data', sureness: 'sure' });
    expect(detectRecords(body)?.records).toHaveLength(15);
  });

  it('a body that is the list, and a nested list named like records', () => {
    expect(detectRecords([{ id: 1 }])).toMatchObject({ path: '', sureness: 'sure', why: 'the body is the list of records' });
    expect(detectRecords({ response: { results: [{ id: 1 }] }, tags: [{ name: 'x' }, { name: 'y' }] })).toMatchObject({ path: 'response.results', sureness: 'sure' });
  });

  it('without a records-like name, the longest list of objects, only likely', () => {
    expect(detectRecords({ a: [{ id: 1 }], b: [{ id: 1 }, { id: 2 }] })).toMatchObject({ path: 'b', sureness: 'likely', why: '"b" is the longest list of objects (other lists: a)' });
  });

  it('none in a page without a list of objects', () => {
    expect(detectRecords({ data: [1, 2, 3] })).toBeUndefined();
  });

  it('fields in order of first appearance', () => {
    expect(recordFields([{ id: 1, name: 'a' }, { id: 2, email: 'e', name: 'b' }])).toEqual(['id', 'name', 'email']);
  });
});

describe('detectPagination', () => {
  it('a Stripe-style list: has_more and the last id as starting_after, confirmed on page 2', async () => {
    const records = numberedRecords(25).map(({ id, name }) => ({ id: `cus_${id}`, name }));
    const { fetch } = fetcherOf(stripeApi(records));
    const first = await fetch(`${ORIGIN}/v1/customers`);
    const { detected } = await detectPagination(first, 'data', fetch);
    expect(detected).toMatchObject({ pagination: { type: 'cursor', fromLastRecord: 'id', param: 'starting_after', hasMore: 'has_more' }, sureness: 'likely' });
  });

  it('a page number with total_pages', async () => {
    const records = numberedRecords(25);
    const shape: Shape = (url) => {
      const page = Number(url.searchParams.get('page') ?? 1);
      return { body: { page, total_pages: 3, results: records.slice((page - 1) * 10, page * 10) } };
    };
    const { fetch, asked } = fetcherOf(shape);
    const { detected } = await detectPagination(await fetch(`${ORIGIN}/things`), 'results', fetch);
    expect(detected).toMatchObject({ shape: 'page number in "page", last page in "total_pages"', pagination: { type: 'page-number', param: 'page', lastPage: 'total_pages' } });
    expect(asked).toEqual([`${ORIGIN}/things`, `${ORIGIN}/things?page=2`]);
  });

  it('a single page: the named shape, unconfirmed', async () => {
    const { fetch } = fetcherOf((url) => ({ body: laravelPaginateBody(numberedRecords(3), url) }));
    const { detected } = await detectPagination(await fetch(`${ORIGIN}/v1/customers`), 'data', fetch);
    expect(detected).toMatchObject({ shape: 'Laravel paginate (length-aware)', sureness: 'likely', why: 'the first page is also the last, so no second page could confirm it' });
  });

  it('none, with why each candidate was ruled out', async () => {
    // A next link that leads back to page 1.
    const { fetch } = fetcherOf(() => ({ body: { data: [{ id: 1 }], next: `${ORIGIN}/items` } }));
    const { detected, rejected } = await detectPagination(await fetch(`${ORIGIN}/items`), 'data', fetch);
    expect(detected).toBeUndefined();
    expect(rejected).toEqual(['next link in "next": page 2 repeats page 1']);
  });
});

describe('detectRateLimit', () => {
  it('from X-RateLimit-Limit, a minute assumed', () => {
    expect(detectRateLimit({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' })).toMatchObject({ requests: 60, per: '60s' });
    expect(detectRateLimit({ 'x-ratelimit-limit': 'lots' })).toBeUndefined();
    expect(detectRateLimit({})).toBeUndefined();
  });
});
