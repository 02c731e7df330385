import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultApi, type FaultApi } from '../helpers/fault-api';
import { CLI_MAIN } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(20_000);

let dir: TmpDir;
let api: FaultApi;

beforeEach(async () => {
  dir = await createTmpDir('pageflow-interrupt-');
  // Slow enough that the run is still fetching when the signal comes: 40 pages at 150 ms each.
  api = await startFaultApi({ pages: 40, perPage: 5, latencyMs: 150 });
});
afterEach(async () => {
  await api.close();
  await dir.remove();
});

/** Resolves once a temporary file shows the sink has started writing: from then on there is something to roll back. */
async function waitForTemporaryFile(outDir: string): Promise<string> {
  for (;;) {
    const temporary = (await readdir(outDir).catch(() => [])).find((name) => name.endsWith('.tmp'));
    if (temporary) return temporary;
    await sleep(20);
  }
}

it.each([
  { signal: 'SIGINT' as const, exitCode: 130 },
  { signal: 'SIGTERM' as const, exitCode: 143 },
])('$signal mid-run exits $exitCode with a one-line reason, leaving the previous output untouched and no temporary file', async ({ signal, exitCode }) => {
  const outDir = dir.resolve('out');
  const output = dir.resolve('out', 'items.csv');
  await writeFile(dir.resolve('items.yaml'), `name: items\nsource:\n  type: http\n  url: ${api.url}\nsinks:\n  - type: file\n    path: out/items.csv\n`);
  await mkdir(outDir);
  await writeFile(output, 'id,page\nprevious,0\n');

  const child = spawn(process.execPath, [CLI_MAIN, 'run', 'items.yaml', '--summary-json', 'summary.json'], {
    cwd: dir.path,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  await waitForTemporaryFile(outDir);
  child.kill(signal);
  const [code] = await exited;

  expect(code).toBe(exitCode);
  expect(stderr.split('\n').filter((line) => line.startsWith('error: '))).toEqual([`error: interrupted by ${signal}: stopped fetching, outputs rolled back`]);
  expect(stderr).toMatch(/^info: items: interrupted in [\d.]+s: \d+ pages?,/m);
  expect(await readFile(output, 'utf8')).toBe('id,page\nprevious,0\n');
  expect(await readdir(outDir)).toEqual(['items.csv']);
  expect(api.requests.length).toBeLessThan(40);
  expect(JSON.parse(await readFile(dir.resolve('summary.json'), 'utf8'))).toMatchObject({ outcome: 'interrupted', exitCode });
});

it('two SIGINTs 1 ms apart still roll the outputs back and write the summary', async () => {
  const outDir = dir.resolve('out');
  const output = dir.resolve('out', 'items.csv');
  await writeFile(dir.resolve('items.yaml'), `name: items\nsource:\n  type: http\n  url: ${api.url}\nsinks:\n  - type: file\n    path: out/items.csv\n`);
  await mkdir(outDir);
  await writeFile(output, 'id,page\nprevious,0\n');

  const child = spawn(process.execPath, [CLI_MAIN, 'run', 'items.yaml', '--summary-json', 'summary.json'], {
    cwd: dir.path,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  await waitForTemporaryFile(outDir);
  child.kill('SIGINT');
  await sleep(1);
  child.kill('SIGINT');
  const [code, signal] = await exited;

  expect(signal).toBeNull(); // not killed by the second signal
  expect(code).toBe(130);
  expect(stderr.split('\n').filter((line) => line.startsWith('error: '))).toEqual(['error: interrupted by SIGINT: stopped fetching, outputs rolled back']);
  expect(await readFile(output, 'utf8')).toBe('id,page\nprevious,0\n');
  expect(await readdir(outDir)).toEqual(['items.csv']);
  expect(JSON.parse(await readFile(dir.resolve('summary.json'), 'utf8'))).toMatchObject({ outcome: 'interrupted', exitCode: 130 });
});
