import { numberedRecords, startApiServerPerTest } from '../../helpers/api-server';
import { laravelPaginateApi } from '../../helpers/laravel-paginate-api';
import { SHAPES, servedIds } from './pagination/api-shapes';
import { runSource, runSourceError } from './run-source';

describe('http source: every pagination strategy against loopback APIs', () => {
  const start = startApiServerPerTest();

  describe.each(SHAPES)('$name', (shape) => {
    it.each([1, 4])('exports every record exactly once, in order, at concurrency %i', async (concurrency) => {
      const api = await start(shape.api(numberedRecords(37)));
      const run = await runSource({ url: `${api.origin}${shape.path}`, ...shape.options, concurrency });
      expect(run.records.map((record) => record.id)).toEqual(servedIds(shape, 37));
      expect(run.metrics).toMatchObject({ recordsRead: 37, pages: shape.name.startsWith('cursor from the last record') ? 5 : 4 });
      if (shape.exact) expect(api.requests).toHaveLength(4);
      const [name, value] = Object.entries(shape.options.params ?? { limit: 10 })[0];
      expect(api.requests.every((url) => url.searchParams.get(name) === String(value))).toBe(true);
    });
  });

  it('with a known last page, requests pages 2…N `concurrency` at a time, none past the last, records in page order', async () => {
    const api = await start(laravelPaginateApi(numberedRecords(400)), { latencyMs: 50 });
    const run = await runSource({ url: `${api.origin}/api/customers`, params: { per_page: 10 }, pagination: { type: 'page-number', lastPage: 'last_page' }, concurrency: 8 });
    expect(run.records.map((record) => record.id)).toEqual(servedIds(SHAPES[0], 400));
    expect(api.requests.map((url) => url.searchParams.get('page'))).toEqual(Array.from({ length: 40 }, (_, index) => String(index + 1)));
    expect(api.maxInFlight()).toBe(8);
    // Sequentially 40 × 50 ms; 8 at a time, about 1 + ⌈39 / 8⌉ = 6 rounds (latency large against a loaded machine's overhead).
    expect(run.elapsedMs).toBeLessThan(40 * 50 * 0.6);
  });

  it('with rateLimit, spreads the parallel requests over the window and never exceeds it', async () => {
    const arrivals: number[] = [];
    const shape = laravelPaginateApi(numberedRecords(200));
    const api = await start((url, headers) => {
      arrivals.push(Date.now());
      return shape(url, headers);
    });
    const run = await runSource({ url: `${api.origin}/api/customers`, params: { per_page: 10 }, pagination: { type: 'page-number', lastPage: 'last_page' }, concurrency: 8, rateLimit: { requests: 5, per: '500ms' } });
    expect(run.records).toHaveLength(200);
    expect(arrivals).toHaveLength(20);
    // Never more than 5 in any 500 ms; about 100 ms apart rather than in bursts of 5.
    for (let index = 5; index < arrivals.length; index += 1) expect(arrivals[index] - arrivals[index - 5]).toBeGreaterThanOrEqual(490);
    // The median, not the minimum: a stalled event loop on a loaded machine can send two granted requests back to back.
    const gaps = arrivals.slice(1).map((at, index) => at - arrivals[index]).sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(90);
  });

  it('fails when the API answers a page other than the one asked for (current_page in meta)', async () => {
    const api = await start((url) => ({ body: { data: [{ id: 1 }], links: { next: `${url.origin}/items?page=2` }, meta: { current_page: 1, last_page: 3 } } }));
    const error = await runSourceError({ url: `${api.origin}/items`, pagination: { type: 'page-number', lastPage: 'meta.last_page' } });
    expect(error.message).toBe(`page 2 (${api.origin}/items?page=2): asked for page 2 but the server answered current_page 1`);
  });

  it('fails on a page where the configured next path is absent, naming the look-alikes, and reads no further', async () => {
    const api = await start((url) => ({ body: { data: [{ id: 1 }], links: { next: `${url.origin}/items?page=2` }, meta: { next_cursor: 'abc' } } }));
    const error = await runSourceError({ url: `${api.origin}/items` });
    expect(error.message).toBe(`page 1 (${api.origin}/items): no "next_page_url" in the page (pagination.next); paths that do exist: links.next, meta.next_cursor`);
    expect(error.code).toBe('PF_HTTP_BAD_PAGE');
    expect(api.requests).toHaveLength(1);
  });
});
