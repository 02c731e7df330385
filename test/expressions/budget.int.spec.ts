import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CustomersApi, startCustomersApi } from '../helpers/customers-api';
import { CLI_MAIN, runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(30_000);

// Catastrophic backtracking on the server's value: 40 x's and no y take longer than anyone waits.
const BACKTRACK = '$contains(name, /^(x+x+)+y$/)';

let dir: TmpDir;
let api: CustomersApi;

beforeEach(async () => {
  dir = await createTmpDir('pageflow-budget-');
  api = await startCustomersApi({ customers: [{ id: 'c1', name: 'xx' }, { id: 'c2', name: 'x'.repeat(40) }] });
});
afterEach(async () => {
  await api.close();
  await dir.remove();
});

async function pipeline(timeout: string, expression = BACKTRACK): Promise<string> {
  const file = dir.resolve('backtrack.yaml');
  await writeFile(
    file,
    `name: backtrack\nexpressions: { timeout: ${timeout} }\nsource:\n  type: http\n  url: ${api.url}/v1/customers\ntransforms:\n  - map: { id: id, m: '${expression}' }\nsinks:\n  - type: stdout\n`,
  );
  return file;
}

it('fails a run whose expression backtracks past its time budget, naming the step, the field and the record', async () => {
  const started = Date.now();
  const run = await runCli(['run', await pipeline('200ms')]);
  expect(run.exitCode).toBe(1);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(run.stderr).toContain(`error: map, field "m": "${BACKTRACK}" failed on record 2 ({"id":"c2","name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}): took longer than 200 ms (expressions.timeout)`);
  expect(run.stdout).toBe('');
});

it('fails a run whose expression loops past its time budget, and goes on with the records before it', async () => {
  const loop = '($f := function($n) { $n > 0 ? $f($n + 1) : 0 }; name = "xx" ? 1 : $f(1))';
  const run = await runCli(['run', await pipeline('300ms', loop)]);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toContain('failed on record 2 ({"id":"c2",');
  expect(run.stderr).toContain('took longer than 300 ms (expressions.timeout)');
});

it('stops within about a second on Ctrl-C, even while a regular expression backtracks', async () => {
  const child = spawn(process.execPath, [CLI_MAIN, 'run', await pipeline('10m')], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // The first page arrives and the backtracking starts well within this.
  await sleep(2500);
  expect(api.requests).toHaveLength(1);
  const signalled = Date.now();
  child.kill('SIGINT');
  const [code] = await exited;
  expect(Date.now() - signalled).toBeLessThan(2000);
  expect(code).toBe(130);
  expect(stderr).toContain('error: interrupted by SIGINT: stopped fetching, outputs rolled back');
});
