import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli';

// Each CLI start takes a few hundred milliseconds, more on a busy machine.
jest.setTimeout(30_000);

const REPO = join(__dirname, '..', '..');
const FIXTURES = join(REPO, 'test', 'fixtures', 'pipeline-tests');
const SECRET = 'sh0p-k3y-fr0m-test';

/** The repository's top level and what its out/ holds (names and modification times): where the shipped pipelines write. */
async function outputs(): Promise<string[]> {
  const top = await readdir(REPO);
  if (!top.includes('out')) return top;
  const out = await readdir(join(REPO, 'out'), { recursive: true });
  const times = await Promise.all(out.map(async (name) => `out/${name} ${(await stat(join(REPO, 'out', name))).mtimeMs}`));
  return [...top, ...times.sort()];
}

const test$ = (files: string[], env: Record<string, string> = {}) => runCli(['test', ...files], { cwd: FIXTURES, env });

describe('pageflow test', () => {
  it('passes the tests shipped for the pipelines in pipelines/, without their secrets, writing nothing', async () => {
    // Compared before and after, not "no out/": npm start (the demo) writes out/customers.csv before a user's npm test.
    const before = await outputs();
    const result = await runCli(['test'], { cwd: REPO });

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^PASS pipelines\/demo\.test\.yaml › every customer of three recorded pages, mapped \(3 pages, 60 records read\)$/m);
    expect(result.stdout).toMatch(/^PASS pipelines\/customers-to-csv\.test\.yaml › two pages, one customer repeated, groups joined \(2 pages, 4 records read\)$/m);
    expect(result.stdout).toMatch(/^PASS pipelines\/customers-to-s3\.test\.yaml › /m);
    expect(result.stdout).toMatch(/^PASS pipelines\/customers-contacts\.test\.yaml › every contact of every customer/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('6 passed, 0 failed');
    expect(await outputs()).toEqual(before);
  });

  it('replays a recorded fixture: scrubbed keys match any value, escaped next links lead to the replay server', async () => {
    const result = await test$(['orders.test.yaml'], { SHOP_KEY: SECRET });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        'PASS orders.test.yaml › recorded pages, key scrubbed, next link with escaped slashes (2 pages, 3 records read)',
        'PASS orders.test.yaml › per sink, by name (1 page, 1 record read)',
        'PASS orders.test.yaml › a failing run, as expected (0 pages, 0 records read)',
        '3 passed, 0 failed',
        '',
      ].join('\n'),
    );
    expect(await readdir(FIXTURES)).not.toContain('out');
  });

  it('fails (exit 1) with a readable diff per failing test, never printing a secret', async () => {
    const result = await test$(['failing.test.yaml']);

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      [
        'FAIL failing.test.yaml › wrong records (1 page, 2 records read)',
        '    file:out/orders.csv, stdout: 3 records expected, 2 records received:',
        '      ~ record 1 differs: total: expected "12.00", received "10.00"',
        '          expected {"id":1,"total":"12.00"}',
        '          received {"id":1,"total":"10.00"}',
        '      - missing (expected record 3): {"id":4,"total":"1.00"}',
        'FAIL failing.test.yaml › a page the pipeline asks for is missing, another is never asked for (1 page, 1 record read)',
        "    no page for GET /v1/orders?page=2&api_key=***&per_page=2 (the test's pages: GET /v1/orders?per_page=2, GET /v1/orders?page=3&per_page=2)",
        '    page never requested: GET /v1/orders?page=3&per_page=2',
        'FAIL failing.test.yaml › an unknown sink and a run that succeeds when it should fail (1 page, 0 records read)',
        '    expected the run to fail with "HTTP 500", but it succeeded',
        '    expect.sinks names "s3://nowhere/orders.csv", which the pipeline does not have (its sinks: file:out/orders.csv, stdout)',
        '0 passed, 3 failed',
        '',
      ].join('\n'),
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  it('exits 2 for an invalid test file, with the same messages as for pipelines', async () => {
    const result = await test$(['invalid.test.yaml', 'orders.test.yaml']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      [
        'error: invalid.test.yaml: 2 problems',
        '  5:9 tests[0].pages[0].requets: unknown key "requets" (did you mean "request"?)',
        '  8:7 tests[0].expect.recrods: unknown key "recrods" (did you mean "records"?)',
        '',
      ].join('\n'),
    );
    expect(result.stdout).toMatch(/^3 passed, 0 failed$/m);
  });
});
