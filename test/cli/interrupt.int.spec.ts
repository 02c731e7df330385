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

const PREVIOUS = 'id,page\nprevious,0\n';

/**
 * Starts `pageflow run` on a slow API writing out/items.csv over a previous version, and resolves
 * once it has started writing; `signal(...)` then sends signals, the given milliseconds apart.
 */
async function startRun() {
  const outDir = dir.resolve('out');
  await writeFile(dir.resolve('items.yaml'), `name: items\nsource:\n  type: http\n  url: ${api.url}\nsinks:\n  - type: file\n    path: out/items.csv\n`);
  await mkdir(outDir);
  await writeFile(dir.resolve('out', 'items.csv'), PREVIOUS);

  const child = spawn(process.execPath, [CLI_MAIN, 'run', 'items.yaml', '--summary-json', 'summary.json'], {
    cwd: dir.path,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await waitForTemporaryFile(outDir);
  return {
    async signal(signal: NodeJS.Signals, ...gapsMs: number[]) {
      child.kill(signal);
      for (const gap of gapsMs) {
        await sleep(gap);
        child.kill(signal);
      }
      const [code, killedBy] = await exited;
      return { code, killedBy, stderr, output: await readFile(dir.resolve('out', 'items.csv'), 'utf8'), outFiles: await readdir(outDir) };
    },
  };
}

const summary = async () => JSON.parse(await readFile(dir.resolve('summary.json'), 'utf8')) as unknown;

it.each([
  { signal: 'SIGINT' as const, exitCode: 130 },
  { signal: 'SIGTERM' as const, exitCode: 143 },
])('$signal mid-run exits $exitCode with a one-line reason, leaving the previous output untouched and no temporary file', async ({ signal, exitCode }) => {
  const run = await startRun();

  const { code, stderr, output, outFiles } = await run.signal(signal);

  expect(code).toBe(exitCode);
  expect(stderr.split('\n').filter((line) => line.startsWith('error: '))).toEqual([`error: interrupted by ${signal}: stopped fetching, outputs rolled back`]);
  expect(stderr).toMatch(/^info: items: interrupted in [\d.]+s: \d+ pages?,/m);
  expect(output).toBe(PREVIOUS);
  expect(outFiles).toEqual(['items.csv']);
  expect(api.requests.length).toBeLessThan(40);
  expect(await summary()).toMatchObject({ outcome: 'interrupted', exitCode });
});

it('two SIGINTs 1 ms apart still roll the outputs back and write the summary', async () => {
  const run = await startRun();

  const { code, killedBy, stderr, output, outFiles } = await run.signal('SIGINT', 1);

  expect(killedBy).toBeNull(); // not killed by the second signal
  expect(code).toBe(130);
  expect(stderr.split('\n').filter((line) => line.startsWith('error: '))).toEqual(['error: interrupted by SIGINT: stopped fetching, outputs rolled back']);
  expect(output).toBe(PREVIOUS);
  expect(outFiles).toEqual(['items.csv']);
  expect(await summary()).toMatchObject({ outcome: 'interrupted', exitCode: 130 });
});
