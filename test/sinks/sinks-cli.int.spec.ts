import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type SampleApi, sampleCustomer, startSampleApi } from '../../src/demo/sample-api';
import { readParquetBytes } from '../contract/read-output';
import { type CustomersApi, startCustomersApi } from '../helpers/customers-api';
import { startFaultApiPerTest } from '../helpers/fault-api';
import { CLI_MAIN, runCli } from '../helpers/run-cli';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '../helpers/s3-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(30_000);

const AWS_ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };
const ROOT = `${__dirname}/../..`;
const startFaultApi = startFaultApiPerTest();

let dir: TmpDir;
beforeEach(async () => {
  dir = await createTmpDir();
});
afterEach(() => dir.remove());

async function pipelineFile(body: string): Promise<string> {
  const file = dir.resolve('pipeline.yaml');
  await writeFile(file, `name: test\nsource:\n  type: http\n  url: \${API_URL}\n${body}`);
  return file;
}

describe('sinks are checked before the source’s first request', () => {
  it.each([
    { name: 'a file path that is a folder', setup: () => mkdir(dir.resolve('out', 'customers.csv'), { recursive: true }), error: /\[sink:file:out\/customers\.csv\] open failed: out\/customers\.csv is a folder: name a file to write/ },
    { name: 'a folder that cannot be created', setup: () => writeFile(dir.resolve('out'), 'a file'), error: /\[sink:file:out\/customers\.csv\] open failed: cannot create the folder out: a file is in the way/ },
  ])('$name fails the run with exit 1, no request made and nothing printed on stdout', async ({ setup, error }) => {
    const api = await startFaultApi({ pages: 3 });
    await setup();
    const file = await pipelineFile('sinks:\n  - type: stdout\n  - type: file\n    path: out/customers.csv\n');
    const result = await runCli(['run', file], { cwd: dir.path, env: { API_URL: api.url } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(error);
    expect(result.stdout).toBe('');
    expect(api.requests).toHaveLength(0);
  });

  it('an S3 sink without a region fails the run with exit 1 before any request', async () => {
    const api = await startFaultApi({ pages: 3 });
    const file = await pipelineFile('sinks:\n  - type: s3\n    bucket: exports\n    key: customers.csv\n');
    const { AWS_REGION: _region, ...noRegion } = AWS_ENV;
    const result = await runCli(['run', file], { cwd: dir.path, env: { API_URL: api.url, ...noRegion, HOME: dir.path } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: [sink:s3://exports/customers.csv] no AWS region: set region: on the sink, or AWS_REGION (or a profile with a region) in the environment');
    expect(api.requests).toHaveLength(0);
  });
});

describe('CSV columns through the CLI', () => {
  let api: CustomersApi;
  beforeEach(async () => {
    api = await startCustomersApi({ customers: [{ id: 'a', name: 'A' }, { name: 'B', id: 'b' }, { id: 'c', name: 'C', email: 'c@example.com' }], defaultPerPage: 2 });
  });
  afterEach(() => api.close());

  it('fails naming the field, the record and its page, and leaves the previous file and its mode as they were', async () => {
    await mkdir(dir.resolve('out'));
    await writeFile(dir.resolve('out', 'customers.csv'), 'previous\n');
    await chmod(dir.resolve('out', 'customers.csv'), 0o600);
    const file = await pipelineFile('sinks:\n  - type: file\n    path: out/customers.csv\n');
    const result = await runCli(['run', file], { cwd: dir.path, env: { API_URL: `${api.url}/v1/customers` } });
    expect(result.exitCode).toBe(1);
    // The page's URL follows its number once the source passes page marks.
    expect(result.stderr).toMatch(
      /\nerror: \[sink:file:out\/customers\.csv\] record 1 of page 2( \(http:\/\/[^)]*page=2\))? has a field "email" that is not a column \(the columns are the keys of the first page: id, name\): list every column under columns:, or set unknownColumns: drop to drop such fields\n/,
    );
    expect(await readFile(dir.resolve('out', 'customers.csv'), 'utf8')).toBe('previous\n');
    expect((await stat(dir.resolve('out', 'customers.csv'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir.resolve('out'))).toEqual(['customers.csv']);
  });

  it('drops such fields with unknownColumns: drop and says so in the summary; the new file keeps the old mode', async () => {
    await mkdir(dir.resolve('out'));
    await writeFile(dir.resolve('out', 'customers.csv'), 'previous\n');
    await chmod(dir.resolve('out', 'customers.csv'), 0o600);
    const file = await pipelineFile('sinks:\n  - type: file\n    path: out/customers.csv\n    unknownColumns: drop\n');
    const result = await runCli(['run', file, '--summary-json', 'summary.json'], { cwd: dir.path, env: { API_URL: `${api.url}/v1/customers` } });
    expect(result.exitCode).toBe(0);
    expect(await readFile(dir.resolve('out', 'customers.csv'), 'utf8')).toBe('id,name\na,A\nb,B\nc,C\n');
    expect((await stat(dir.resolve('out', 'customers.csv'))).mode & 0o777).toBe(0o600);
    expect(result.stderr).toMatch(/file:out\/customers\.csv 3 records \(\d+ B, 1 value of unknown columns dropped\)/);
    const summary = JSON.parse(await readFile(dir.resolve('summary.json'), 'utf8')) as { sinks: { droppedValues?: number }[] };
    expect(summary.sinks[0].droppedValues).toBe(1);
  });
});

describe('a killed run’s temporary files', () => {
  it('are removed by the next run of the same pipeline', async () => {
    const api = await startFaultApi({ pages: 50, latencyMs: 40 });
    const file = await pipelineFile('sinks:\n  - type: file\n    path: out/items.csv\n');
    const child = spawn(process.execPath, [CLI_MAIN, 'run', file], { cwd: dir.path, env: { PATH: process.env.PATH ?? '', API_URL: api.url }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    while (api.requests.length < 3) await delay(20);
    child.kill('SIGKILL');
    await exited;
    const left = await readdir(dir.resolve('out'));
    expect(left).toEqual([expect.stringMatching(new RegExp(`^\\.items\\.csv\\.${child.pid}-[0-9a-f]{8}-[0-9a-f]{8}\\.tmp$`))]);

    const quick = await startFaultApi({ pages: 2 });
    const result = await runCli(['run', file], { cwd: dir.path, env: { API_URL: quick.url } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`removed out/${left[0]}, left by process ${child.pid}, which no longer runs`);
    expect(await readdir(dir.resolve('out'))).toEqual(['items.csv']);
  });
});

describe('pipelines/customers-to-lake.yaml through the CLI', () => {
  let s3: S3Server;
  let customers: SampleApi;
  beforeAll(async () => {
    [s3, customers] = await Promise.all([startS3Server({ buckets: ['lake'] }), startSampleApi({ customers: 700, token: 'lake-token-123' })]);
  });
  afterAll(() => Promise.all([s3.close(), customers.close()]));

  const keys = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'lake' }))).Contents ?? []).map((object) => object.Key!).sort();

  it('writes Parquet partitioned by integration, split by size, that DuckDB reads back with every value', async () => {
    const result = await runCli(['run', 'pipelines/customers-to-lake.yaml', '--set', 'sinks[0].maxBytes=4KiB', '--set', 'sinks[0].rowGroupSize=50'], {
      cwd: ROOT,
      env: { ...AWS_ENV, MKP_BASE_URL: customers.url, MKP_TOKEN: 'lake-token-123', S3_ENDPOINT: s3.endpoint },
    });
    expect(result.stderr).not.toContain('error');
    expect(result.exitCode).toBe(0);
    const written = await keys();
    const day = /dt=(\d{4}-\d{2}-\d{2})/.exec(written[0])![1];
    for (const integration of ['acumulus', 'moneybird']) {
      const parts = written.filter((key) => key.startsWith(`customers/integration=${integration}/`));
      expect(parts.length).toBeGreaterThan(1);
      expect(parts).toEqual(parts.map((_, index) => `customers/integration=${integration}/dt=${day}/part-${String(index).padStart(5, '0')}.parquet`));
      const rows = [];
      for (const key of parts) {
        const read = await readParquetBytes((await s3.readObject('lake', key))!);
        expect(read.types).toEqual({ id: 'VARCHAR', company: 'VARCHAR', city: 'VARCHAR', integration: 'VARCHAR', groups: 'VARCHAR', createdAt: 'TIMESTAMP WITH TIME ZONE' });
        rows.push(...read.rows);
      }
      const expected = Array.from({ length: 700 }, (_, index) => sampleCustomer(index)).filter((customer) => customer.integration === integration);
      expect(rows.map((row) => row.id)).toEqual(expected.map((customer) => customer.id));
      expect(rows.map((row) => JSON.parse(String(row.groups)))).toEqual(expected.map((customer) => customer.customerGroups));
      expect(rows.map((row) => (row.createdAt as { micros: bigint }).micros)).toEqual(expected.map((customer) => BigInt(Date.parse(String(customer.createdAt))) * 1000n));
    }
    expect(result.stderr).toMatch(/s3:\/\/lake\/customers\/integration=\{record\.integration\}\/dt=\d{4}-\d{2}-\d{2}\/part-\{part\}\.parquet 700 records \([\d.]+ kB\) in \d+ outputs: /);
  });

  it('deletes every part, completed ones included, when the run fails', async () => {
    const failing = await startCustomersApi({ customers: Array.from({ length: 700 }, (_, index) => sampleCustomer(index)), token: 'lake-token-123', failPages: [5] });
    try {
      const before = await keys();
      const result = await runCli(
        ['run', 'pipelines/customers-to-lake.yaml', '--set', 'sinks[0].key=failed/{record.integration}/part-{part}.parquet', '--set', 'sinks[0].maxBytes=2KiB', '--set', 'sinks[0].rowGroupSize=20', '--set', 'source.params.per_page=50', '--set', 'source.retry.attempts=1'],
        { cwd: ROOT, env: { ...AWS_ENV, MKP_BASE_URL: failing.url, MKP_TOKEN: 'lake-token-123', S3_ENDPOINT: s3.endpoint } },
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/page 5 .*HTTP 500/);
      // Parts had been completed on the way (each reached maxBytes), then were deleted with the rest.
      expect(Number(/ in (\d+) outputs: /.exec(result.stderr)?.[1])).toBeGreaterThan(2);
      expect(await keys()).toEqual(before);
    } finally {
      await failing.close();
    }
  });
});
