import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { runCli } from '../helpers/run-cli';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { S3RVER_CREDENTIALS } from '../helpers/s3-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { startS3WithUploads, type S3WithUploads } from './helpers/s3-with-uploads';
import { startTenantApi, type TenantApi, type TenantApiOptions } from './helpers/tenant-api';
import { killWorkers, openQueue, startWorkers, until, type WorkerProcess } from './helpers/worker-processes';

jest.setTimeout(90_000);

const BUCKET = 'exports';
const AWS_ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };
/** Short locks: a dead worker's job is taken up within seconds. */
const FAST_STALL = ['--lock-duration', '2s', '--stalled-interval', '1s'];

let redis: RedisServer;
let tmp: TmpDir;
const running: { workers: WorkerProcess[]; apis: TenantApi[]; s3?: S3WithUploads } = { workers: [], apis: [] };

beforeAll(async () => {
  [redis, tmp] = await Promise.all([startRedisServer(), createTmpDir()]);
});

afterEach(async () => {
  await killWorkers(running.workers.splice(0));
  await Promise.all([...running.apis.splice(0).map((api) => api.close()), running.s3?.close()]);
  running.s3 = undefined;
});

afterAll(async () => {
  await Promise.all([redis?.close(), tmp?.remove()]);
});

async function api(options: Omit<TenantApiOptions, 'tokens'> & { tenants: readonly string[] }): Promise<TenantApi> {
  const started = await startTenantApi({ ...options, tokens: Object.fromEntries(options.tenants.map((tenant) => [`token-${tenant}`, tenant])) });
  running.apis.push(started);
  return started;
}

/** The CSV the pipeline writes for a tenant's records. */
function csvOf(records: readonly Record<string, unknown>[]): string {
  return `${Object.keys(records[0]).join(',')}\n${records.map((record) => `${Object.values(record).join(',')}\n`).join('')}`;
}

async function enqueue(file: string, queue: string, ...args: string[]): Promise<void> {
  const result = await runCli(['enqueue', file, '--redis', redis.url, '--queue', queue, ...args]);
  expect(result).toMatchObject({ exitCode: 0 });
}

describe('a worker killed mid-job', () => {
  it('has its job completed by another worker: the S3 object and the file exact and single, no multipart upload left open', async () => {
    const s3 = (running.s3 = await startS3WithUploads([BUCKET]));
    // 80 pages of 100 kB: the upload's first 5 MiB part is under way well before the end.
    const tenantApi = await api({ tenants: ['acme'], pages: 80, perPage: 50, recordBytes: 2000, latencyMs: 20 });
    const file = tmp.resolve('kill.yaml');
    await writeFile(
      file,
      `name: customers-to-s3
source:
  type: http
  url: ${tenantApi.url}
  auth: { type: bearer, token: "\${TOKEN}" }
sinks:
  - type: s3
    bucket: ${BUCKET}
    key: exports/\${TENANT}/customers-{timestamp}.csv
    endpoint: ${s3.endpoint}
    forcePathStyle: true
    partSize: 5MiB
  - type: file
    path: ${tmp.resolve('kill-out')}/\${TENANT}.csv
`,
    );
    const workers = (running.workers = await startWorkers(2, redis.url, ['--queue', 'kill', ...FAST_STALL], AWS_ENV));
    const { queue, close } = openQueue(redis.url, 'kill');
    try {
      await enqueue(file, 'kill', '--var', 'TENANT=acme', '--var', 'TOKEN=token-acme', '--job-id', 'acme-kill');
      await until(async () => (await s3.openUploads(BUCKET)).length > 0, 30_000, 'a multipart upload under way');
      const holder = (await queue.getJob('acme-kill'))!.processedBy;
      const victim = workers.find((worker) => worker.name === holder)!;
      const survivor = workers.find((worker) => worker !== victim)!;
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // Left behind: the open upload and the file sink's temporary file.
      expect(await s3.openUploads(BUCKET)).toHaveLength(1);
      expect((await readdir(tmp.resolve('kill-out'))).filter((name) => name.endsWith('.tmp'))).toHaveLength(1);

      await until(async () => (await queue.getJobState('acme-kill')) === 'completed', 40_000, 'the job completed');
      const job: Job = (await queue.getJob('acme-kill'))!;
      expect(job.attemptsStarted).toBe(2);
      expect(job.returnvalue).toMatchObject({ attempt: 2, worker: survivor.name, pages: 80, records: 4000 });

      const expected = csvOf(tenantApi.records('acme'));
      const keys = await s3.keys(BUCKET);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^exports\/acme\/customers-\d{8}T\d{6}Z\.csv$/);
      expect((await s3.readObject(BUCKET, keys[0])).toString()).toBe(expected);
      expect(await s3.openUploads(BUCKET)).toEqual([]);
      expect(await readdir(tmp.resolve('kill-out'))).toEqual(['acme.csv']);
      expect(await readFile(tmp.resolve('kill-out', 'acme.csv'), 'utf8')).toBe(expected);
      expect(survivor.stderr()).toMatch(/aborted the multipart upload an earlier attempt left open/);
      expect(survivor.stderr()).toMatch(/removed \S+\/\.acme\.csv\.\d+-[0-9a-f]{8}-[0-9a-f]{8}\.tmp, left by process \d+, which no longer runs/);
    } finally {
      await close();
    }
  });
});

describe('a worker told to stop (SIGTERM)', () => {
  it('takes no new job, lets an active one finish within the grace period, rolls back and puts back one that does not', async () => {
    const holds = { quick: deferred(), slow: deferred() };
    const tenantApi = await api({
      tenants: ['quick', 'slow', 'later'],
      pages: 6,
      perPage: 3,
      hold: (tenant, page) => (page === 4 && (tenant === 'quick' || tenant === 'slow') ? holds[tenant].promise : undefined),
    });
    const file = tmp.resolve('stop.yaml');
    await writeFile(
      file,
      `name: customers
source:
  type: http
  url: ${tenantApi.url}
  auth: { type: bearer, token: "token-\${TENANT}" }
sinks:
  - type: file
    path: ${tmp.resolve('stop-out')}/\${TENANT}.csv
`,
    );
    const [first] = (running.workers = await startWorkers(1, redis.url, ['--queue', 'stop', '--concurrency', '2', '--grace', '5s', ...FAST_STALL]));
    const { queue, close } = openQueue(redis.url, 'stop');
    try {
      for (const tenant of ['quick', 'slow']) await enqueue(file, 'stop', '--var', `TENANT=${tenant}`, '--job-id', tenant);
      await until(() => (tenantApi.served.get('quick') ?? 0) === 3 && (tenantApi.served.get('slow') ?? 0) === 3, 20_000, 'both jobs at page 4');

      first.child.kill('SIGTERM');
      await until(() => /stopping: no new jobs/.test(first.stderr()), 10_000, 'the worker stopping');
      await enqueue(file, 'stop', '--var', 'TENANT=later', '--job-id', 'later');
      holds.quick.resolve();
      expect(await first.exited).toEqual({ code: 0, signal: null });

      expect(await queue.getJobState('quick')).toBe('completed');
      expect(await readFile(tmp.resolve('stop-out', 'quick.csv'), 'utf8')).toBe(csvOf(tenantApi.records('quick')));
      // Past the grace period: rolled back (no file, no temporary file) and waiting again, no attempt used up.
      expect(await queue.getJobState('slow')).toBe('waiting');
      expect((await queue.getJob('slow'))!.attemptsMade).toBe(0);
      expect(await queue.getJobState('later')).toBe('waiting'); // not taken while stopping
      expect(await readdir(tmp.resolve('stop-out'))).toEqual(['quick.csv']);
      expect(first.stderr()).toMatch(/job slow: not finished within the grace period: rolled back and put back in the queue/);

      holds.slow.resolve();
      running.workers.push(...(await startWorkers(1, redis.url, ['--queue', 'stop', '--concurrency', '2'])));
      await until(async () => (await queue.getJobCounts('completed')).completed === 3, 20_000, 'every job completed');
      for (const tenant of ['slow', 'later']) expect(await readFile(tmp.resolve('stop-out', `${tenant}.csv`), 'utf8')).toBe(csvOf(tenantApi.records(tenant)));
    } finally {
      await close();
    }
  });
});

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}
