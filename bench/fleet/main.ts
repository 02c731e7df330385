import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULT_JOB_POLICY } from '../../src/fleet/fleet-defaults';
import { enqueueJobs, type PipelineQueue, prepareJobs } from '../../src/fleet/enqueue-jobs';
import { startRedisServer } from '../../test/helpers/redis-server';
import { startTenantApi } from '../../test/fleet/helpers/tenant-api';

/** The job mix: per tenant, small, medium and large exports (pages of 50 records, 25 ms per page). */
const MIX = [
  { size: 'small', pages: 10, perTenant: 2 },
  { size: 'medium', pages: 40, perTenant: 1 },
  { size: 'large', pages: 100, perTenant: 1 },
] as const;
const TENANTS = 6;
const PER_PAGE = 50;
const LATENCY_MS = 25;
const CONCURRENCY = 2;
const CLI_MAIN = resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli', 'main.js');

interface Row {
  readonly workers: number;
  readonly wallMs: number;
  readonly jobs: number;
  readonly pages: number;
}

/**
 * `npm run bench:fleet`: the same job mix run by 1, 2 and 4 `pageflow worker` processes (each running
 * 2 jobs at once) against one Redis and a loopback API; wall time from enqueue to the last job done.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Math.max(1, Number(values.runs) || 3);
  const outDir = resolve('out', 'bench-fleet-runs');
  await mkdir(outDir, { recursive: true });
  // One token per tenant and size: the API serves each export its own number of pages.
  const exports = Array.from({ length: TENANTS }, (_, index) => MIX.map((job) => ({ ...job, tenant: `tenant${index}-${job.size}`, token: `token-${index}-${job.size}` }))).flat();
  const tokens = Object.fromEntries(exports.map(({ token, tenant }) => [token, tenant]));
  const pagesOf = (tenant: string) => exports.find((each) => each.tenant === tenant)!.pages;
  const [redis, api] = await Promise.all([startRedisServer(), startTenantApi({ tokens, pages: 0, pagesOf, perPage: PER_PAGE, latencyMs: LATENCY_MS, recordBytes: 200 })]);
  const pipeline = join(outDir, 'bench.yaml');
  await writeFile(
    pipeline,
    `name: bench-\${TENANT}
source:
  type: http
  url: ${api.url}
  auth: { type: bearer, token: "\${TOKEN}" }
sinks:
  - type: file
    path: ${outDir}/\${TENANT}-\${N}.csv
`,
  );
  const jobs = exports.flatMap(({ tenant, token, perTenant }) => Array.from({ length: perTenant }, (_, n) => ({ variables: { TENANT: tenant, TOKEN: token, N: String(n) } })));
  const rows: Row[] = [];
  try {
    for (const workers of [1, 2, 4]) {
      for (let run = 1; run <= runs; run += 1) {
        const queueName = `bench-${workers}-${run}`;
        process.stderr.write(`${workers} worker(s), run ${run} of ${runs}\n`);
        const processes = await Promise.all(Array.from({ length: workers }, () => startWorker(redis.url, queueName)));
        const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
        const queue: PipelineQueue = new Queue(queueName, { connection });
        try {
          const prepared = await prepareJobs({ file: pipeline, set: [], jobs, env: {} });
          const started = Date.now();
          await enqueueJobs(queue, prepared, DEFAULT_JOB_POLICY);
          while ((await queue.getJobCounts('completed')).completed < prepared.length) {
            if ((await queue.getJobCounts('failed')).failed > 0) throw new Error(`a job failed: ${(await queue.getJobs(['failed']))[0]?.failedReason}`);
            await delay(20);
          }
          const finished = await queue.getJobs(['completed']);
          const last = Math.max(...finished.map((job) => job.finishedOn ?? 0));
          rows.push({ workers, wallMs: last - started, jobs: finished.length, pages: finished.reduce((sum, job) => sum + job.returnvalue.pages, 0) });
        } finally {
          await queue.close();
          connection.disconnect();
          await Promise.all(processes.map(stopWorker));
        }
      }
    }
  } finally {
    await Promise.all([redis.close(), api.close(), rm(outDir, { recursive: true, force: true })]);
  }

  const [cpu] = cpus();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const byWorkers = [1, 2, 4].map((workers) => ({ ...rows.find((row) => row.workers === workers)!, wallMs: median(rows.filter((row) => row.workers === workers).map((row) => row.wallMs)) }));
  const single = byWorkers[0].wallMs;
  const pages = byWorkers[0].pages;
  process.stdout.write(
    [
      '',
      `Machine: ${cpus().length} × ${cpu?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}; median of ${runs}`,
      `Job mix: ${jobs.length} jobs (${TENANTS} tenants × ${MIX.map((job) => `${job.perTenant} ${job.size} of ${job.pages} pages`).join(', ')}), ${pages} pages of ${PER_PAGE} records, ${LATENCY_MS} ms per page; each worker runs ${CONCURRENCY} jobs at once`,
      '',
      '| Workers | Wall time | Jobs/s | Pages/s | Records/s | Speed-up | Runs (s) |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...byWorkers.map(
        ({ workers, wallMs, jobs: count }) =>
          `| ${workers} | ${(wallMs / 1000).toFixed(2)} s | ${((count * 1000) / wallMs).toFixed(1)} | ${Math.round((pages * 1000) / wallMs)} | ${Math.round((pages * PER_PAGE * 1000) / wallMs)} | ${(single / wallMs).toFixed(2)}× | ${rows
            .filter((row) => row.workers === workers)
            .map((row) => (row.wallMs / 1000).toFixed(2))
            .join(', ')} |`,
      ),
      '',
    ].join('\n'),
  );
}

async function startWorker(redisUrl: string, queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI_MAIN, 'worker', '--redis', redisUrl, '--queue', queue, '--concurrency', String(CONCURRENCY)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (const deadline = Date.now() + 30_000; !/ ready: /.test(stderr); await delay(50)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`a worker did not start: ${stderr}`);
  }
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
