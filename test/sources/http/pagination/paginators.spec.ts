import { lastValueFrom, toArray } from 'rxjs';
import { Redactor } from '../../../../src/errors/redact';
import { httpSourceConfig } from '../../../../src/sources/http/http-source';
import { crawl } from '../../../../src/sources/http/page-crawler';
import { firstPageUrl } from '../../../../src/sources/http/page-url';
import { createPaginator } from '../../../../src/sources/http/pagination/pagination-types';
import { readPage } from '../../../../src/sources/http/read-page';
import { numberedRecords } from '../../../helpers/api-server';
import { type ShapeCase, SHAPES, servedIds } from './api-shapes';

const ORIGIN = 'http://api.test';

/** Crawls a shape in memory: the shape answers each request at once and the real page reader and paginator read it. */
async function crawlShape(shape: ShapeCase, count: number, concurrency: number) {
  const settings = httpSourceConfig.parse({ type: 'http', url: `${ORIGIN}${shape.path}`, ...shape.options });
  const paginator = createPaginator(settings.pagination, { params: settings.params ?? {} });
  const api = shape.api(numberedRecords(count));
  const start = firstPageUrl(settings.url, settings.params);
  const requested: URL[] = [];
  const redactor = new Redactor();
  const pages = await lastValueFrom(
    crawl({
      paginator,
      firstUrl: start,
      origin: ORIGIN,
      redactor,
      limits: { concurrency, maxPages: 1000, maxReadAheadBytes: 1e9, allowCrossOrigin: false },
      load: async (request) => {
        const url = new URL(request.url);
        requested.push(url);
        await new Promise((resolve) => setImmediate(resolve));
        const answer = api(url, {});
        const text = answer.raw?.toString() ?? JSON.stringify(answer.body);
        return readPage(request, { status: answer.status ?? 200, headers: answer.headers ?? {}, text, bytes: Buffer.byteLength(text), invalidUtf8: false }, { records: settings.records, paginator, start, redactor });
      },
    }).pipe(toArray()),
  );
  return { ids: pages.flatMap((page) => page.records.map((record) => record.id)), requested, pages };
}

describe('paginator contract (every strategy, table-driven)', () => {
  describe.each(SHAPES)('$name', (shape) => {
    it.each([
      { name: 'several pages, the last one shorter', count: 37 },
      { name: 'pages that end exactly full', count: 30 },
      { name: 'one short page', count: 4 },
      { name: 'no records at all', count: 0 },
    ])('exports every record once, in order: $name', async ({ count }) => {
      for (const concurrency of [1, 4]) {
        const { ids, requested } = await crawlShape(shape, count, concurrency);
        expect(ids).toEqual(servedIds(shape, count));
        // Each page is asked for once; with a known count, none past the last.
        expect(new Set(requested.map(String)).size).toBe(requested.length);
        if (shape.exact) expect(requested).toHaveLength(Math.max(1, Math.ceil(count / 10)));
      }
    });

    it('requests each later page with the configured params', async () => {
      const { requested } = await crawlShape(shape, 25, 1);
      const [name, value] = Object.entries(shape.options.params ?? { limit: 10 })[0];
      expect(requested.length).toBeGreaterThan(1);
      for (const url of requested) expect(url.searchParams.get(name)).toBe(String(value));
    });
  });
});
