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
import { S3RVER_CREDENTIALS } from '../../test/helpers/s3-server';
import { startS3WithUploads } from '../../test/fleet/helpers/s3-with-uploads';
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
/** One large page-number export to S3: in one job on one worker, or split into ranges over three. */
const SPLIT = { pages: 400, perPage: 50, latencyMs: 25, splitPages: 100, workers: 3 } as const;
const AWS_ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };

interface Row {
  readonly workers: number;
  readonly wallMs: number;
  readonly jobs: number;
  readonly pages: number;
  /** The split case's runs: one job, or split. Absent: the job mix. */
  readonly mode?: 'whole' | 'split';
}

/**
 * `npm run bench:fleet`: the same job mix run by 1, 2 and 4 `pageflow worker` processes (each running
 * 2 jobs at once) against one Redis and a loopback API; wall time from enqueue to the last job done.
 * Then one large export to S3 (s3rver), in one job on one worker and split over three
 * (`--split-pages`); wall time from enqueue to the assembled object.
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
    rows.push(...(await splitRuns(redis.url, outDir, runs)));
  } finally {
    await Promise.all([redis.close(), api.close(), rm(outDir, { recursive: true, force: true })]);
  }

  const [cpu] = cpus();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const mix = rows.filter((row) => !row.mode);
  const byWorkers = [1, 2, 4].map((workers) => ({ ...mix.find((row) => row.workers === workers)!, wallMs: median(mix.filter((row) => row.workers === workers).map((row) => row.wallMs)) }));
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
          `| ${workers} | ${(wallMs / 1000).toFixed(2)} s | ${((count * 1000) / wallMs).toFixed(1)} | ${Math.round((pages * 1000) / wallMs)} | ${Math.round((pages * PER_PAGE * 1000) / wallMs)} | ${(single / wallMs).toFixed(2)}× | ${mix
            .filter((row) => row.workers === workers)
            .map((row) => (row.wallMs / 1000).toFixed(2))
            .join(', ')} |`,
      ),
      '',
      `Split: one export of ${SPLIT.pages} pages of ${SPLIT.perPage} records (${SPLIT.latencyMs} ms per page, one request at a time) to one S3 object (s3rver)`,
      '',
      '| Run | Workers | Wall time | Pages/s | Speed-up | Runs (s) |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...(['whole', 'split'] as const).map((mode) => {
        const times = rows.filter((row) => row.mode === mode).map((row) => row.wallMs);
        const wallMs = median(times);
        const whole = median(rows.filter((row) => row.mode === 'whole').map((row) => row.wallMs));
        const label = mode === 'whole' ? 'one job' : `--split-pages ${SPLIT.splitPages}`;
        return `| ${label} | ${mode === 'whole' ? 1 : SPLIT.workers} | ${(wallMs / 1000).toFixed(2)} s | ${Math.round((SPLIT.pages * 1000) / wallMs)} | ${(whole / wallMs).toFixed(2)}× | ${times.map((ms) => (ms / 1000).toFixed(2)).join(', ')} |`;
      }),
      '',
    ].join('\n'),
  );
}

/** The split case: the export as one job on one worker, then split over `SPLIT.workers` workers, `runs` times each. */
async function splitRuns(redisUrl: string, outDir: string, runs: number): Promise<Row[]> {
  const [api, s3] = await Promise.all([
    startTenantApi({ tokens: { 'token-split': 'split' }, pages: SPLIT.pages, perPage: SPLIT.perPage, latencyMs: SPLIT.latencyMs, recordBytes: 200 }),
    startS3WithUploads(['bench']),
  ]);
  const pipeline = join(outDir, 'split.yaml');
  await writeFile(
    pipeline,
    `name: bench-split
source:
  type: http
  url: ${api.url}
  auth: { type: bearer, token: token-split }
  pagination: { type: page-number, lastPage: last_page }
sinks:
  - type: s3
    bucket: bench
    key: split/{runId}.csv
    endpoint: ${s3.endpoint}
    forcePathStyle: true
`,
  );
  const rows: Row[] = [];
  try {
    for (const mode of ['whole', 'split'] as const) {
      const workers = mode === 'whole' ? 1 : SPLIT.workers;
      for (let run = 1; run <= runs; run += 1) {
        const queueName = `bench-${mode}-${run}`;
        process.stderr.write(`split case: ${mode === 'whole' ? 'one job' : `split over ${workers} workers`}, run ${run} of ${runs}\n`);
        const processes = await Promise.all(Array.from({ length: workers }, () => startWorker(redisUrl, queueName, AWS_ENV)));
        const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
        const queue: PipelineQueue = new Queue(queueName, { connection });
        try {
          const [job] = await prepareJobs({ file: pipeline, set: [], jobs: [{ variables: {} }], env: {}, splitPages: mode === 'split' ? SPLIT.splitPages : undefined });
          const started = Date.now();
          await enqueueJobs(queue, [job], DEFAULT_JOB_POLICY);
          for (let state = ''; state !== 'completed'; await delay(20)) {
            state = await queue.getJobState(job.id);
            if (state === 'failed') throw new Error(`the export failed: ${(await queue.getJob(job.id))?.failedReason}`);
          }
          const done = (await queue.getJob(job.id))!;
          if (done.returnvalue.pages !== SPLIT.pages) throw new Error(`the export read ${done.returnvalue.pages} pages`);
          rows.push({ workers, wallMs: (done.finishedOn ?? 0) - started, jobs: 1, pages: SPLIT.pages, mode });
        } finally {
          await queue.close();
          connection.disconnect();
          await Promise.all(processes.map(stopWorker));
        }
      }
    }
  } finally {
    await Promise.all([api.close(), s3.close()]);
  }
  return rows;
}

async function startWorker(redisUrl: string, queue: string, env: Readonly<Record<string, string>> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI_MAIN, 'worker', '--redis', redisUrl, '--queue', queue, '--concurrency', String(CONCURRENCY)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
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
