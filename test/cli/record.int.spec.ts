import { readdir, readFile, writeFile } from 'node:fs/promises';
import { numberedRecords, type Shape, startApiServerPerTest } from '../helpers/api-server';
import { laravelSimpleApi } from '../helpers/laravel-simple-api';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(30_000);
const startApi = startApiServerPerTest();
const KEY = 'key_Zx9/Qw+8 Lm7&Po6';
const RECORDS = numberedRecords(40);

let dir: TmpDir;
beforeEach(async () => (dir = await createTmpDir()));
afterEach(() => dir.remove());

/**
 * A Laravel simplePaginate API that wants `?api_key=`, and echoes the key the ways real APIs leak it:
 * in a `self` link, base64 in a body field, in a header pagination does not need and in a Link header.
 */
const leakyApi = (): Shape => {
  const shape = laravelSimpleApi(RECORDS);
  return (url, headers) => {
    if (url.searchParams.get('api_key') !== KEY) return { status: 401, body: { message: 'Unauthenticated.' } };
    const answer = shape(url, headers);
    return {
      body: { ...(answer.body as object), self: url.toString(), caller: Buffer.from(KEY).toString('base64') },
      headers: { 'x-echo': KEY, link: `<${url.toString()}>; rel="self"`, 'x-ratelimit-limit': '60' },
    };
  };
};

const PIPELINE = (origin: string) =>
  [
    'name: customers',
    'source:',
    '  type: http',
    `  url: ${origin}/v1/customers`,
    '  auth:',
    '    type: api-key',
    '    name: api_key',
    '    in: query',
    '    value: ${API_KEY}',
    'sinks:',
    '  - type: file',
    '    path: out/customers.csv',
    '',
  ].join('\n');

const expectedNdjson = RECORDS.map((record) => JSON.stringify(record)).join('\n') + '\n';

describe('pageflow record, then pageflow test on the recording', () => {
  it('records the pages with every secret scrubbed, in a form pageflow test replays; a wrong expectation shows a diff', async () => {
    const api = await startApi(leakyApi());
    await writeFile(dir.resolve('customers.yaml'), PIPELINE(api.origin));
    const record = await runCli(['record', 'customers.yaml', '--pages', '3', '-o', 'fixtures/customers/'], { cwd: dir.path, env: { API_KEY: KEY } });
    expect({ code: record.exitCode, stdout: record.stdout, stderr: record.stderr }).toEqual({ code: 0, stdout: 'recorded 3 pages into fixtures/customers/ (secrets scrubbed)\n', stderr: '' });
    expect(api.requests).toHaveLength(3);

    const files = (await readdir(dir.resolve('fixtures/customers'))).sort();
    expect(files).toEqual(['page-1.json', 'page-2.json', 'page-3.json', 'pages.json']);
    const written = Buffer.concat(await Promise.all(files.map((name) => readFile(dir.resolve('fixtures/customers', name))))).toString('latin1');
    for (const form of [KEY, encodeURIComponent(KEY), encodeURIComponent(KEY).replace(/%20/g, '+'), Buffer.from(KEY).toString('base64'), Buffer.from(KEY).toString('base64url')]) {
      expect(written).not.toContain(form);
    }
    const pages = JSON.parse(await readFile(dir.resolve('fixtures/customers/pages.json'), 'utf8'));
    expect(pages).toMatchObject({ format: 'pageflow-recorded-pages/1', origin: api.origin });
    expect(pages.pages.map((page: { request: string }) => page.request)).toEqual(['/v1/customers', '/v1/customers?page=2', '/v1/customers?page=3']);
    // Headers pagination and pacing read are kept (their secrets scrubbed); others are not.
    expect(pages.pages[0].headers).toEqual({ 'content-type': 'application/json', link: `<${api.origin}/v1/customers?api_key=***>; rel="self"`, 'x-ratelimit-limit': '60' });

    await writeFile(dir.resolve('expected.ndjson'), expectedNdjson);
    await writeFile(
      dir.resolve('customers.test.yaml'),
      ['pipeline: customers.yaml', 'tests:', '  - name: every customer of the recorded pages', '    pages: fixtures/customers/', '    expect:', '      records: expected.ndjson', ''].join('\n'),
    );
    const passing = await runCli(['test', 'customers.test.yaml'], { cwd: dir.path });
    expect({ code: passing.exitCode, stdout: passing.stdout }).toEqual({
      code: 0,
      stdout: 'PASS customers.test.yaml › every customer of the recorded pages (3 pages, 40 records read)\n1 passed, 0 failed\n',
    });

    await writeFile(dir.resolve('expected.ndjson'), expectedNdjson.replace('"Customer 17"', '"Customer seventeen"'));
    const failing = await runCli(['test', 'customers.test.yaml'], { cwd: dir.path });
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toContain('FAIL customers.test.yaml › every customer of the recorded pages');
    expect(failing.stdout).toMatch(/Customer seventeen[\s\S]*Customer 17/);
    expect(failing.stdout).toContain('0 passed, 1 failed\n');
  });

  it('warns when the last recorded page links on', async () => {
    const api = await startApi(leakyApi());
    await writeFile(dir.resolve('customers.yaml'), PIPELINE(api.origin));
    const record = await runCli(['record', 'customers.yaml', '--pages', '2', '-o', 'fixtures/'], { cwd: dir.path, env: { API_KEY: KEY } });
    expect(record.exitCode).toBe(0);
    expect(record.stderr).toContain('page 2 links on to more pages');
  });

  it('fails naming the page when the API refuses the key, the key redacted', async () => {
    const api = await startApi(leakyApi());
    await writeFile(dir.resolve('customers.yaml'), PIPELINE(api.origin));
    const record = await runCli(['record', 'customers.yaml', '-o', 'fixtures/'], { cwd: dir.path, env: { API_KEY: 'key_wrong_12345' } });
    expect(record.exitCode).toBe(1);
    expect(record.stderr).toContain('page 1 (');
    expect(record.stderr).toContain('HTTP 401');
    expect(record.stderr).not.toContain('key_wrong_12345');
  });
});
