import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteBucketCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { setTimeout as delay } from 'node:timers/promises';
import { EMPTY, from } from 'rxjs';
import { startSampleApi, sampleCustomer, type SampleApi } from '../../src/demo/sample-api';
import { InterruptedError } from '../../src/errors/interrupted-error';
import { SinkError } from '../../src/errors/sink-error';
import { SourceError } from '../../src/errors/source-error';
import { buildPipeline } from '../../src/pipeline/build-pipeline';
import { parsePipeline } from '../../src/pipeline/load-pipeline';
import { runPipeline } from '../../src/pipeline/run-pipeline';
import type { DataRecord } from '../../src/record';
import { createS3Sink, type S3SinkOptions } from '../../src/sinks/s3-sink';
import type { Sink } from '../../src/sinks/sink';
import type { Source } from '../../src/sources/source';
import { readOutput, readParquetBytes } from '../contract/read-output';
import { contractRecords, testSinkContract, type SinkSubject } from '../contract/sink-contract';
import { runCli } from '../helpers/run-cli';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../helpers/s3-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// DuckDB's first load and s3rver on a busy machine take seconds.
jest.setTimeout(30_000);

const BUCKET = 'exports';
const STARTED_AT = new Date('2026-01-02T03:04:05.678Z');
/** The SDK reads credentials and region from the environment, as it does for users. */
const AWS_ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };

let s3: S3Server;
let api: SampleApi;
let tmp: TmpDir;
const savedEnv = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, AWS_ENV);
  [s3, api, tmp] = await Promise.all([startS3Server({ buckets: [BUCKET] }), startSampleApi({ customers: 120 }), createTmpDir()]);
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([s3.close(), api.close(), tmp.remove()]);
});

/** Loads pipeline text the way `pageflow run` does, then runs it. */
async function runYaml(yaml: string, env: Record<string, string> = {}) {
  const definition = parsePipeline(yaml, 'test.yaml', { env: { API: api.url, S3_ENDPOINT: s3.endpoint, OUT: tmp.path, ...env } });
  const pipeline = buildPipeline(definition, { startedAt: STARTED_AT });
  return runPipeline(pipeline);
}

/** Pages of records, each requested only when the sinks took the previous one (like the HTTP source); then `failure`, if any. */
function pagedSource(pages: Iterable<DataRecord[]>, failure?: Error): Source {
  return (context) =>
    from(
      (async function* () {
        for (const page of pages) {
          yield* page;
          await context.demand();
        }
        if (failure) throw failure;
      })(),
    );
}

/** `count` records of about 1 KiB each, numbered from `start`. */
function bulkyRecords(start: number, count: number): DataRecord[] {
  return Array.from({ length: count }, (_, index) => ({ n: start + index, text: `${start + index}`.padEnd(1000, 'x') }));
}

function* bulkyPages(pages: number, perPage = 1000): Generator<DataRecord[]> {
  for (let page = 0; page < pages; page += 1) yield bulkyRecords(page * perPage, perPage);
}

/** Resolves once `condition` holds, checking every 20 ms; rejects after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(20);
  }
}

const ndjson = (records: Iterable<DataRecord>) => [...records].map((record) => `${JSON.stringify(record)}\n`).join('');

function s3SinkOptions(key: string, options: Partial<S3SinkOptions> = {}): S3SinkOptions {
  return { bucket: BUCKET, key, endpoint: s3.endpoint, forcePathStyle: true, ...options };
}

/** The requests s3rver received for one key. */
const requestsFor = (key: string) => s3.requests.filter((request) => request.path === `/${BUCKET}/${key}`);

/** Every key under `prefix`, sorted. */
async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

let subjects = 0;
/** A contract subject for the S3 sink writing `key` under a fresh prefix per case. */
function s3Subject(name: string, key: string, options: Partial<S3SinkOptions> = {}, extra: Partial<SinkSubject> = {}): SinkSubject {
  return {
    name,
    async create() {
      const prefix = `contract/${(subjects += 1)}/`;
      const make = () => createS3Sink(s3SinkOptions(`${prefix}${key}`, options), { runId: 'contract', checkpoints: extra.resumable });
      return {
        sink: make(),
        again: make,
        outputBytes: async () => Promise.all((await keysUnder(prefix)).map(async (each) => (await s3.readObject(BUCKET, each))!)),
        async readBack() {
          const records = await Promise.all((await keysUnder(prefix)).map(async (each) => readOutput(each, (await s3.readObject(BUCKET, each))!)));
          return records.flat();
        },
        leftovers: async () => [],
      };
    },
    unopenable: async () => ({ sink: createS3Sink(s3SinkOptions(key, { ...options, bucket: 'no-such-bucket' })), message: /bucket "no-such-bucket" does not exist: NotFound \(HTTP 404\)/ }),
    ...extra,
  };
}

const byIntegration = (records: DataRecord[]) => [...records].sort((a, b) => String(a.integration).localeCompare(String(b.integration)));

describe('s3 sink contract', () => {
  testSinkContract(s3Subject('s3 (CSV)', 'customers.csv'));
  testSinkContract(s3Subject('s3 (CSV, resumable)', 'customers.csv', {}, { resumable: true }));
  testSinkContract(s3Subject('s3 (NDJSON, gzip, resumable)', 'customers.ndjson.gz', {}, { resumable: true }));
  testSinkContract(s3Subject('s3 (Parquet)', 'customers.parquet', { columns: ['id', 'name', { name: 'integration', type: 'string' }] }));
  testSinkContract(s3Subject('s3 (partitioned NDJSON, gzip, 3 records a part)', 'integration={record.integration}/part-{part}.ndjson.gz', { maxRecords: 3 }, { arrange: byIntegration, emptyOutput: false }));
});

describe('s3 sink against a local S3 server', () => {
  it.each([
    { key: 'types/customers.csv', type: 'text/csv', encoding: undefined },
    { key: 'types/customers.ndjson.gz', type: 'application/x-ndjson', encoding: 'gzip' },
    { key: 'types/customers.parquet', type: 'application/vnd.apache.parquet', encoding: undefined },
  ])('gives $key the Content-Type $type and Content-Encoding $encoding, and counts the bytes uploaded', async ({ key, type, encoding }) => {
    const sink = createS3Sink(s3SinkOptions(key));
    await runPipeline({ source: pagedSource([contractRecords(0, 500), contractRecords(500, 500)]), sinks: [sink] });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe(type);
    expect(head.ContentEncoding).toBe(encoding);
    expect(sink.metrics.bytes).toBe(head.ContentLength);
    expect(sink.metrics.outputs).toEqual([{ name: `s3://${BUCKET}/${key}`, records: 1000, bytes: head.ContentLength }]);
  });

  it('fails in open, naming the setting, when no region is set', async () => {
    const region = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const sink = createS3Sink(s3SinkOptions('no-region.csv'));
      await expect(sink.open()).rejects.toThrow(`[sink:s3://${BUCKET}/no-region.csv] no AWS region: set region: on the sink, or AWS_REGION (or a profile with a region) in the environment`);
    } finally {
      process.env.AWS_REGION = region;
    }
  });

  it('reads back in DuckDB with every value equal to the source and the declared types (fetched from s3rver)', async () => {
    const key = 'parquet/typed.parquet';
    const records = Array.from({ length: 3000 }, (_, index) => ({
      id: `cst_${index}`,
      n: index * 1000003,
      price: index / 4,
      active: index % 2 === 0,
      createdAt: `2024-04-${String((index % 28) + 1).padStart(2, '0')}T21:00:00.${String(index % 1000000).padStart(6, '0')}+02:00`,
      day: `2024-01-${String((index % 31) + 1).padStart(2, '0')}`,
      groups: index % 5 === 0 ? null : ['cug_1', `cug_${index}`],
    }));
    const columns = [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int64' },
      { name: 'price', type: 'double' },
      { name: 'active', type: 'boolean' },
      { name: 'createdAt', type: 'timestamp' },
      { name: 'day', type: 'date' },
      { name: 'groups', type: 'json' },
    ] as const;
    await runPipeline({ source: pagedSource([records.slice(0, 1000), records.slice(1000)]), sinks: [createS3Sink(s3SinkOptions(key, { columns: [...columns], rowGroupSize: 700 }))] });

    const { rows, types, convertedTypes } = await readParquetBytes((await s3.readObject(BUCKET, key))!);
    // DuckDB shows JSON columns as VARCHAR without its json extension (a download): the file says JSON.
    expect(types).toEqual({ id: 'VARCHAR', n: 'BIGINT', price: 'DOUBLE', active: 'BOOLEAN', createdAt: 'TIMESTAMP WITH TIME ZONE', day: 'DATE', groups: 'VARCHAR' });
    expect(convertedTypes).toMatchObject({ id: 'UTF8', day: 'DATE', groups: 'JSON', createdAt: 'TIMESTAMP_MICROS' });
    expect(rows).toHaveLength(records.length);
    rows.forEach((row, index) => {
      const source = records[index];
      expect(row.id).toBe(source.id);
      expect(row.n).toBe(BigInt(source.n));
      expect(row.price).toBe(source.price);
      expect(row.active).toBe(source.active);
      expect((row.createdAt as { micros: bigint }).micros).toBe(BigInt(Date.parse(source.createdAt)) * 1000n + BigInt(source.createdAt.slice(23, 26)));
      expect(String(row.day)).toBe(source.day);
      expect(row.groups === null ? null : JSON.parse(String(row.groups))).toEqual(source.groups);
    });
  });

  it('writes one object per value of a record field and part, and deletes every one when the run fails', async () => {
    const key = 'partitioned/integration={record.integration}/part-{part}.csv';
    const failure = new SourceError('page 4 (http://127.0.0.1/v1/customers?page=4): HTTP 500');
    const sink = createS3Sink(s3SinkOptions(key, { maxRecords: 4, maxOpenPartitions: 1 }));
    const run = runPipeline({ source: pagedSource([contractRecords(0, 6), contractRecords(6, 6), contractRecords(12, 6)], failure), sinks: [sink] });
    await expect(run).rejects.toBe(failure);
    // Parts were completed along the way (maxRecords and maxOpenPartitions close them), then deleted.
    expect(sink.metrics.outputs!.length).toBeGreaterThan(2);
    expect(await keysUnder('partitioned/')).toEqual([]);

    const ok = createS3Sink(s3SinkOptions(key, { maxRecords: 4 }));
    await runPipeline({ source: pagedSource([contractRecords(0, 6), contractRecords(6, 6), contractRecords(12, 6)]), sinks: [ok] });
    expect(await keysUnder('partitioned/')).toEqual([
      'partitioned/integration=acumulus/part-00000.csv',
      'partitioned/integration=acumulus/part-00001.csv',
      'partitioned/integration=acumulus/part-00002.csv',
      'partitioned/integration=moneybird/part-00000.csv',
      'partitioned/integration=moneybird/part-00001.csv',
    ]);
    expect((await s3.readObject(BUCKET, 'partitioned/integration=moneybird/part-00001.csv'))?.toString()).toBe('id,name,integration\nr0012,Name 12,moneybird\nr0015,Name 15,moneybird\n');
  });

  it('uploads a CSV export byte for byte, under a key with the run date', async () => {
    await runYaml(`
name: csv-to-s3
source: { type: http, url: "\${API}/v1/customers", params: { per_page: 25 } }
transforms:
  - map: { id: id, company: companyName, address: address, groups: '$join(customerGroups, ";")' }
sinks:
  - { type: s3, bucket: ${BUCKET}, key: "customers/customers-{date}.csv", endpoint: "\${S3_ENDPOINT}", forcePathStyle: true }
  - { type: file, path: "\${OUT}/customers.csv" }
`);
    const object = await s3.readObject(BUCKET, 'customers/customers-2026-01-02.csv');
    const expected = await readFile(tmp.resolve('customers.csv'));
    expect(object?.equals(expected)).toBe(true);
    const text = object!.toString('utf8');
    expect(text.startsWith('id,company,address,groups\n')).toBe(true);
    expect(text).toContain(`,"Bakkerij ""De Korenschoof"" 2",Teststreet 2,cug_001abc;cug_all\n`);
    expect(text).toContain('"Teststreet 12\nunit B"');
  });

  it('uploads gzipped NDJSON for a .gz key, with the run timestamp in the key', async () => {
    await runYaml(`
name: ndjson-gz-to-s3
source: { type: http, url: "\${API}/v1/customers", params: { per_page: 50 } }
sinks:
  - { type: s3, bucket: ${BUCKET}, key: "raw/customers-{timestamp}.ndjson.gz", endpoint: "\${S3_ENDPOINT}", forcePathStyle: true }
`);
    const object = await s3.readObject(BUCKET, 'raw/customers-20260102T030405Z.ndjson.gz');
    expect(object?.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(gunzipSync(object!).toString('utf8')).toBe(ndjson(Array.from({ length: 120 }, (_, index) => sampleCustomer(index))));
  });

  it('writes an empty export as an object holding only the CSV header', async () => {
    const key = 'empty/customers.csv';
    await runPipeline({ source: () => EMPTY, sinks: [createS3Sink(s3SinkOptions(key, { columns: ['id', 'company'] }))] });
    expect((await s3.readObject(BUCKET, key))?.toString('utf8')).toBe('id,company\n');
  });

  it('uploads an export over 5 MiB in several parts and reads back exactly', async () => {
    const key = 'big/export.ndjson';
    const sink = createS3Sink(s3SinkOptions(key, { partSize: '5MiB', queueSize: 2 }));
    await runPipeline({ source: pagedSource(bulkyPages(7)), sinks: [sink] });

    const expected = ndjson([...bulkyPages(7)].flat());
    expect(expected.length).toBeGreaterThan(6 * 1024 * 1024);
    const object = await s3.readObject(BUCKET, key);
    expect(object?.length).toBe(expected.length);
    expect(object?.toString('utf8') === expected).toBe(true);
    const parts = requestsFor(key).filter((request) => request.method === 'PUT' && request.query.partNumber);
    expect(parts.map((request) => request.query.partNumber).sort()).toEqual(['1', '2']);
    expect(requestsFor(key).filter((request) => request.method === 'POST' && request.query.uploadId)).toHaveLength(1); // CompleteMultipartUpload
  });

  it.each([
    { name: 'after parts were uploaded', key: 'failed/multipart.ndjson', pages: 7, multipart: true },
    { name: 'before any part was uploaded', key: 'failed/small.ndjson', pages: 2, multipart: false },
  ])('leaves no object and reports the original error when the source fails $name', async ({ key, pages, multipart }) => {
    const malformed = new SourceError('page 8 (http://127.0.0.1/v1/customers?page=8): response is not JSON (starts with "<html>")');
    const sink = createS3Sink(s3SinkOptions(key, { partSize: '5MiB', queueSize: 2 }));

    await expect(runPipeline({ source: pagedSource(bulkyPages(pages), malformed), sinks: [sink] })).rejects.toBe(malformed);

    expect(await s3.readObject(BUCKET, key)).toBeUndefined();
    const requests = requestsFor(key);
    expect(requests.some((request) => request.query.partNumber === '1')).toBe(multipart);
    // The multipart upload is aborted (s3rver answers 405, which must not replace the source's error).
    expect(requests.some((request) => request.method === 'DELETE' && request.query.uploadId)).toBe(multipart);
    expect(requests.some((request) => request.method === 'PUT' && !request.query.partNumber)).toBe(false);
  });

  it('leaves no object when the run is interrupted', async () => {
    const key = 'interrupted/export.ndjson';
    const controller = new AbortController();
    function* untilInterrupted(): Generator<DataRecord[]> {
      for (let page = 0; ; page += 1) {
        if (page === 7) controller.abort('SIGTERM');
        yield bulkyRecords(page * 1000, 1000);
      }
    }
    const sink = createS3Sink(s3SinkOptions(key, { partSize: '5MiB' }));

    const run = runPipeline({ source: pagedSource(untilInterrupted()), sinks: [sink], signal: controller.signal });

    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    await expect(run).rejects.toMatchObject({ exitCode: 143 });
    expect(await s3.readObject(BUCKET, key)).toBeUndefined();
    expect(requestsFor(key).some((request) => request.method === 'DELETE' && request.query.uploadId)).toBe(true);
  });

  it('deletes its completed object when another sink fails to finish', async () => {
    const key = 'other-sink-failed.ndjson';
    const failing: Sink = {
      metrics: { name: 'failing', records: 0, bytes: 0 },
      open: async () => {},
      write: async () => {},
      finish: async () => {
        await delay(5);
        throw new Error('disk full');
      },
      abort: async () => {},
    };
    const run = runPipeline({ source: pagedSource([bulkyRecords(0, 10)]), sinks: [createS3Sink(s3SinkOptions(key)), failing] });

    await expect(run).rejects.toThrow('disk full');
    expect(await s3.readObject(BUCKET, key)).toBeUndefined();
  });

  it('fails before the first request, in one line naming bucket, key and S3 error code, when the bucket does not exist', async () => {
    const before = api.requests();
    const run = runYaml(`
name: missing-bucket
source: { type: http, url: "\${API}/v1/customers", params: { per_page: 25 } }
sinks:
  - { type: s3, bucket: no-such-bucket, key: customers.csv, endpoint: "\${S3_ENDPOINT}", forcePathStyle: true }
`);
    await expect(run).rejects.toBeInstanceOf(SinkError);
    await expect(run).rejects.toMatchObject({
      exitCode: 1,
      message: '[sink:s3://no-such-bucket/customers.csv] bucket "no-such-bucket" does not exist: NotFound (HTTP 404)',
    });
    expect(api.requests() - before).toBe(0);
  });

  it('reports the error code S3 gave the upload itself in one line', async () => {
    const key = 'gone/export.ndjson';
    await s3.client.send(new CreateBucketCommand({ Bucket: 'vanishing' }));
    const source: Source = (context) =>
      from(
        (async function* () {
          yield* bulkyRecords(0, 10);
          await context.demand(); // the sink is open: its bucket check has passed
          await s3.client.send(new DeleteBucketCommand({ Bucket: 'vanishing' }));
          yield* bulkyRecords(10, 10);
        })(),
      );

    const run = runPipeline({ source, sinks: [createS3Sink(s3SinkOptions(key, { bucket: 'vanishing' }))] });

    await expect(run).rejects.toMatchObject({
      exitCode: 1,
      message: `[sink:s3://vanishing/${key}] upload failed: NoSuchBucket (HTTP 404): The specified bucket does not exist`,
    });
  });

  it('reports the part upload S3 denied, not the AbortMultipartUpload that failed after it', async () => {
    const key = 'denied/export.ndjson';
    const denying = await startS3Server({
      buckets: [BUCKET],
      intercept: (request) => (request.query.partNumber === '1' ? { status: 403, code: 'AccessDenied', message: 'Access Denied' } : undefined),
    });
    try {
      const sink = createS3Sink({ ...s3SinkOptions(key, { partSize: '5MiB', queueSize: 1 }), endpoint: denying.endpoint });

      const run = runPipeline({ source: pagedSource(bulkyPages(8)), sinks: [sink] });

      await expect(run).rejects.toMatchObject({ exitCode: 1, message: `[sink:s3://${BUCKET}/${key}] upload failed: AccessDenied (HTTP 403): Access Denied` });
      expect(denying.requests.some((request) => request.method === 'DELETE' && request.query.uploadId)).toBe(true); // answered 405
      expect(await denying.readObject(BUCKET, key)).toBeUndefined();
    } finally {
      await denying.close();
    }
  });

  it('fails the next write, instead of waiting forever, when the upload failed between writes', async () => {
    const key = 'denied-between-writes.ndjson';
    const denying = await startS3Server({
      buckets: [BUCKET],
      intercept: (request) => (request.query.partNumber ? { status: 403, code: 'AccessDenied', message: 'Access Denied' } : undefined),
    });
    try {
      const sink = createS3Sink({ ...s3SinkOptions(key, { partSize: '5MiB' }), endpoint: denying.endpoint });
      await sink.open();
      await sink.write(bulkyRecords(0, 6000)); // over one part: the upload starts

      await until(() => denying.requests.some((request) => request.method === 'DELETE')); // lib-storage has given up
      const next = sink.write(bulkyRecords(6000, 10));

      const outcome = await Promise.race([next.then(() => 'written', (error: Error) => error.message), delay(2000, 'still waiting')]);
      expect(outcome).toBe(`[sink:s3://${BUCKET}/${key}] upload failed: AccessDenied (HTTP 403): Access Denied`);
      await sink.abort(new Error('run failed'));
      expect(await denying.readObject(BUCKET, key)).toBeUndefined();
    } finally {
      await denying.close();
    }
  });

  it('holds writes while the store is slow to take parts, having taken at most about partSize × (queueSize + 1)', async () => {
    let partArrived!: () => void;
    let openGate!: () => void;
    const firstPart = new Promise<void>((resolve) => (partArrived = resolve));
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const slow = await startS3Server({
      buckets: [BUCKET],
      intercept: async (request) => {
        if (!request.query.partNumber) return;
        partArrived();
        await gate;
      },
    });
    try {
      const key = 'slow/export.ndjson';
      const sink = createS3Sink({ ...s3SinkOptions(key, { partSize: '5MiB', queueSize: 1 }), endpoint: slow.endpoint });
      await sink.open();
      const batches = [...bulkyPages(80, 100)]; // 80 writes of ~100 KiB: ~8 MiB, stalled after ~5 MiB
      let written = 0;
      const writer = (async () => {
        for (const batch of batches) {
          await sink.write(batch);
          written += 1;
        }
      })();

      await firstPart;
      let stalledAt = -1;
      await until(async () => {
        const before = sink.metrics.bytes;
        await delay(200);
        stalledAt = sink.metrics.bytes;
        return stalledAt === before;
      });
      expect(written).toBeLessThan(batches.length);
      expect(stalledAt).toBeLessThanOrEqual(2 * 5 * 1024 * 1024 + 256 * 1024);

      openGate();
      await writer;
      await sink.finish();
      expect((await slow.readObject(BUCKET, key))?.toString('utf8') === ndjson(batches.flat())).toBe(true);
    } finally {
      openGate();
      await slow.close();
    }
  });
});

describe('pipelines/customers-to-s3.yaml through the CLI', () => {
  it('uploads the gzipped CSV and prints nothing on stdout', async () => {
    const customers = await startSampleApi({ customers: 250, token: 'test-token-123' });
    try {
      const day = () => new Date().toISOString().slice(0, 10);
      const dayBefore = day();
      const result = await runCli(['run', 'pipelines/customers-to-s3.yaml'], {
        cwd: `${__dirname}/../..`,
        env: { ...AWS_ENV, MKP_BASE_URL: customers.url, MKP_TOKEN: 'test-token-123', S3_ENDPOINT: s3.endpoint },
      });
      expect(result.stderr).not.toContain('error');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('');
      const object = (await s3.readObject(BUCKET, `customers/customers-${dayBefore}.csv.gz`)) ?? (await s3.readObject(BUCKET, `customers/customers-${day()}.csv.gz`));
      const lines = gunzipSync(object!).toString('utf8').split('\n');
      expect(lines[0]).toBe('id,company,email,groups');
      expect(lines).toHaveLength(252); // header, 250 customers, and the final newline
    } finally {
      await customers.close();
    }
  });

  it('exits 1 with one line naming the object and the system error code when the endpoint is unreachable', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');

    const result = await runCli(['run', 'pipelines/customers-to-s3.yaml'], {
      cwd: `${__dirname}/../..`,
      env: { ...AWS_ENV, MKP_BASE_URL: api.url, MKP_TOKEN: 'unused', S3_ENDPOINT: `http://127.0.0.1:${port}` },
    });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(`^error: \\[sink:s3://exports/customers/customers-\\d{4}-\\d{2}-\\d{2}\\.csv\\.gz\\] bucket check failed: connect 127\\.0\\.0\\.1:${port}: the connection was refused \\(nothing listens there\\) \\(ECONNREFUSED\\)$`),
      ),
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
