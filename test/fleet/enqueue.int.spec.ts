import { writeFile } from 'node:fs/promises';
import { runCli } from '../helpers/run-cli';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { openQueue } from './helpers/worker-processes';
import { TENANT_PIPELINE } from './helpers/tenant-pipeline';

// Each CLI start loads BullMQ: about a second, more on a busy machine.
jest.setTimeout(60_000);

let redis: RedisServer;
let tmp: TmpDir;

const PIPELINE = TENANT_PIPELINE;

beforeAll(async () => {
  [redis, tmp] = await Promise.all([startRedisServer(), createTmpDir()]);
  await writeFile(tmp.resolve('customers.yaml'), PIPELINE);
  await writeFile(tmp.resolve('broken.yaml'), PIPELINE.replace('type: file', 'type: fiel'));
});

afterAll(async () => {
  await Promise.all([redis?.close(), tmp?.remove()]);
});

const enqueue = (queue: string, args: readonly string[], env: Record<string, string> = {}) =>
  runCli(['enqueue', '--redis', redis.url, '--queue', queue, ...args], { cwd: tmp.path, env });

async function counts(queue: string): Promise<number> {
  const { queue: handle, close } = openQueue(redis.url, queue);
  try {
    return Object.values(await handle.getJobCounts()).reduce((sum, count) => sum + count, 0);
  } finally {
    await close();
  }
}

describe('pageflow enqueue', () => {
  it('refuses an invalid file, --set, --var, vars-file line or job id with exit 2 and enqueues nothing', async () => {
    await writeFile(tmp.resolve('bad-json.ndjson'), '{"TENANT":"a","TOKEN":"t-1"}\n{"TENANT": oops}\n');
    await writeFile(tmp.resolve('missing-token.ndjson'), '{"TENANT":"a","TOKEN":"t-1"}\n\n{"TENANT":"b"}\n');
    const cases = [
      { args: ['broken.yaml', '--var', 'TENANT=a', '--var', 'TOKEN=t-1'], message: /broken\.yaml: 1 problem\n.*sinks\[0\]\.type: unknown sink type "fiel"/ },
      { args: ['customers.yaml', '--var', 'TENANT=a', '--var', 'TOKEN=t-1', '--set', 'source.timeout=forever'], message: /source\.timeout: expected a duration/ },
      { args: ['customers.yaml', '--var', 'TENANT=a', '--var', '1TOKEN=secret-value'], message: /--var: 1 problem\n {2}1TOKEN: expected NAME=value/ },
      { args: ['customers.yaml', '--vars-file', 'bad-json.ndjson'], message: /bad-json\.ndjson: 1 problem\n {2}2:1 expected a JSON object of variables/ },
      { args: ['customers.yaml', '--vars-file', 'missing-token.ndjson'], message: /customers\.yaml \(variables of missing-token\.ndjson:3\): 1 problem\n.*source\.auth\.token: environment variable TOKEN is not set/ },
      { args: ['customers.yaml', '--var', 'TENANT=a', '--var', 'TOKEN=t-1', '--job-id', '12345'], message: /--job-id: 1 problem/ },
    ];
    const results = await Promise.all(cases.map(({ args }, index) => enqueue(`refused-${index}`, args)));
    results.forEach((result, index) => {
      expect(result).toMatchObject({ exitCode: 2, stdout: '' });
      expect(result.stderr).toMatch(cases[index].message);
      expect(result.stderr).not.toContain('secret-value');
    });
    expect(await Promise.all(cases.map((_, index) => counts(`refused-${index}`)))).toEqual(cases.map(() => 0));
  });

  it('adds a job id once, however often it is enqueued; the job holds its variables and its retry and retention settings', async () => {
    await writeFile(tmp.resolve('tenants.ndjson'), '{"TENANT":"acme","TOKEN":"t-acme"}\n{"TENANT":"beta"}\n');
    const args = ['customers.yaml', '--vars-file', 'tenants.ndjson', '--var', 'TOKEN=t-default', '--attempts', '5', '--backoff', '2s', '--keep-completed', '10', '--keep-failed', '20', '--keep-for', '1h'];
    // API is named by the file and set here; UNUSED is not named: it stays out of the job.
    const env = { API: 'http://127.0.0.1:8', UNUSED: 'not-for-the-job' };
    const first = await enqueue('once', args, env);
    const again = await enqueue('once', args, env);
    const single = await enqueue('once', ['customers.yaml', '--var', 'TENANT=gamma', '--var', 'TOKEN=t-g', '--job-id', 'gamma-1'], env);
    const singleAgain = await enqueue('once', ['customers.yaml', '--var', 'TENANT=other', '--var', 'TOKEN=t-o', '--job-id', 'gamma-1'], env);

    expect(first.exitCode).toBe(0);
    const ids = first.stdout.match(/^added (\S+)$/gm)!.map((line) => line.slice('added '.length));
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^customers-[0-9a-f]{16}$/);
    expect(again.stdout.split('\n').filter(Boolean).sort()).toEqual(ids.map((id) => `exists ${id} (waiting)`).sort());
    expect(single.stdout).toBe('added gamma-1\n');
    expect(singleAgain.stdout).toBe('exists gamma-1 (waiting)\n');
    expect(await counts('once')).toBe(3);

    const { queue, close } = openQueue(redis.url, 'once');
    try {
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      expect(jobs.map((job) => job!.data.variables).sort((a, b) => a.TENANT.localeCompare(b.TENANT))).toEqual([
        { API: 'http://127.0.0.1:8', TENANT: 'acme', TOKEN: 't-acme' },
        { API: 'http://127.0.0.1:8', TENANT: 'beta', TOKEN: 't-default' },
      ]);
      // The job's name is shown by `pageflow jobs`: secrets are redacted from it, a tenant in a path is not one.
      expect(jobs.map((job) => job!.name)).toEqual(['customers-acme', 'customers-beta']);
      expect(jobs[0]!.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { count: 10, age: 3600 }, removeOnFail: { count: 20, age: 3600 } });
      expect(jobs[0]!.data.pipeline).toMatchObject({ file: 'customers.yaml', dir: tmp.path, text: PIPELINE, set: [] });
    } finally {
      await close();
    }
  });

  it('fails with exit 1 when Redis cannot be reached, the password never shown', async () => {
    const result = await runCli(['enqueue', 'customers.yaml', '--var', 'TENANT=a', '--var', 'TOKEN=t'], { cwd: tmp.path, env: { PAGEFLOW_REDIS_URL: 'redis://:hunter22@127.0.0.1:1' } });
    expect(result).toMatchObject({ exitCode: 1 });
    expect(result.stderr).toMatch(/^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect 127\.0\.0\.1:1: the connection was refused \(nothing listens there\) \(ECONNREFUSED\)$/m);
    expect(result.stderr).not.toContain('hunter22');
  });
});
