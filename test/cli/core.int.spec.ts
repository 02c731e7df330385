import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { DataRecord } from '../../src/record';
import { type CustomersApiOptions, type RecordedRequest, startCustomersApi } from '../helpers/customers-api';
import { type CliRun, runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// The CLI runs below are independent: they all start when the file does and overlap, keeping the file fast.
jest.setTimeout(60_000);

const TOKEN = 'mkp_test_7f3a9c2e4b1d';
const PER_PAGE = 5;
const OVERLAP = 2;
const COMPANY_NAMES = [
  (n: number) => `Test Company ${n} BV`,
  (n: number) => `Café 't Hoekje, Utrecht ${n}`,
  (n: number) => `Bakkerij "De Korenschoof" ${n}`,
  (n: number) => `Müller Großhandel ${n}\nAfdeling Inkoop`,
  (n: number) => `日本の会社 ${n} 🚚\r\n2e regel`,
];
const CITIES = ['Amsterdam', "'s-Hertogenbosch", 'Zürich, CH', 'Łódź'];

/** Customers with the awkward values real data has: commas, quotes, newlines, non-ASCII, empty and missing fields. */
function customer(n: number): DataRecord {
  return {
    id: `cst_${String(n).padStart(4, '0')}`,
    companyName: COMPANY_NAMES[n % COMPANY_NAMES.length](n),
    ...(n % 6 === 0 ? {} : { address: { street: `Teststreet ${n}`, city: CITIES[n % CITIES.length] } }),
    primaryEmail: `info${n}@example.nl`,
    phone: `+3120${String(1234567 + n)}`,
    customerGroups: n % 4 === 0 ? [] : ['cug_123abc567', `cug_${n}`],
    active: n % 3 !== 0,
    createdAt: '2024-04-28T21:00:00+02:00',
  };
}

const CUSTOMERS = Array.from({ length: 23 }, (_, index) => customer(index + 1));
// 23 customers, 5 a page, each page after the first repeating the last 2 of the page before.
const PAGES = 5;
const DUPLICATES = 8;

const PIPELINE = `name: core-test
source:
  type: http
  url: \${MKP_BASE_URL}/v1/customers
  params:
    per_page: ${PER_PAGE}
  auth:
    type: bearer
    token: \${MKP_TOKEN}
transforms:
  - dedup: id
  - map:
      id: id
      company: companyName
      city: address.city
      phone: phone
      email: primaryEmail
      groups: $join(customerGroups, ";")
      active: active
sinks:
  - type: file
    path: out/customers.csv
  - type: stdout
`;

/** The records the pipeline's map makes, built here without pageflow. */
function mapped(record: DataRecord): Record<string, string | boolean | undefined> {
  return {
    id: record.id as string,
    company: record.companyName as string,
    city: (record.address as { city?: string } | undefined)?.city,
    phone: record.phone as string,
    email: record.primaryEmail as string,
    groups: (record.customerGroups as string[]).join(';'),
    active: record.active as boolean,
  };
}

/** RFC 4180: quote a cell holding a comma, quote or line break, doubling its quotes. */
function csvCell(value: string | boolean | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function expectedCsv(records: readonly DataRecord[]): string {
  const rows = records.map((record) => Object.values(mapped(record)).map(csvCell).join(','));
  return ['id,company,city,phone,email,groups,active', ...rows].map((line) => `${line}\n`).join('');
}

function expectedNdjson(records: readonly DataRecord[]): string {
  return records.map((record) => `${JSON.stringify(mapped(record))}\n`).join('');
}


const MANY_PAGES = 2_050;

interface Scenario {
  readonly api: { url: string; requests: readonly RecordedRequest[] };
  readonly dir: TmpDir;
  cli(args: readonly string[], env?: Record<string, string>): Promise<CliRun>;
}

/**
 * Plays `steps` against its own API server and temp dir (holding `pipeline.yaml`), which it removes
 * afterwards; returns what the steps return. Started once, at the start of the file.
 */
function scenario<T>(api: CustomersApiOptions, steps: (context: Scenario) => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  const start = () =>
    (result ??= (async () => {
      const server = await startCustomersApi(api);
      const dir = await createTmpDir();
      try {
        await writeFile(dir.resolve('pipeline.yaml'), PIPELINE);
        const env = { MKP_BASE_URL: server.url, MKP_TOKEN: TOKEN };
        return await steps({ api: server, dir, cli: (args, overrides = env) => runCli(args, { cwd: dir.path, env: overrides, timeoutMs: 50_000 }) });
      } finally {
        await server.close();
        await dir.remove();
      }
    })());
  scenarios.push(() => void start().catch(() => {}));
  return start;
}

const scenarios: (() => void)[] = [];
const files = (dir: TmpDir, ...parts: string[]) => readdir(dir.resolve(...parts));
const read = (dir: TmpDir, ...parts: string[]) => readFile(dir.resolve(...parts), 'utf8');

const exported = scenario({ customers: CUSTOMERS, overlap: OVERLAP, token: TOKEN }, async ({ api, dir, cli }) => {
  const run = await cli(['run', 'pipeline.yaml']);
  return { run, requests: api.requests, csv: await read(dir, 'out', 'customers.csv'), outFiles: await files(dir, 'out') };
});

const failed = scenario({ customers: CUSTOMERS, overlap: OVERLAP, token: TOKEN }, async ({ dir, cli }) => {
  const first = await cli(['run', 'pipeline.yaml']);
  const previous = await read(dir, 'out', 'customers.csv');
  // The same pipeline against an API whose page 3 fails, holding different data.
  const broken = await startCustomersApi({ customers: CUSTOMERS.map((record) => ({ ...record, active: false })), overlap: OVERLAP, token: TOKEN, failPages: [3], failStatus: 404 });
  try {
    const run = await cli(['run', 'pipeline.yaml'], { MKP_BASE_URL: broken.url, MKP_TOKEN: TOKEN });
    return { first, run, url: broken.url, previous, csv: await read(dir, 'out', 'customers.csv'), outFiles: await files(dir, 'out') };
  } finally {
    await broken.close();
  }
});

const tokenUnset = scenario({ customers: CUSTOMERS, token: TOKEN }, async ({ api, cli }) => {
  const run = await cli(['run', 'pipeline.yaml'], { MKP_BASE_URL: api.url });
  return { run, requests: api.requests };
});

const tokenRejected = scenario({ customers: CUSTOMERS, token: 'another-token' }, ({ cli }) => cli(['run', 'pipeline.yaml']));

const emptyExport = scenario({ customers: [] }, async ({ dir, cli }) => {
  await writeFile(
    dir.resolve('empty.yaml'),
    'name: empty\nsource:\n  type: http\n  url: ${MKP_BASE_URL}/v1/customers\nsinks:\n  - type: file\n    path: out/empty.csv\n    columns: [id, companyName]\n  - type: stdout\n',
  );
  const run = await cli(['run', 'empty.yaml']);
  return { run, csv: await read(dir, 'out', 'empty.csv') };
});

const expressionFails = scenario({ customers: [{ companyName: 'Smit' }, { companyName: 42 }] }, async ({ dir, cli }) => {
  await writeFile(
    dir.resolve('expression.yaml'),
    'name: expression\nsource:\n  type: http\n  url: ${MKP_BASE_URL}/v1/customers\ntransforms:\n  - map:\n      upper: $uppercase(companyName)\nsinks:\n  - type: stdout\n',
  );
  return cli(['run', 'expression.yaml']);
});

const validated = scenario({ customers: [] }, async ({ dir, cli }) => {
  const run = await cli(['validate', 'pipeline.yaml']);
  return { run, files: await files(dir) };
});

const invalid = scenario({ customers: [] }, async ({ dir, cli }) => {
  await writeFile(dir.resolve('bad.yaml'), PIPELINE.replace('  - type: stdout', '  - type: stdot').replace('  - dedup: id', '  - dedupe: id'));
  return cli(['validate', 'bad.yaml', 'missing.yaml']);
});

const manyPages = scenario({ customers: Array.from({ length: MANY_PAGES }, (_, index) => ({ id: index + 1 })) }, async ({ api, dir, cli }) => {
  await writeFile(
    dir.resolve('many.yaml'),
    'name: many-pages\nsource:\n  type: http\n  url: ${MKP_BASE_URL}/v1/customers\n  params:\n    per_page: 1\ntransforms:\n  - dedup: id\nsinks:\n  - type: stdout\n',
  );
  const run = await cli(['run', 'many.yaml']);
  return { run, requests: api.requests };
});

beforeAll(() => scenarios.forEach((start) => start()));
afterAll(() => Promise.allSettled([exported(), failed(), tokenUnset(), tokenRejected(), emptyExport(), expressionFails(), validated(), invalid(), manyPages()]));

describe('pageflow run: paginated API → dedup/map → CSV file and NDJSON stdout', () => {
  it('writes every customer once, byte for byte, to the CSV file and as NDJSON to stdout', async () => {
    const { run, csv, outFiles } = await exported();
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.exitCode).toBe(0);
    expect(csv).toBe(expectedCsv(CUSTOMERS));
    expect(run.stdout).toBe(expectedNdjson(CUSTOMERS));
    expect(outFiles).toEqual(['customers.csv']);
  });

  it('leaves one summary line on stderr: records per sink, pages, duplicates dropped', async () => {
    const { run } = await exported();
    const summaries = run.stderr.split('\n').filter((line) => line.includes('core-test: done'));
    expect(summaries).toEqual([
      expect.stringMatching(
        new RegExp(`: ${PAGES} pages, ${CUSTOMERS.length + DUPLICATES} records read, ${DUPLICATES} duplicates dropped.*file:out/customers.csv 23 records.*stdout 23 records`),
      ),
    ]);
  });

  it('follows next_page_url despite its trailing comma, keeping per_page on every page and sending the headers', async () => {
    const { requests } = await exported();
    expect(requests.map((request) => request.query)).toEqual([
      { per_page: '5' },
      { page: '2', per_page: '5' },
      { page: '3', per_page: '5' },
      { page: '4', per_page: '5' },
      { page: '5', per_page: '5' },
    ]);
    for (const request of requests) {
      expect(request.path).toBe('/v1/customers');
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers.accept).toBe('application/json');
    }
  });

  it('fails with exit 1 and a one-line error naming the failing page, never the token', async () => {
    const { first, run, url } = await failed();
    expect(first.exitCode).toBe(0);
    expect(run.exitCode).toBe(1);
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^error: page 3 \\(${url}/v1/customers\\?page=3&per_page=5\\): HTTP 404 Page 3 is broken`))]);
    expect(run.stderr).toMatch(/core-test: failed .*: 2 pages/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
  });

  it('leaves the previous output file untouched when a run fails, and no temporary file behind', async () => {
    const { previous, csv, outFiles } = await failed();
    expect(previous).toBe(expectedCsv(CUSTOMERS));
    expect(csv).toBe(previous);
    expect(outFiles).toEqual(['customers.csv']);
  });

  it('exits 2 naming MKP_TOKEN when it is not set, before any request', async () => {
    const { run, requests } = await tokenUnset();
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('pipeline.yaml: 1 problem');
    expect(run.stderr).toContain('9:12 source.auth.token: environment variable MKP_TOKEN is not set');
    expect(run.stdout).toBe('');
    expect(requests).toEqual([]);
  });

  it('never prints the token, even when the server rejects it', async () => {
    const run = await tokenRejected();
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error: page 1 \(.*\): HTTP 401 Unauthenticated\./m);
    expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
  });

  it('writes only the header to a CSV with columns when there are no records', async () => {
    const { run, csv } = await emptyExport();
    expect(run.exitCode).toBe(0);
    expect(csv).toBe('id,companyName\n');
    expect(run.stdout).toBe('');
  });

  it('fails with exit 1 and an error naming the expression that failed on a record', async () => {
    const run = await expressionFails();
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split('\n').filter((line) => line.startsWith('error:'))).toEqual([
      'error: map, field "upper": "$uppercase(companyName)" failed on record 2 ({"companyName":42}): Argument 1 of function "uppercase" does not match function signature',
    ]);
  });

  it('gets every record of 2,000+ pages exactly once, in order, from a server that answers asynchronously', async () => {
    const { run, requests } = await manyPages();
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.exitCode).toBe(0);
    const ids = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: number }).id);
    expect(ids).toEqual(Array.from({ length: MANY_PAGES }, (_, index) => index + 1));
    expect(requests.map((request) => request.query.page ?? '1')).toEqual(ids.map(String));
    expect(run.stderr).toMatch(new RegExp(`many-pages: done .*: ${MANY_PAGES} pages, ${MANY_PAGES} records read, 0 duplicates dropped`));
  });
});

describe('pageflow validate', () => {
  it('exits 0 for a valid pipeline, touching nothing', async () => {
    const { run, files: inDir } = await validated();
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('pipeline.yaml: valid');
    expect(run.stdout).toBe('');
    expect(inDir).toEqual(['pipeline.yaml']);
  });

  it('exits 2 for an invalid pipeline, naming the file, the path in it and what was expected', async () => {
    const validate = await invalid();
    expect(validate.exitCode).toBe(2);
    expect(validate.stderr).toMatch(/bad\.yaml: 2 problems/);
    expect(validate.stderr).toMatch(/11:13 transforms\[0\]\.dedupe: unknown transform "dedupe": did you mean "dedup"\? \(expected one of: dedup, filter, map, set, omit, rename, flatten, explode, validate, request\)/);
    expect(validate.stderr).toMatch(/23:11 sinks\[1\]\.type: unknown sink type "stdot": did you mean "stdout"\? \(expected one of: .*file.*stdout.*\)/);
    expect(validate.stdout).toBe('');
    expect(validate.stderr).not.toContain(TOKEN);
  });

  it('reports a file that does not exist, by name', async () => {
    expect((await invalid()).stderr).toMatch(/missing\.yaml: 1 problem\n.*cannot read the file: there is no such file/);
  });
});
