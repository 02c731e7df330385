import { readFile } from 'node:fs/promises';
import { numberedRecords, type Shape, startApiServerPerTest } from '../helpers/api-server';
import { laravelCursorApi } from '../helpers/laravel-cursor-api';
import { laravelPaginateApi } from '../helpers/laravel-paginate-api';
import { laravelResourceApi } from '../helpers/laravel-resource-api';
import { laravelSimpleApi } from '../helpers/laravel-simple-api';
import { linkHeaderApi } from '../helpers/link-header-api';
import { offsetApi } from '../helpers/offset-api';
import { pageTokenApi } from '../helpers/page-token-api';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(30_000);
const startApi = startApiServerPerTest();
let dir: TmpDir;
beforeEach(async () => (dir = await createTmpDir()));
afterEach(() => dir.remove());

const RECORDS = numberedRecords(47);
const csvOf = (records: ReadonlyArray<{ id: number; name: string }>) => ['id,name', ...records.map(({ id, name }) => `${id},${name}`)].join('\n') + '\n';

/** Only requests with the bearer token get an answer. */
const withToken = (shape: Shape, token: string): Shape => (url, headers) => (headers.authorization === `Bearer ${token}` ? shape(url, headers) : { status: 401, body: { message: 'Unauthenticated.' } });
/** Only requests with the credential `accepts` recognises get an answer. */
const guarded = (shape: Shape, accepts: (url: URL, headers: Parameters<Shape>[1]) => boolean): Shape => (url, headers) =>
  accepts(url, headers) ? shape(url, headers) : { status: 401, body: { message: 'Unauthenticated.' } };
const withRateLimitHeaders = (shape: Shape): Shape => (url, headers) => {
  const answer = shape(url, headers);
  return { ...answer, headers: { ...answer.headers, 'x-ratelimit-limit': '6000', 'x-ratelimit-remaining': '5999' } };
};

/** `init` on the API, then `run` on the file as written: the CSV must hold every record once, in order. */
async function initThenRun(shape: Shape, { initArgs = [] as string[], env = {} as Record<string, string> } = {}) {
  const api = await startApi(shape);
  const init = await runCli(['init', `${api.origin}/v1/customers`, '-o', 'pipelines/customers.yaml', ...initArgs], { cwd: dir.path, env });
  expect({ code: init.exitCode, stderr: init.stderr }).toEqual({ code: 0, stderr: '' });
  const file = await readFile(dir.resolve('pipelines/customers.yaml'), 'utf8');
  const run = await runCli(['run', 'pipelines/customers.yaml', '-q'], { cwd: dir.path, env });
  expect({ code: run.exitCode, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(await readFile(dir.resolve('out/customers.csv'), 'utf8')).toBe(csvOf(RECORDS));
  return { init, file, api };
}

describe('pageflow init, then run on the written file unedited', () => {
  it('Laravel simplePaginate: next_page_url, per_page; a rateLimit from X-RateLimit-Limit', async () => {
    const { init, file } = await initThenRun(withRateLimitHeaders(laravelSimpleApi(RECORDS)));
    expect(init.stdout).toMatch(/pagination: Laravel simplePaginate, page size per_page=15 \(sure: page 2/);
    expect(file).toMatch(/pagination:\n {4}type: next-link\n {4}next: next_page_url/);
    expect(file).toMatch(/params:\n {4}per_page: 15/);
    expect(file).toMatch(/rateLimit:\n {4}requests: 6000\n {4}per: 60s/);
    expect(file).toMatch(/columns:\n {6}- id\n {6}- name\n/);
  });

  it('Laravel paginate (length-aware): page numbers up to last_page', async () => {
    const { init, file } = await initThenRun(laravelPaginateApi(RECORDS));
    expect(init.stdout).toMatch(/pagination: Laravel paginate \(length-aware\)/);
    expect(file).toMatch(/type: page-number\n {4}lastPage: last_page/);
    expect(file).not.toMatch(/rateLimit/);
  });

  it('Laravel API Resources: links.next', async () => {
    const { init, file } = await initThenRun(laravelResourceApi(RECORDS));
    expect(init.stdout).toMatch(/pagination: Laravel API Resources/);
    expect(file).toMatch(/type: next-link\n {4}next: links.next/);
  });

  it('Laravel cursorPaginate: next_cursor, with a bearer token from the environment, never written', async () => {
    const token = 'tok_3f9a8c7e6d5b4a39';
    const { init, file } = await initThenRun(withToken(laravelCursorApi(RECORDS), token), { initArgs: ['--auth', 'bearer', '--token-env', 'API_TOKEN'], env: { API_TOKEN: token } });
    expect(init.stdout).toMatch(/pagination: Laravel cursorPaginate/);
    expect(file).toMatch(/type: cursor\n {4}cursor: next_cursor\n {4}param: cursor/);
    expect(file).toMatch(/token: \$\{API_TOKEN\}/);
    expect(file).not.toContain(token);
    expect(init.stdout).not.toContain(token);
  });

  it('a Link-header API (the body is the list), with an API key header', async () => {
    const key = 'key_5e4d3c2b1a09f8e7';
    const { init, file } = await initThenRun(guarded(linkHeaderApi(RECORDS, { defaultPerPage: 10 }), (_url, headers) => headers['x-api-key'] === key), {
      initArgs: ['--auth', 'api-key', '--token-env', 'API_KEY'],
      env: { API_KEY: key },
    });
    expect(file).toMatch(/auth:\n {4}type: api-key\n {4}name: X-Api-Key\n {4}value: \$\{API_KEY\}\n {4}in: header/);
    expect(file + init.stdout).not.toContain(key);
    expect(init.stdout).toMatch(/records: {4}"" — 10 on page 1/);
    expect(file).toMatch(/records: ""\n/);
    expect(file).toMatch(/type: link-header/);
  });

  it('an offset API with a total, with basic auth', async () => {
    const basic = `Basic ${Buffer.from('exporter:pw_8s7d6f5g4h').toString('base64')}`;
    const { init, file } = await initThenRun(guarded(offsetApi(RECORDS), (_url, headers) => headers.authorization === basic), {
      initArgs: ['--auth', 'basic', '--user-env', 'API_USER', '--token-env', 'API_PASSWORD'],
      env: { API_USER: 'exporter', API_PASSWORD: 'pw_8s7d6f5g4h' },
    });
    expect(file).toMatch(/auth:\n {4}type: basic\n {4}username: \$\{API_USER\}\n {4}password: \$\{API_PASSWORD\}\n/);
    expect(file + init.stdout).not.toContain('pw_8s7d6f5g4h');
    expect(init.stdout).toMatch(/pagination: offset in "offset", total in "total" \(likely: page 2/);
    expect(file).toMatch(/records: items\n/);
    expect(file).toMatch(/type: offset\n {4}param: offset\n {4}limitParam: limit\n {4}limit: 20\n {4}total: total/);
  });

  it('a generic cursor API: the token parameter found by trying names on page 2; an API key in the query', async () => {
    const key = 'key_q9w8e7r6t5y4';
    const { init, file } = await initThenRun(guarded(pageTokenApi(RECORDS), (url) => url.searchParams.get('key') === key), {
      initArgs: ['--auth', 'api-key', '--key-in', 'query', '--key-name', 'key', '--token-env', 'API_KEY'],
      env: { API_KEY: key },
    });
    expect(file).toMatch(/value: \$\{API_KEY\}\n {4}in: query/);
    expect(file + init.stdout).not.toContain(key);
    expect(init.stdout).toMatch(/pagination: cursor in "next_page_token", sent as \?page_token=/);
    expect(file).toMatch(/type: cursor\n {4}cursor: next_page_token\n {4}param: page_token/);
  });
});

describe('pageflow init refuses', () => {
  it('a secret in the URL: the file would hold it', async () => {
    const result = await runCli(['init', 'http://127.0.0.1:9/v1/customers?api_key=s3cr3tvalue'], { cwd: dir.path });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--auth api-key --key-in query --key-name api_key --token-env VAR');
    expect(result.stderr).not.toContain('s3cr3tvalue');
  });

  it('an unset token variable', async () => {
    const result = await runCli(['init', 'http://127.0.0.1:9/v1/customers', '--auth', 'bearer', '--token-env', 'API_TOKEN'], { cwd: dir.path });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('API_TOKEN is not set');
  });

  it('an API whose pagination it cannot tell, naming what the page holds', async () => {
    const api = await startApi(() => ({ body: { data: [{ id: 1 }], other: true } }));
    const result = await runCli(['init', `${api.origin}/v1/things`], { cwd: dir.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('could not tell how the pages follow each other; its keys: data, other');
  });
});
