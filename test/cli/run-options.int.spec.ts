import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { startSampleApi, type SampleApi } from '../../src/demo/sample-api';
import type { RunSummary } from '../../src/cli/summary-json';
import { startCustomersApi, type CustomersApi } from '../helpers/customers-api';
import { startFaultApi } from '../helpers/fault-api';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// Driven through the built CLI (`npm run build` first), against loopback APIs. Each CLI start takes
// a few hundred milliseconds, more on a busy machine, hence the longer timeout.
jest.setTimeout(20_000);

let dir: TmpDir;
let api: SampleApi;

beforeAll(async () => {
  api = await startSampleApi({ customers: 60 });
});
afterAll(() => api.close());
beforeEach(async () => {
  dir = await createTmpDir('pageflow-cli-');
});
afterEach(() => dir.remove());

interface PipelineParts {
  /** Sinks as YAML list items. */
  readonly sinks: string;
  /** More source options, as YAML lines indented under `source:`. */
  readonly source?: string;
  readonly transforms?: string;
}

/** A pipeline over a customers API at `${API_URL}`, written into the test's directory. */
async function writePipeline({ sinks, source = '', transforms = '  - dedup: id\n  - map: { id: id, company: companyName, city: city }' }: PipelineParts): Promise<string> {
  const file = dir.resolve('customers.yaml');
  await writeFile(
    file,
    `name: customers
source:
  type: http
  url: \${API_URL}/v1/customers
  params: { per_page: 10 }
${source}transforms:
${transforms}
sinks:
${sinks}
`,
  );
  return file;
}

const CSV_SINK = '  - type: file\n    path: out/customers.csv';
const NDJSON_SINK = '  - type: file\n    path: out/customers.ndjson';
const STDOUT_SINK = '  - type: stdout';

const run = (args: string[]) => runCli(args, { cwd: dir.path, env: { API_URL: api.url } });

describe('pageflow run --dry-run', () => {
  it('prints the first records (10 unless --limit says otherwise) to stdout as NDJSON and writes no file', async () => {
    const file = await writePipeline({ sinks: CSV_SINK });

    const [three, unlimited] = await Promise.all([run(['run', file, '--dry-run', '--limit', '3']), run(['run', file, '--dry-run'])]);

    expect([three.exitCode, unlimited.exitCode]).toEqual([0, 0]);
    const lines = three.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0])).toEqual({ id: expect.stringMatching(/^cst_/), company: expect.any(String), city: expect.any(String) });
    expect(unlimited.stdout.trimEnd().split('\n')).toHaveLength(10);
    expect(await readdir(dir.path)).toEqual(['customers.yaml']);
    expect(three.stderr).toMatch(/customers: dry run done in .*stdout 3 records/);
  });
});

describe('pageflow run --limit', () => {
  it('stops after N records and still writes complete files', async () => {
    const file = await writePipeline({ sinks: `${CSV_SINK}\n${NDJSON_SINK}` });

    const result = await run(['run', file, '--limit', '25']);

    expect(result.exitCode).toBe(0);
    const csv = (await readFile(dir.resolve('out', 'customers.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('id,company,city');
    expect(csv).toHaveLength(1 + 25);
    const ndjson = (await readFile(dir.resolve('out', 'customers.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(ndjson.map((line) => JSON.parse(line).id)).toEqual(csv.slice(1).map((row) => row.split(',')[0]));
    expect(await readdir(dir.resolve('out'))).toEqual(['customers.csv', 'customers.ndjson']);
  });
});

describe('pageflow run --set', () => {
  let customers: CustomersApi;
  beforeAll(async () => {
    customers = await startCustomersApi({ customers: Array.from({ length: 12 }, (_, index) => ({ id: `c${index}`, companyName: `Company ${index}`, city: 'Utrecht' })) });
  });
  afterAll(() => customers.close());

  it('overrides settings of the file before it is validated; values are YAML', async () => {
    const file = await writePipeline({ sinks: CSV_SINK });
    const before = customers.requests.length;

    const result = await runCli(['run', file, '--set', 'source.params.per_page=5', '--set', 'sinks[0].path=out/other.csv', '--set', 'sinks.0.columns=[id, city]'], {
      cwd: dir.path,
      env: { API_URL: customers.url },
    });

    expect(result.exitCode).toBe(0);
    const requests = customers.requests.slice(before);
    expect(requests.map((request) => request.query.per_page)).toEqual(['5', '5', '5']);
    expect(requests.map((request) => request.query.page)).toEqual([undefined, '2', '3']);
    const csv = (await readFile(dir.resolve('out', 'other.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('id,city');
    expect(csv).toHaveLength(13);
    expect(await readdir(dir.resolve('out'))).toEqual(['other.csv']);
  });

  it('reports bad overrides and a bad limit as config/usage errors (exit 2), never printing a value, without running', async () => {
    const file = await writePipeline({ sinks: CSV_SINK });
    const cases = [
      { args: ['--set', 'source.params.per_page'], message: /^error: --set: 1 problem\n.*source\.params\.per_page: expected path=value/ },
      { args: ['--set', 'name.first=x', '--summary-json', 'invalid.json'], message: /^error: .*customers\.yaml: 1 problem\n {2}--set name\.first: cannot set it: name holds a single value/ },
      // Named by the --set that caused it, not by a line of the file.
      { args: ['--set', 'sinks[0].format=xlsx'], message: /^error: .*customers\.yaml: 1 problem\n {2}--set sinks\[0\]\.format: Invalid option/ },
      { args: ['--set', 'source.auth={type: bearer, token: s3cr3t-t0ken, extra: 1}'], message: /--set source\.auth → source\.auth\.extra: unknown key "extra"/ },
      { args: ['--limit', '0'], message: /--limit expects a whole number above 0/ },
    ];

    const results = await Promise.all(cases.map(({ args }) => run(['run', file, ...args])));

    results.forEach((result, index) => {
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(cases[index].message);
      expect(result.stderr).not.toContain('s3cr3t-t0ken');
      expect(result.stdout).toBe('');
    });
    expect(await readdir(dir.path)).toEqual(['customers.yaml', 'invalid.json']);
    expect(JSON.parse(await readFile(dir.resolve('invalid.json'), 'utf8'))).toMatchObject({
      pipeline: file,
      outcome: 'invalid',
      exitCode: 2,
      pages: 0,
      error: { message: expect.stringContaining('--set name.first: cannot set it'), code: 'PF_CONFIG_INVALID' },
    });
  });
});

describe('pageflow run --summary-json', () => {
  it('writes the figures of the run, matching what the sinks wrote', async () => {
    const overlapping = await startCustomersApi({
      customers: Array.from({ length: 30 }, (_, index) => ({ id: `c${index}`, companyName: `Company ${index}`, city: index % 2 ? 'Utrecht' : 'Zwolle' })),
      overlap: 2,
    });
    try {
      const file = await writePipeline({
        sinks: `${CSV_SINK}\n${NDJSON_SINK}`,
        transforms: '  - dedup: id\n  - filter: city = "Utrecht"\n  - map: { id: id, company: companyName, city: city }',
      });

      const result = await runCli(['run', file, '--summary-json', 'summary.json'], { cwd: dir.path, env: { API_URL: overlapping.url } });

      expect(result.stderr).not.toContain('error');
      expect(result.exitCode).toBe(0);
      const summary = JSON.parse(await readFile(dir.resolve('summary.json'), 'utf8')) as RunSummary;
      // 30 customers, 10 per page, each page after the first repeating the 2 before it.
      expect(summary).toMatchObject({
        pipeline: 'customers',
        outcome: 'done',
        exitCode: 0,
        dryRun: false,
        pages: 3,
        recordsRead: 34,
        duplicates: 4,
        retries: 0,
        throttled: 0,
        stages: [
          { name: 'dedup', in: 34, out: 30 },
          { name: 'filter', in: 30, out: 15 },
          { name: 'map', in: 15, out: 15 },
        ],
      });
      const csvBytes = (await stat(dir.resolve('out', 'customers.csv'))).size;
      const ndjsonBytes = (await stat(dir.resolve('out', 'customers.ndjson'))).size;
      expect(summary.sinks).toEqual([
        { name: 'file:out/customers.csv', records: 15, bytes: csvBytes, outputs: [{ name: 'out/customers.csv', records: 15, bytes: csvBytes }] },
        { name: 'file:out/customers.ndjson', records: 15, bytes: ndjsonBytes, outputs: [{ name: 'out/customers.ndjson', records: 15, bytes: ndjsonBytes }] },
      ]);
      expect(summary.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(summary.startedAt)).not.toBeNaN();
      expect(summary.error).toBeUndefined();
      expect(result.stderr).toMatch(/customers: done in [\d.]+s: 3 pages, 34 records read, 4 duplicates dropped, 15 dropped by filter; file:out\/customers.csv 15 records/);
    } finally {
      await overlapping.close();
    }
  });

  it('records a failed run with its outcome and error', async () => {
    const failing = await startCustomersApi({ customers: Array.from({ length: 30 }, (_, index) => ({ id: `c${index}` })), failPages: [2] });
    try {
      const file = await writePipeline({ sinks: CSV_SINK, source: '  retry: { attempts: 1 }\n' });

      const result = await runCli(['run', file, '--summary-json', 'summary.json'], { cwd: dir.path, env: { API_URL: failing.url } });

      expect(result.exitCode).toBe(1);
      const summary = JSON.parse(await readFile(dir.resolve('summary.json'), 'utf8')) as RunSummary;
      expect(summary).toMatchObject({ outcome: 'failed', exitCode: 1, pages: 1, recordsRead: 10, error: { message: expect.stringContaining('HTTP 500') } });
      expect(await readdir(dir.resolve('out'))).toEqual([]);
    } finally {
      await failing.close();
    }
  });
});

describe('logs', () => {
  it('--log-format json writes only JSON lines; each line of a failed request has the redacted URL and status', async () => {
    const secret = 'k3y-0f-th3-t3st';
    const faults = await startFaultApi({
      pages: 4,
      perPage: 3,
      fault: ({ page, attempt }) => {
        if (page === 2 && attempt === 1) return { status: 429, body: { message: 'Too Many Attempts.' }, headers: { 'Retry-After': '0' } };
        if (page === 3) return { status: 403, body: { message: 'Forbidden' } };
        return undefined;
      },
    });
    try {
      const file = dir.resolve('items.yaml');
      await writeFile(
        file,
        `name: items\nsource:\n  type: http\n  url: ${faults.url}\n  params: { api_key: "\${API_KEY}" }\nsinks:\n  - type: file\n    path: out/items.ndjson\n`,
      );

      const result = await runCli(['run', file, '--log-format', 'json'], { cwd: dir.path, env: { API_KEY: secret } });

      expect(result.exitCode).toBe(1);
      expect(result.stderr).not.toContain(secret);
      const lines = result.stderr.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.every((line) => typeof line.time === 'string' && typeof line.level === 'string' && typeof line.message === 'string')).toBe(true);
      const failed = lines.filter((line) => line.level === 'warn' || line.level === 'error');
      expect(failed.map((line) => line.status)).toEqual([429, 403]);
      for (const line of failed) expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/items\?.*api_key=\*\*\*/);
      expect(lines.find((line) => line.level === 'info')?.message).toMatch(/^items: failed in/);
    } finally {
      await faults.close();
    }
  });

  it('--quiet keeps warnings, errors and the summary line; --verbose adds debug lines', async () => {
    const file = await writePipeline({ sinks: STDOUT_SINK });

    const [quiet, verbose] = await Promise.all([run(['run', file, '--quiet', '--limit', '1']), run(['run', file, '--verbose', '--limit', '1'])]);

    expect(quiet.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^info: customers: done in/)]);
    expect(verbose.stderr).toMatch(/^debug: loaded .*customers\.yaml: pipeline customers, 2 transforms, 1 sinks$/m);
    expect(verbose.stderr).toMatch(/^info: customers: done in/m);
  });

  it('draws no progress line when stderr is not a terminal, and nothing but records reach stdout', async () => {
    const file = await writePipeline({ sinks: STDOUT_SINK });

    const result = await run(['run', file]);

    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toMatch(/records\/s|\r|\u001b/);
    expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line).id)).toHaveLength(60);
  });
});
