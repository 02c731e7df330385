import { ConfigError } from '../../src/errors/config-error';
import { silentLogger } from '../../src/logger';
import { loadJob } from '../../src/fleet/pipeline-job';
import { planSplit, rangeResume } from '../../src/fleet/split-plan';
import { numberedRecords, startApiServerPerTest } from '../helpers/api-server';
import { laravelPaginateApi } from '../helpers/laravel-paginate-api';

const startApi = startApiServerPerTest();

/** 25 records, 5 a page: pages 1–5, counted by `total`. */
const job = (origin: string, { key = 'out.csv', transforms = '' } = {}) =>
  loadJob({
    format: 1,
    pipeline: {
      file: 'plan.yaml',
      dir: '/',
      set: [],
      text: `name: plan
source:
  type: http
  url: ${origin}/v1/customers
  params: { per_page: 5 }
  pagination: { type: page-number, total: total }
${transforms}sinks:
  - type: s3
    bucket: b
    key: ${key}
`,
    },
    variables: {},
  });

const pagesAsked = (requests: URL[]) => requests.map((url) => url.searchParams.get('page'));

describe('planSplit', () => {
  it('reads the first page only when no sink needs its columns', async () => {
    const api = await startApi(laravelPaginateApi(numberedRecords(25)));
    const plan = await planSplit(job(api.origin, { key: 'out.ndjson' }), 2, { file: 'plan.yaml', logger: silentLogger });
    expect(plan).toEqual({ ranges: [{ from: 1, to: 2 }, { from: 3, to: 4 }, { from: 5, to: 5 }], position: { last: 5 } });
    expect(pagesAsked(api.requests)).toEqual(['1']);
    expect(rangeResume(plan, plan.ranges[1])).toEqual({ index: 3, position: { last: 5, page: 3, until: 4 } });
  });

  it('takes the CSV columns from the first page whose records reach the sinks, after the transforms', async () => {
    const api = await startApi(laravelPaginateApi(numberedRecords(25)));
    const plan = await planSplit(job(api.origin, { transforms: 'transforms:\n  - filter: id > 5\n  - set: { source: "\'api\'" }\n' }), 2, { file: 'plan.yaml', logger: silentLogger });
    expect(plan.columns).toEqual(['id', 'name', 'source']);
    expect(pagesAsked(api.requests)).toEqual(['1', '2']);
  });

  it('refuses to guess the columns when no record of the first range reaches the sinks', async () => {
    const api = await startApi(laravelPaginateApi(numberedRecords(25)));
    const error = await planSplit(job(api.origin, { transforms: 'transforms:\n  - filter: id > 15\n' }), 2, { file: 'plan.yaml', logger: silentLogger }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('sinks: --split-pages: no record of the first 2 pages reaches the sinks, so the CSV columns (the keys of the first page with records) are not known before the ranges start');
  });
});
