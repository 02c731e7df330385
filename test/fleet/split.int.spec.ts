import { writeFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { runCli } from '../helpers/run-cli';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { S3RVER_CREDENTIALS } from '../helpers/s3-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { startS3WithUploads, type S3WithUploads } from './helpers/s3-with-uploads';
import { startTenantApi, type TenantApi } from './helpers/tenant-api';
import { killWorkers, openQueue, startWorkers, until, type WorkerProcess } from './helpers/worker-processes';

jest.setTimeout(120_000);

const BUCKET = 'exports';
const AWS_ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };

let redis: RedisServer;
let s3: S3WithUploads;
let tmp: TmpDir;
let workers: WorkerProcess[] = [];
const apis: TenantApi[] = [];

beforeAll(async () => {
  [redis, s3, tmp] = await Promise.all([startRedisServer(), startS3WithUploads([BUCKET]), createTmpDir()]);
  workers = await startWorkers(3, redis.url, ['--queue', 'split'], AWS_ENV);
});

afterAll(async () => {
  await killWorkers(workers);
  await Promise.all([redis?.close(), s3?.close(), tmp?.remove(), ...apis.map((api) => api.close())]);
});

/** A page-number export of one tenant to S3, its columns found on the first page (after a transform). */
const pipeline = (api: TenantApi, key: string) => `name: split-\${TENANT}
source:
  type: http
  url: ${api.url}
  auth: { type: bearer, token: "\${TOKEN}" }
  pagination: { type: page-number, lastPage: last_page }
  concurrency: 4
transforms:
  - rename: { text: filler }
sinks:
  - type: s3
    bucket: ${BUCKET}
    key: ${key}
    endpoint: ${s3.endpoint}
    forcePathStyle: true
    partSize: 5MiB
`;

async function enqueue(file: string, ...args: string[]) {
  return runCli(['enqueue', file, '--redis', redis.url, '--queue', 'split', '--var', 'TENANT=acme', '--var', 'TOKEN=token-acme', ...args]);
}

describe('an export split by page ranges (enqueue --split-pages)', () => {
  it('runs 400 pages as 4 ranges over 3 workers: the assembled object byte-identical to one run, no part and no open upload left', async () => {
    // Ranges of unequal size, so that the object is assembled from both kinds of part: the 5.5 MB first
    // range (with the header) copied server-side, the small others read from after their header and
    // uploaded as one part.
    const bytesOf = (page: number) => (page <= 100 ? 5500 : 20);
    const api = await startTenantApi({ tokens: { 'token-acme': 'acme' }, pages: 400, perPage: 10, recordBytesOf: bytesOf });
    apis.push(api);
    const file = tmp.resolve('split.yaml');
    await writeFile(file, pipeline(api, 'exports/${TENANT}/customers-{runId}.csv'));

    const single = await runCli(['run', file], { env: { ...AWS_ENV, TENANT: 'acme', TOKEN: 'token-acme' }, timeoutMs: 60_000 });
    expect(single).toMatchObject({ exitCode: 0 });
    const [singleKey] = await s3.keys(BUCKET);
    const expected = await s3.readObject(BUCKET, singleKey);
    expect(expected.length).toBeGreaterThan(5 * 1024 * 1024);

    const enqueued = await enqueue(file, '--split-pages', '100', '--job-id', 'acme-split');
    expect(enqueued).toMatchObject({ exitCode: 0, stdout: 'added acme-split\n' });
    const { queue, close } = openQueue(redis.url, 'split');
    try {
      await until(async () => ['completed', 'failed'].includes(await queue.getJobState('acme-split')), 90_000, 'the split export finished');
      const parent: Job = (await queue.getJob('acme-split'))!;
      expect(parent.failedReason).toBeUndefined();
      const keys = await s3.keys(BUCKET);
      expect(keys).toHaveLength(2);
      const splitKey = keys.find((key) => key !== singleKey)!;
      expect(splitKey).toMatch(/^exports\/acme\/customers-\d{8}T\d{6}Z-[0-9a-f]{6}\.csv$/);
      const assembled = await s3.readObject(BUCKET, splitKey);
      expect(assembled.length).toBe(expected.length);
      expect(assembled.equals(expected)).toBe(true);
      expect(s3.partCopies()).toBe(1);
      expect(await s3.openUploads(BUCKET)).toEqual([]);

      expect(parent.returnvalue).toMatchObject({ pages: 400, records: 4000, outputs: [{ name: `s3://${BUCKET}/${splitKey}`, records: 4000, bytes: expected.length }] });
      const ranges = await Promise.all(['1-100', '101-200', '201-300', '301-400'].map(async (pages) => (await queue.getJob(`acme-split.pages-${pages}`))!));
      expect(ranges.map((range) => range.returnvalue.pages)).toEqual([100, 100, 100, 100]);
      // Spread over the workers: more than one ran ranges.
      expect(new Set(ranges.map((range) => range.returnvalue.worker)).size).toBeGreaterThan(1);
      // The first page twice (the plan, then the first range), every other page once.
      expect(api.served.get('acme')).toBe(400 + 400 + 1);
    } finally {
      await close();
    }
  });

  it('fails the export when a range fails for good: the other ranges stopped or removed, every part gone, no object, no open upload', async () => {
    const api = await startTenantApi({ tokens: { 'token-acme': 'acme' }, pages: 60, perPage: 5, latencyMs: 20, refuse: (_, page) => page === 25 });
    apis.push(api);
    const file = tmp.resolve('failing.yaml');
    await writeFile(file, pipeline(api, 'failing/${TENANT}.ndjson'));
    expect(await enqueue(file, '--split-pages', '10', '--job-id', 'acme-failing')).toMatchObject({ exitCode: 0 });
    const { queue, close } = openQueue(redis.url, 'split');
    try {
      await until(async () => ['completed', 'failed'].includes(await queue.getJobState('acme-failing')), 60_000, 'the split export finished');
      const parent: Job = (await queue.getJob('acme-failing'))!;
      expect(await queue.getJobState('acme-failing')).toBe('failed');
      expect(parent.failedReason).toMatch(/^split export failed: pages 21–30 \(job acme-failing\.pages-21-30\) failed: page 25 \(.*\): HTTP 400 .*; every part removed$/);
      expect(parent.attemptsMade).toBe(1);
      // Ranges before the failing one had written their parts: removed with the rest.
      expect(await queue.getJobState('acme-failing.pages-1-10')).toBe('completed');
      expect((await s3.keys(BUCKET)).filter((key) => key.startsWith('failing/'))).toEqual([]);
      expect(await s3.openUploads(BUCKET)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('refuses at enqueue time, exit 2, a pipeline whose ranges could not make the object one run makes', async () => {
    const api = await startTenantApi({ tokens: {}, pages: 1, perPage: 1 });
    apis.push(api);
    const file = tmp.resolve('refused.yaml');
    await writeFile(file, `${pipeline(api, 'refused/${TENANT}.csv.gz')}  - type: file\n    path: out/\${TENANT}.csv\n`);
    const refused = await enqueue(file, '--split-pages', '10');
    expect(refused).toMatchObject({ exitCode: 2, stdout: '' });
    expect(refused.stderr).toContain('refused.yaml: 2 problems');
    expect(refused.stderr).toMatch(/13:10 sinks\[0\]\.key: --split-pages: gzip streams joined make a valid \.gz file, but not the bytes of one stream/);
    expect(refused.stderr).toMatch(/17:11 sinks\[1\]\.type: --split-pages: a file sink cannot be assembled from the ranges' parts: a split export writes s3 sinks only/);
    const { queue, close } = openQueue(redis.url, 'split');
    try {
      expect(await queue.getJobs(['wait', 'waiting-children'])).toEqual([]);
    } finally {
      await close();
    }
  });
});
