import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { listFiles } from '../contract/file-subject';
import { type S3WithUploads, startS3WithUploads } from '../fleet/helpers/s3-with-uploads';
import { type FaultApi, startFaultApi } from '../helpers/fault-api';
import { CLI_MAIN, runCli } from '../helpers/run-cli';
import { S3RVER_CREDENTIALS } from '../helpers/s3-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(180_000);

const PAGES = 300;
const PER_PAGE = 10;
const EVERY = 10;
/** Requests the crawler may have in flight beyond the page it waits on (next links: one). */
const CONCURRENCY = 1;

// 300 pages × 10 records × ~2 kB: over 5 MiB, so the S3 object is a multipart upload with a part
// completed before the last kills.
const PIPELINE = `name: customers-resumable
state:
  path: state/customers.json
checkpoint:
  every: ${EVERY}
source:
  type: http
  url: \${API_URL}
transforms:
  - dedup: id
  - set: {"pad": "$pad('', 2000, 'x')"}
sinks:
  - type: file
    path: out/customers.csv
  - type: file
    path: out/customers.csv.gz
  - type: s3
    bucket: exports
    key: \${PREFIX}/customers.csv
    endpoint: \${S3_ENDPOINT}
    forcePathStyle: true
    partSize: 5MiB
`;

let tmp: TmpDir;
let s3: S3WithUploads;
beforeAll(async () => {
  [tmp, s3] = await Promise.all([createTmpDir('pageflow-resume-'), startS3WithUploads(['exports'])]);
});
afterAll(() => Promise.all([tmp.remove(), s3.close()]));

const env = (api: FaultApi, prefix: string) => ({
  API_URL: api.url,
  PREFIX: prefix,
  S3_ENDPOINT: s3.endpoint,
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
});

async function folder(name: string): Promise<string> {
  const dir = tmp.resolve(name);
  await mkdir(dir, { recursive: true });
  await writeFile(tmp.resolve(name, 'customers.yaml'), PIPELINE);
  return dir;
}

/** A deterministic stream of numbers in [0, 1): mulberry32. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The page of the checkpoint the state holds, 0 when there is none. */
async function checkpointPage(dir: string): Promise<number> {
  const text = await readFile(`${dir}/state/customers.json`, 'utf8').catch(() => undefined);
  if (!text) return 0;
  try {
    return (JSON.parse(text) as { unfinished?: { pages: number } }).unfinished?.pages ?? 0;
  } catch {
    return 0; // replaced while read
  }
}

function start(dir: string, api: FaultApi, prefix: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [CLI_MAIN, 'run', 'customers.yaml'], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env(api, prefix) }, stdio: ['ignore', 'ignore', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { child, stderr: () => Buffer.concat(chunks).toString('utf8') };
}

const outputs = async (dir: string, prefix: string) => ({
  csv: await readFile(`${dir}/out/customers.csv`),
  gz: await readFile(`${dir}/out/customers.csv.gz`),
  s3: await s3.readObject('exports', `${prefix}/customers.csv`),
});

/** Requests per page beyond the first. */
const repeated = (api: FaultApi) => api.requests.length - new Set(api.requests.map((request) => request.page)).size;

it('killed with SIGKILL at random points, each run resuming the last, writes outputs byte-identical to a run that never died', async () => {
  // Small latency so that the kills land mid-run.
  const [referenceApi, api] = await Promise.all([startFaultApi({ pages: PAGES, perPage: PER_PAGE }), startFaultApi({ pages: PAGES, perPage: PER_PAGE, latencyMs: 3 })]);
  try {
    const reference = await folder('reference');
    const whole = await runCli(['run', 'customers.yaml'], { cwd: reference, env: env(referenceApi, 'reference'), timeoutMs: 120_000 });
    expect(whole.stderr).not.toMatch(/resuming|error/);
    expect(whole.exitCode).toBe(0);
    const expected = await outputs(reference, 'reference');
    expect(expected.csv.toString('utf8').split('\n')).toHaveLength(PAGES * PER_PAGE + 2);
    expect(gunzipSync(expected.gz).equals(expected.csv)).toBe(true);
    expect(expected.s3.equals(expected.csv)).toBe(true);

    const dir = await folder('killed');
    const random = seeded(20261202);
    const kills = 3;
    let lastCheckpoint = 0;
    for (let kill = 1; kill <= kills; kill += 1) {
      // A checkpoint further on than the last one, then a random moment after it: mid-page, mid-part.
      const target = lastCheckpoint + EVERY * (1 + Math.floor(random() * 6));
      const before = api.requests.length;
      const run = start(dir, api, 'killed');
      while ((await checkpointPage(dir)) < target && run.child.exitCode === null) await sleep(5);
      await sleep(Math.floor(random() * 40));
      run.child.kill('SIGKILL');
      await once(run.child, 'close');
      if (kill > 1) expect(run.stderr()).toMatch(new RegExp(`resuming run \\S+ from page ${lastCheckpoint + 1}\\n`));
      const requested = api.requests.slice(before).map((request) => request.page);
      // This run started where the last checkpoint was: pages before it are never asked for again.
      expect(Math.min(...requested)).toBe(lastCheckpoint + 1);
      lastCheckpoint = await checkpointPage(dir);
      expect(lastCheckpoint).toBeGreaterThanOrEqual(target);
    }
    const last = await runCli(['run', 'customers.yaml', '--summary-json', 'summary.json'], { cwd: dir, env: env(api, 'killed'), timeoutMs: 120_000 });
    expect(last.stderr).toMatch(new RegExp(`resuming run \\S+ from page ${lastCheckpoint + 1}\\n`));
    expect(last.exitCode).toBe(0);
    expect(last.stderr).toMatch(new RegExp(`; resumed run \\S+ from page ${lastCheckpoint + 1}`));
    const summary = JSON.parse(await readFile(`${dir}/summary.json`, 'utf8')) as { resumed?: { fromPage: number }; recordsRead: number; pages: number };
    expect(summary.resumed?.fromPage).toBe(lastCheckpoint + 1);
    expect(summary.pages).toBe(PAGES);
    expect(summary.recordsRead).toBe(PAGES * PER_PAGE);

    const got = await outputs(dir, 'killed');
    expect(got.csv.equals(expected.csv)).toBe(true);
    expect(got.gz.equals(expected.gz)).toBe(true);
    expect(got.s3.equals(expected.s3)).toBe(true);
    // Each kill costs at most `every` pages read again, plus those in flight.
    expect(repeated(api)).toBeLessThanOrEqual(kills * (EVERY + CONCURRENCY));
    expect((await listFiles(`${dir}/out`)).hidden).toEqual([]);
    expect(await s3.openUploads('exports')).toEqual([]);
    const state = JSON.parse(await readFile(`${dir}/state/customers.json`, 'utf8')) as { unfinished?: unknown; lastRun?: { pages: number } };
    expect(state.unfinished).toBeUndefined();
    expect(state.lastRun?.pages).toBe(PAGES);
  } finally {
    await Promise.all([referenceApi.close(), api.close()]);
  }
});
