import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/logger';
import { openStateStore } from '../../src/state/state-config';
import { startFaultApi, type FaultApi } from '../helpers/fault-api';
import { CLI_MAIN, runCli } from '../helpers/run-cli';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '../helpers/s3-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(30_000);

const PAGES = 20;
const PER_PAGE = 2;

let tmp: TmpDir;
let s3: S3Server;
let api: FaultApi;
const savedEnv = { ...process.env };
beforeAll(async () => {
  [tmp, s3] = await Promise.all([createTmpDir('pageflow-lock-'), startS3Server({ buckets: ['state'] })]);
  // The test watches the lock with the same SDK credentials the CLI gets.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([tmp.remove(), s3.close()]);
});
beforeEach(async () => {
  // Slow enough that a run is still going when the next one has started up, even on a loaded machine: 20 pages at 300 ms.
  api = await startFaultApi({ pages: PAGES, perPage: PER_PAGE, latencyMs: 300 });
});
afterEach(() => api.close());

const ENV = () => ({
  API_URL: api.url,
  S3_ENDPOINT: s3.endpoint,
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
});

/** Where each case keeps its state: in the pipeline file, and as the test opens it to watch the lock. */
const stores = [
  { store: 'a file', yaml: (name: string) => `state:\n  path: state/${name}.json\n`, settings: (name: string) => ({ path: tmp.resolve('state', `${name}.json`) }) },
  {
    store: 'S3',
    yaml: (name: string) => `state:\n  path: s3://state/${name}.json\n  endpoint: \${S3_ENDPOINT}\n  forcePathStyle: true\n`,
    settings: (name: string) => ({ path: `s3://state/${name}.json`, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' }),
  },
];

async function pipeline(name: string, state: string): Promise<string> {
  const file = `${name}.yaml`;
  await writeFile(tmp.resolve(file), `name: ${name}\n${state}source:\n  type: http\n  url: \${API_URL}\nsinks:\n  - type: file\n    path: out/${name}.csv\n`);
  return file;
}

function start(file: string): ChildProcess {
  return spawn(process.execPath, [CLI_MAIN, 'run', file], { cwd: tmp.path, env: { PATH: process.env.PATH ?? '', ...ENV() }, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Waits until `pid` holds the lock of the state, as the store shows it. */
async function lockHeldBy(settings: { path: string }, pid: number): Promise<void> {
  const store = openStateStore({ lease: 60_000, ...settings }, silentLogger);
  try {
    while ((await store.readLock()).holder?.pid !== pid) await sleep(25);
  } finally {
    await store.close?.();
  }
}

const rows = async (name: string) => (await readFile(tmp.resolve('out', `${name}.csv`), 'utf8')).trim().split('\n').length - 1;

describe.each(stores)('with the state in $store', ({ store, yaml, settings }) => {
  const name = (what: string) => `${what}-${store === 'S3' ? 's3' : 'file'}`;

  it('refuses a second run at once while one holds the state, naming its pid and host', async () => {
    const file = await pipeline(name('busy'), yaml(name('busy')));
    const first = start(file);
    const exited = once(first, 'exit');
    await lockHeldBy(settings(name('busy')), first.pid!);

    const second = await runCli(['run', file], { cwd: tmp.path, env: ENV() });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^error: \\[state:\\S+${name('busy')}\\.json\\] locked by pid ${first.pid} on host ${hostname()} since \\S+: another run of pipeline "${name('busy')}" holds it`, 'm'));
    expect(first.exitCode).toBeNull(); // still running: the second run did not wait for it

    const [code] = await exited;
    expect(code).toBe(0);
    expect(await rows(name('busy'))).toBe(PAGES * PER_PAGE);
  });

  it('takes over, with a warning, the lock of a run that was killed', async () => {
    const file = await pipeline(name('killed'), yaml(name('killed')));
    const victim = start(file);
    const exited = once(victim, 'exit');
    await lockHeldBy(settings(name('killed')), victim.pid!);
    victim.kill('SIGKILL');
    await exited;

    const next = await runCli(['run', file], { cwd: tmp.path, env: ENV() });
    expect(next.exitCode).toBe(0);
    expect(next.stderr).toMatch(new RegExp(`^warn: state \\S+${name('killed')}\\.json: took over the lock of pid ${victim.pid} on host ${hostname()} \\(no such process\\); its run did not finish$`, 'm'));
    expect(await rows(name('killed'))).toBe(PAGES * PER_PAGE);
    const shown = await runCli(['state', file], { cwd: tmp.path, env: ENV() });
    expect(shown.stdout).toContain('  lock:           free\n');
    expect(shown.stdout).toContain(`    outputs:      file:out/${name('killed')}.csv ${PAGES * PER_PAGE} records`);
  });
});
