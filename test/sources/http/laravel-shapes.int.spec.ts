import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { HttpSourceOptions } from '../../../src/sources/http/http-source';
import { numberedRecords, type Shape, startApiServerPerTest } from '../../helpers/api-server';
import { laravelCursorApi } from '../../helpers/laravel-cursor-api';
import { laravelPaginateApi } from '../../helpers/laravel-paginate-api';
import { laravelResourceApi } from '../../helpers/laravel-resource-api';
import { laravelSimpleApi } from '../../helpers/laravel-simple-api';
import { runSource } from './run-source';

/** The README's table of Laravel's paginators: each row's first cell and the `source` settings it documents. */
function readmeShapes(): Array<{ laravel: string; settings: Omit<HttpSourceOptions, 'url'> }> {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const start = readme.indexOf("### Laravel's paginators");
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const rows = section.split('\n').filter((line) => /^\| `/.test(line) || /^\| API Resources/.test(line));
  return rows.map((row) => {
    const cells = row.split(' | ');
    const settings = [...cells[cells.length - 1].matchAll(/`((?:params|pagination): \{[^`]*\})`/g)].map(([, yaml]) => parse(yaml) as object);
    return { laravel: cells[0].replace(/^\| /, ''), settings: Object.assign({}, ...settings) };
  });
}

const SERVERS: Record<string, (records: ReturnType<typeof numberedRecords>) => Shape> = {
  '`simplePaginate()`': laravelSimpleApi,
  '`paginate()`': laravelPaginateApi,
  'API Resources: `Resource::collection($query->paginate())`': laravelResourceApi,
  '`cursorPaginate()`': laravelCursorApi,
};

describe('Laravel’s four paginators, configured exactly as the README says', () => {
  const start = startApiServerPerTest();
  const shapes = readmeShapes();

  it('documents all four', () => {
    expect(shapes.map((shape) => shape.laravel)).toEqual(Object.keys(SERVERS));
  });

  it.each(shapes)('$laravel: every record once, per_page on every request, nothing past the end', async ({ laravel, settings }) => {
    for (const concurrency of [1, 4]) {
      const api = await start(SERVERS[laravel](numberedRecords(250)), { latencyMs: 2 });
      const run = await runSource({ url: `${api.origin}/api/customers`, ...settings, concurrency });
      expect(run.records.map((record) => record.id)).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
      expect(api.requests.every((url) => url.searchParams.get('per_page') === '100')).toBe(true);
      // Pages guessed ahead of a next link may go past the end (and be dropped); counted pages never do.
      if (concurrency === 1 || settings.pagination?.type === 'page-number') expect(api.requests).toHaveLength(3);
    }
  });
});
