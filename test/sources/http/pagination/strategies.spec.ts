import { PageProblem, type PageView } from '../../../../src/sources/http/pagination/paginator';
import { nextRelation } from '../../../../src/sources/http/pagination/link-header';
import { pageRange } from '../../../../src/sources/http/pagination/page-number';
import { createPaginator, paginationConfig } from '../../../../src/sources/http/pagination/pagination-types';

const START = 'https://api.example.test/v1/items?per_page=2&sort=id';
const paginator = (config: unknown, params: Record<string, string | number> = { per_page: 2 }) => createPaginator(paginationConfig.parse(config), { params });
const view = (body: unknown, records: unknown[] = [], headers: Record<string, string> = {}, url = START): PageView => ({ url, body, headers, records: records as PageView['records'] });
const problem = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PageProblem);
    return (error as Error).message;
  }
  throw new Error('expected a PageProblem');
};

describe('pagination config', () => {
  it('defaults to next-link on next_page_url', () => {
    expect(paginationConfig.parse(undefined)).toEqual({ type: 'next-link', next: 'next_page_url' });
  });

  it.each([
    [{ type: 'cursor' }, 'set either cursor (a path in the page) or fromLastRecord (a field of the records)'],
    [{ type: 'cursor', cursor: 'next', fromLastRecord: 'id' }, 'set either cursor (a path in the page) or fromLastRecord (a field of the records)'],
    [{ type: 'page-number', lastPage: 'last_page', total: 'total' }, 'set lastPage or total, not both'],
    [{ type: 'offset' }, expect.stringMatching(/expected number/)],
  ])('rejects %j', (config, message) => {
    const result = paginationConfig.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toEqual(message);
  });
});

describe('next-link', () => {
  const next = paginator({ type: 'next-link', next: 'links.next' });

  it('resolves a relative link against the page URL and puts back the parameters of the first request it lost', () => {
    const position = next.next({}, view({ links: { next: '?page=2,' } }));
    expect(position).toEqual({ url: 'https://api.example.test/v1/items?page=2' });
    expect(next.url(position, START)).toBe('https://api.example.test/v1/items?page=2&per_page=2&sort=id');
  });

  it.each([null, ''])('ends at %j', (link) => {
    expect(next.next({}, view({ links: { next: link } }))).toBeUndefined();
  });

  it('fails when the path is absent, naming look-alikes', () => {
    expect(problem(() => next.next({}, view({ next_page_url: 'x', meta: { next_cursor: null } })))).toBe('no "links.next" in the page (pagination.next); paths that do exist: next_page_url, meta.next_cursor');
  });

  it('guesses ?page=n+1 ahead, as a guess', () => {
    expect(next.ahead?.({}, `${START}&page=3`)).toEqual({ position: { url: 'https://api.example.test/v1/items?per_page=2&sort=id&page=4' }, exact: false });
  });
});

describe('link-header', () => {
  const links = paginator({ type: 'link-header' });

  it.each([
    ['<https://a.test/x?page=2>; rel="next", <https://a.test/x?page=9>; rel="last"', 'https://a.test/x?page=2'],
    ['<https://a.test/x?page=9>; rel="last", <https://a.test/x?page=2>; rel=next', 'https://a.test/x?page=2'],
    ['<https://a.test/x?a=1,2&page=3>; title="p, 3"; rel="next prefetch"', 'https://a.test/x?a=1,2&page=3'],
    ['<https://a.test/x?page=1>; REL="Next"', 'https://a.test/x?page=1'],
    ['<https://a.test/x?page=1>; rel="prev"', undefined],
    ['', undefined],
  ])('reads %s', (header, expected) => {
    expect(nextRelation(header)).toBe(expected);
  });

  it('ends on a page without a Link header, or one without rel="next"', () => {
    expect(links.next({}, view([]))).toBeUndefined();
    expect(links.next({}, view([], [], { link: '<https://a.test/x?page=1>; rel="first"' }))).toBeUndefined();
  });

  it('fails when there is no Link header but the body links on (the wrong strategy)', () => {
    expect(problem(() => links.next({}, view({ data: [], links: { next: 'https://api.example.test/v1/items?page=2' } })))).toBe(
      'no Link header, but the body looks paginated (use pagination type next-link or cursor); paths that do exist: links.next',
    );
  });
});

describe('page-number', () => {
  it('replaces only its own parameter, keeping params', () => {
    const pages = paginator({ type: 'page-number', param: 'p', start: 0 });
    expect(pages.first()).toEqual({ page: 0 });
    expect(pages.url({ page: 3 }, `${START}&p=9`)).toBe('https://api.example.test/v1/items?per_page=2&sort=id&p=3');
    expect(pages.expectedPage?.({ page: 3 }, '')).toBe(3);
  });

  it('without a count, goes on after a full page and ends at a short or empty one', () => {
    const pages = paginator({ type: 'page-number' });
    expect(pages.next({ page: 1 }, view({}, [{}, {}]))).toEqual({ page: 2 });
    expect(pages.next({ page: 2 }, view({}, [{}]))).toBeUndefined();
    expect(pages.next({ page: 2 }, view({}, []))).toBeUndefined();
  });

  it('without a page size in params, ends only at an empty page', () => {
    const pages = paginator({ type: 'page-number' }, {});
    expect(pages.next({ page: 1 }, view({}, [{}]))).toEqual({ page: 2 });
    expect(pages.next({ page: 2 }, view({}, []))).toBeUndefined();
  });

  it('with lastPage, knows the pages ahead exactly and ends at the last', () => {
    const pages = paginator({ type: 'page-number', lastPage: 'meta.last_page' });
    const second = pages.next({ page: 1 }, view({ meta: { last_page: 3 } }, [{}, {}]));
    expect(second).toEqual({ page: 2, last: 3 });
    expect(pages.ahead?.(second!, '')).toEqual({ position: { page: 3, last: 3 }, exact: true });
    expect(pages.ahead?.({ page: 3, last: 3 }, '')).toBeUndefined();
    expect(pages.next({ page: 3, last: 3 }, view({ meta: { last_page: 3 } }, [{}]))).toBeUndefined();
  });

  it('with total, counts pages of the configured size, or of the first page’s size', () => {
    expect(paginator({ type: 'page-number', total: 'total' }).next({ page: 1 }, view({ total: 5 }, [{}, {}]))).toEqual({ page: 2, last: 3 });
    const serverSized = paginator({ type: 'page-number', total: 'total' }, {});
    expect(serverSized.next({ page: 1 }, view({ total: 7 }, [{}, {}, {}]))).toEqual({ page: 2, last: 3, size: 3 });
    expect(serverSized.next({ page: 1 }, view({ total: '0' }, []))).toBeUndefined();
  });

  it('fails when a page before the last is short: the server caps the page size', () => {
    const pages = paginator({ type: 'page-number', total: 'total' }, { per_page: 500 });
    expect(problem(() => pages.next({ page: 1 }, view({ total: 1000 }, Array(100).fill({}))))).toBe(
      'page 1 of 2 has 100 records, fewer than the page size 500: the count and the pages disagree (does the server cap per_page?)',
    );
  });

  it.each([
    [{ last_page: null }, 'expected a whole number at "last_page" (pagination.lastPage), got null'],
    [{ total_pages: 4 }, 'no "last_page" in the page (pagination.lastPage); paths that do exist: total_pages'],
  ])('fails on a count it cannot read: %j', (body, message) => {
    expect(problem(() => paginator({ type: 'page-number', lastPage: 'last_page' }).next({ page: 1 }, view(body, [{}, {}])))).toBe(message);
  });

  it('crawls a page range and nothing past it', () => {
    const pages = paginator({ type: 'page-number', lastPage: 'last_page' });
    expect(pages.position.parse(pageRange(3, 4))).toEqual({ page: 3, until: 4 });
    expect(pages.next({ page: 3, until: 4 }, view({ last_page: 10 }, [{}, {}]))).toEqual({ page: 4, last: 10, until: 4 });
    expect(pages.next({ page: 4, last: 10, until: 4 }, view({ last_page: 10 }, [{}, {}]))).toBeUndefined();
    expect(pages.ahead?.({ page: 4, last: 10, until: 4 }, '')).toBeUndefined();
  });

  it('checks the last page of a range for a short page, as one crawl of every page would', () => {
    const pages = paginator({ type: 'page-number', total: 'total' }, { per_page: 2 });
    expect(problem(() => pages.next({ page: 4, last: 10, until: 4 }, view({ total: 20 }, [{}])))).toBe(
      'page 4 of 10 has 1 records, fewer than the page size 2: the count and the pages disagree (does the server cap per_page?)',
    );
  });
});

describe('offset', () => {
  const offsets = paginator({ type: 'offset', limit: 2, total: 'total' }, { limit: 50, offset: 7 });

  it('sets its own offset and limit, replacing params of the same name', () => {
    expect(offsets.url({ offset: 4 }, 'https://api.example.test/v1/items?limit=50&offset=7&q=a')).toBe('https://api.example.test/v1/items?q=a&limit=2&offset=4');
  });

  it('ends at the total, knowing the pages ahead exactly', () => {
    expect(offsets.next({ offset: 0 }, view({ total: 5 }, [{}, {}]))).toEqual({ offset: 2, total: 5 });
    expect(offsets.ahead?.({ offset: 2, total: 5 }, '')).toEqual({ position: { offset: 4, total: 5 }, exact: true });
    expect(offsets.ahead?.({ offset: 4, total: 5 }, '')).toBeUndefined();
    expect(offsets.next({ offset: 4 }, view({ total: 5 }, [{}]))).toBeUndefined();
  });

  it('fails when a page before the total is short: the server caps the limit', () => {
    expect(problem(() => offsets.next({ offset: 0 }, view({ total: 5 }, [{}])))).toBe('1 records at offset 0, fewer than limit 2, with 5 in total: does the server cap limit?');
  });

  it('without a total, ends at a short page', () => {
    const noTotal = paginator({ type: 'offset', limit: 2 });
    expect(noTotal.next({ offset: 0 }, view({}, [{}, {}]))).toEqual({ offset: 2 });
    expect(noTotal.next({ offset: 2 }, view({}, [{}]))).toBeUndefined();
  });
});

describe('cursor', () => {
  it('passes the cursor of the page, ending at null or empty', () => {
    const cursors = paginator({ type: 'cursor', cursor: 'meta.next_cursor' });
    expect(cursors.url({}, START)).toBe(START);
    expect(cursors.next({}, view({ meta: { next_cursor: 'eyJpZCI6MTV9' } }))).toEqual({ cursor: 'eyJpZCI6MTV9' });
    expect(cursors.url({ cursor: 'a+b/c=' }, START)).toBe(`${START}&cursor=a%2Bb%2Fc%3D`);
    expect(cursors.next({}, view({ meta: { next_cursor: null } }))).toBeUndefined();
    expect(cursors.next({}, view({ meta: { next_cursor: '' } }))).toBeUndefined();
    expect(cursors.next({}, view({ meta: { next_cursor: 42 } }))).toEqual({ cursor: '42' });
  });

  it('takes the last record’s field (Stripe), and ends at has_more: false', () => {
    const stripe = paginator({ type: 'cursor', fromLastRecord: 'id', param: 'starting_after', hasMore: 'has_more' }, { limit: 2 });
    expect(stripe.next({}, view({ has_more: true }, [{ id: 'cus_1' }, { id: 'cus_2' }]))).toEqual({ cursor: 'cus_2' });
    expect(stripe.url({ cursor: 'cus_2' }, 'https://api.stripe.test/v1/customers?limit=2')).toBe('https://api.stripe.test/v1/customers?limit=2&starting_after=cus_2');
    expect(stripe.next({}, view({ has_more: false }, [{ id: 'cus_3' }]))).toBeUndefined();
  });

  it.each([
    [{ type: 'cursor', fromLastRecord: 'id', hasMore: 'has_more' }, { has_more: 'yes' }, [{ id: 1 }], 'expected true or false at "has_more" (pagination.hasMore), got string'],
    [{ type: 'cursor', fromLastRecord: 'id', hasMore: 'has_more' }, { hasMore: true }, [{ id: 1 }], 'no "has_more" in the page (pagination.hasMore); paths that do exist: hasMore'],
    [{ type: 'cursor', fromLastRecord: 'id' }, {}, [{ name: 'x' }], 'the last record has no "id" (pagination.fromLastRecord) to continue from'],
    [{ type: 'cursor', cursor: 'next' }, { next: { token: 'a' } }, [], 'expected a cursor (text or number), got object'],
    [{ type: 'cursor', cursor: 'next' }, { cursor: 'abc' }, [], 'no "next" in the page (pagination.cursor); paths that do exist: cursor'],
  ])('fails on %j with %j', (config, body, records, message) => {
    expect(problem(() => paginator(config).next({}, view(body, records)))).toBe(message);
  });
});
