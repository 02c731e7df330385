import { readdir, readFile, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { runCli } from '../helpers/run-cli';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { startTenantApi, type TenantApi } from './helpers/tenant-api';
import { killWorkers, openQueue, startWorkers, until, type WorkerProcess } from './helpers/worker-processes';

jest.setTimeout(120_000);

const TENANTS = 8;
const RUNS = ['a', 'b', 'c'];
const PAGES = 20;
const LIMIT = { requests: 10, perMs: 2000 };
/** Tokens and API keys with characters that URL-encoding and base64 change. */
const token = (tenant: number) => `tok/${tenant}+Zq9=secret-${'k'.repeat(tenant)}`;
const apiKey = (tenant: number) => `key&${tenant}=+/Mx7 ${'v'.repeat(tenant)}`;
const INTRUDER = { TENANT: 'intruder', TOKEN: 'tok/unknown+Zq9=never-valid', KEY: 'key&0=+/Mx7 intruder', RUN: 'a' };

let redis: RedisServer;
let api: TenantApi;
let tmp: TmpDir;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  const tokens = Object.fromEntries(Array.from({ length: TENANTS }, (_, index) => [token(index + 1), `tenant${index + 1}`]));
  [redis, api, tmp] = await Promise.all([startRedisServer(), startTenantApi({ tokens, pages: PAGES, perPage: 5, rateLimit: LIMIT, latencyMs: 5 }), createTmpDir()]);
});

afterAll(async () => {
  await killWorkers(workers);
  await Promise.all([redis?.close(), api?.close(), tmp?.remove()]);
});

describe('a fleet of workers', () => {
  it('runs 24 jobs for 8 tokens on 3 workers: every output exact, no 429, within 1.3× the least possible time; no secret shown', async () => {
    await writeFile(
      tmp.resolve('customers.yaml'),
      `name: customers-\${TENANT}
source:
  type: http
  url: ${api.url}
  params: { api_key: "\${KEY}" }
  auth: { type: bearer, token: "\${TOKEN}" }
  rateLimit: { requests: ${LIMIT.requests}, per: ${LIMIT.perMs}ms }
sinks:
  - type: file
    path: ${tmp.resolve('out')}/\${TENANT}-\${RUN}.csv
`,
    );
    const lines = Array.from({ length: TENANTS }, (_, index) => RUNS.map((RUN) => ({ TENANT: `tenant${index + 1}`, TOKEN: token(index + 1), KEY: apiKey(index + 1), RUN }))).flat();
    await writeFile(tmp.resolve('tenants.ndjson'), [...lines, INTRUDER].map((line) => JSON.stringify(line)).join('\n'));

    workers = await startWorkers(3, redis.url, ['--concurrency', '9']);
    const enqueued = await runCli(['enqueue', tmp.resolve('customers.yaml'), '--redis', redis.url, '--vars-file', tmp.resolve('tenants.ndjson')], { cwd: tmp.path });
    expect(enqueued).toMatchObject({ exitCode: 0 });
    expect(enqueued.stdout.match(/^added /gm)).toHaveLength(25);

    const { queue, close } = openQueue(redis.url);
    try {
      await until(async () => {
        const counts = await queue.getJobCounts('completed', 'failed');
        return counts.completed + counts.failed === 25;
      }, 60_000, 'every job finished');
      const completed = await queue.getJobs(['completed']);
      const failed = await queue.getJobs(['failed']);
      expect(completed).toHaveLength(24);
      expect(failed).toHaveLength(1);

      // Every output exact, and nothing else written.
      const out = await readdir(tmp.resolve('out'));
      expect(out.sort()).toEqual(lines.map(({ TENANT, RUN }) => `${TENANT}-${RUN}.csv`).sort());
      for (const { TENANT, RUN } of lines) {
        const expected = `id,tenant,page\n${api.records(TENANT).map((record) => `${record.id},${record.tenant},${record.page}\n`).join('')}`;
        expect(await readFile(tmp.resolve('out', `${TENANT}-${RUN}.csv`), 'utf8')).toBe(expected);
      }
      expect(api.throttled()).toBe(0);
      // The three jobs of each token ran on more than one worker: the limit held across processes.
      expect(new Set(completed.map((job) => job.processedBy)).size).toBe(3);

      // The least possible time: each token's pages at the limit's pace.
      const leastMs = ((RUNS.length * PAGES) / LIMIT.requests) * LIMIT.perMs;
      const batchMs = Math.max(...completed.map((job) => job.finishedOn!)) - Math.min(...completed.map((job) => job.timestamp));
      expect(batchMs).toBeLessThanOrEqual(1.3 * leastMs);

      // The failed job keeps its error: one line, the API's answer, no secret.
      expect(failed[0].failedReason).toMatch(/^page 1 \(.*\): HTTP 401 Unauthenticated\./);
      expect(failed[0].attemptsMade).toBe(1); // a 401 is not retried

      const listing = await runCli(['jobs', '--redis', redis.url, '--limit', '50']);
      expect(listing.exitCode).toBe(0);
      expect(listing.stdout).toMatch(/^active 0 · waiting 0 · completed 24 · failed 1$/m);
      expect(listing.stdout).toMatch(new RegExp(`^completed .* 1 +${PAGES} +${PAGES * 5} .*file:.*-[abc]\\.csv \\(${PAGES * 5} records, `, 'm'));
      const failedListing = await runCli(['jobs', '--redis', redis.url, '--failed']);
      expect(failedListing.stdout).toMatch(/^failed .*HTTP 401 Unauthenticated\./m);
      expect(failedListing.stdout).not.toMatch(/^completed/m);

      const secrets = [...lines, INTRUDER].flatMap(({ TOKEN, KEY }) => [TOKEN, KEY]);
      const shown = [listing.stdout, listing.stderr, failedListing.stdout, enqueued.stdout, enqueued.stderr, ...workers.map((worker) => worker.stderr()), await redisExceptJobData(redis.url)].join('\n');
      expect(shown).toContain('HTTP 401'); // what is searched holds the failure
      for (const secret of secrets) {
        for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) expect(shown).not.toContain(form);
      }
    } finally {
      await close();
    }
  });
});

/** Everything Redis holds but the jobs' `data` (where the variables must be): events, return values, failed reasons, rate keys. */
async function redisExceptJobData(url: string): Promise<string> {
  const client = new Redis(url);
  try {
    const parts: string[] = [];
    for (const key of await client.keys('*')) {
      parts.push(key);
      const type = await client.type(key);
      if (type === 'hash') parts.push(...Object.entries(await client.hgetall(key)).flatMap(([field, value]) => (field === 'data' ? [field] : [field, value])));
      else if (type === 'string') parts.push((await client.get(key)) ?? '');
      else if (type === 'list') parts.push(...(await client.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(...(await client.smembers(key)));
      else if (type === 'zset') parts.push(...(await client.zrange(key, '0', '-1')));
      else if (type === 'stream') parts.push(...(await client.xrange(key, '-', '+')).flatMap(([, fields]) => fields));
    }
    return parts.join('\n');
  } finally {
    client.disconnect();
  }
}
