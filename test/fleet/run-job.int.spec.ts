import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../src/errors/config-error';
import { JobError } from '../../src/fleet/job-error';
import type { PipelineJobData } from '../../src/fleet/pipeline-job';
import { runJob } from '../../src/fleet/run-job';
import type { Logger } from '../../src/logger';
import { createRedisStateStore } from '../../src/state/redis-state-store';
import { startRedisServer } from '../helpers/redis-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { startTenantApi, type TenantApi } from './helpers/tenant-api';

const TOKEN = 'tok/run+job=secret';
const KEY = 'key&run=+/job secret';

let api: TenantApi;
let tmp: TmpDir;

beforeAll(async () => {
  [api, tmp] = await Promise.all([startTenantApi({ tokens: { [TOKEN]: 'acme' }, pages: 3, perPage: 2 }), createTmpDir()]);
});

afterAll(async () => {
  await Promise.all([api.close(), tmp.remove()]);
});

function jobData(variables: Record<string, string>, text = pipelineText()): PipelineJobData {
  return { format: 1, pipeline: { file: 'customers.yaml', dir: tmp.path, text, set: [] }, variables, startedAt: '2026-01-02T03:04:05.000Z' };
}

function pipelineText(url = api.url): string {
  return `name: customers
source:
  type: http
  url: ${url}
  params: { api_key: "\${KEY}" }
  auth: { type: bearer, token: "\${TOKEN}" }
  retry: { attempts: 1 }
sinks:
  - type: file
    path: ${tmp.resolve('out')}/\${TENANT}.csv
`;
}

function collect(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { log: (level, message, fields) => lines.push(`${level}: ${message} ${JSON.stringify(fields ?? {})}`) } };
}

describe('runJob', () => {
  it('runs the pipeline with the job’s variables only and sums it up; progress is reported', async () => {
    const { logger, lines } = collect();
    const progress: unknown[] = [];
    const summary = await runJob({ label: 'job j1', data: jobData({ TENANT: 'acme', TOKEN, KEY }), startedAt: new Date('2026-01-02T03:04:05Z'), runId: 'run-1', attempt: 1, worker: 'w:1', logger, onProgress: (figures) => progress.push(figures) });

    expect(summary).toEqual({
      pipeline: 'customers',
      pages: 3,
      records: 6,
      duplicates: 0,
      retries: 0,
      throttled: 0,
      // Every variable is a secret until fields are marked otherwise: the tenant too.
      outputs: [{ name: `file:${tmp.resolve('out')}/acme.csv`, records: 6, bytes: expect.any(Number) }],
      durationMs: expect.any(Number),
      attempt: 1,
      worker: 'w:1',
    });
    expect(await readFile(tmp.resolve('out', 'acme.csv'), 'utf8')).toMatch(/^id,tenant,page\nacme-p1-r0,acme,1\n/);
    expect(progress.at(-1)).toEqual({ pages: 3, records: 6 });
    expect(lines[0]).toMatch(/^info: job j1: customers, attempt 1/);
    expect(lines.at(-1)).toMatch(/^info: job j1: customers: done in /);
  });

  it('fails with a one-line message without any form of a secret, and logs none', async () => {
    const { logger, lines } = collect();
    const failure = await runJob({ label: 'job j2', data: jobData({ TENANT: 'acme', TOKEN: `${TOKEN}-wrong`, KEY }), startedAt: new Date(), runId: 'run-1', attempt: 1, worker: 'w:1', logger }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(JobError);
    const { message, stack, retryable } = failure as JobError;
    expect(message).toMatch(/^page 1 \(.*\): HTTP 401 Unauthenticated\./);
    expect(message).not.toContain('\n');
    expect(stack).toBe(`JobError: ${message}`);
    expect(retryable).toBe(false);
    const shown = [message, ...lines].join('\n');
    for (const secret of [`${TOKEN}-wrong`, KEY]) {
      for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) expect(shown).not.toContain(form);
    }
  });

  it('fails for good, on one line, when the job’s pipeline no longer loads', async () => {
    const failure = await runJob({ label: 'job j3', data: jobData({ TENANT: 'acme', TOKEN, KEY }, 'name: x\nsource: { type: http }\nsinks: []\n'), startedAt: new Date(), runId: 'run-1', attempt: 1, worker: 'w:1', logger: collect().logger }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ retryable: false, message: expect.stringMatching(/^customers\.yaml: \d problems?; /) });
    expect((failure as JobError).cause).toBeInstanceOf(ConfigError);
  });

  it('runs a pipeline with state: under its lock, the state kept in the worker’s Redis for a redis: path', async () => {
    const redis = await startRedisServer();
    try {
      const text = `${pipelineText()}state: { path: "redis:customers-\${TENANT}" }\n`;
      const attempt = { label: 'job j4', data: jobData({ TENANT: 'acme', TOKEN, KEY }, text), startedAt: new Date(), runId: 'run-4', attempt: 1, worker: 'w:1', logger: collect().logger, redisUrl: redis.url };
      await expect(runJob(attempt)).resolves.toMatchObject({ pages: 3, records: 6 });
      const store = createRedisStateStore({ url: redis.url, key: 'customers-acme' });
      try {
        expect(await store.load()).toMatchObject({ pipeline: 'customers', lastRun: { pages: 3, recordsRead: 6 } });
        // Another run holds the lock: the job fails at once, naming the holder.
        const lock = await store.readLock();
        await store.swapLock(lock.version, { owner: 'o', pipeline: 'customers', pid: 1, host: 'elsewhere', since: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() });
        await expect(runJob(attempt)).rejects.toThrow(/locked by pid 1 on host elsewhere/);
      } finally {
        await store.close?.();
      }
    } finally {
      await redis.close();
    }
  });
});
