import { readFile, writeFile } from 'node:fs/promises';
import { listFiles } from '../contract/file-subject';
import { startFaultApiPerTest } from '../helpers/fault-api';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(60_000);

const startApi = startFaultApiPerTest();
let tmp: TmpDir;
beforeEach(async () => {
  tmp = await createTmpDir('pageflow-resume-options-');
});
afterEach(() => tmp.remove());

const pipeline = (sink: string) => `name: customers
state:
  path: state/customers.json
checkpoint:
  every: 10
source:
  type: http
  url: \${API_URL}
sinks:
${sink}
`;
const CSV_SINK = '  - type: file\n    path: out/customers.csv\n';

const state = async () => JSON.parse(await readFile(tmp.resolve('state', 'customers.json'), 'utf8')) as { unfinished?: { pages: number; runId: string } };

/** An API whose page 25 fails (404) until `heal()`. */
async function flakyApi() {
  let broken = true;
  const api = await startApi({ pages: 40, fault: ({ page }) => (broken && page === 25 ? { status: 404 } : undefined) });
  return { api, env: { API_URL: api.url }, heal: () => (broken = false) };
}

it('keeps the checkpoint of a run that failed; refuses to resume it under a changed definition; --fresh discards it and starts over', async () => {
  const { api, env, heal } = await flakyApi();
  await writeFile(tmp.resolve('p.yaml'), pipeline(CSV_SINK));
  const failed = await runCli(['run', 'p.yaml'], { cwd: tmp.path, env });
  expect(failed.exitCode).toBe(1);
  expect(failed.stderr).toMatch(/warn: run \S+ stopped; its outputs up to page 20 are kept: the next run resumes from page 21 \(run --fresh to start over\)/);
  const { unfinished } = await state();
  expect(unfinished?.pages).toBe(20);
  // The temporary file stays for the resume; the output is not there yet.
  expect((await listFiles(tmp.resolve('out'))).visible).toEqual([]);
  expect((await listFiles(tmp.resolve('out'))).hidden.length).toBeGreaterThan(0);

  const shown = await runCli(['state', 'p.yaml'], { cwd: tmp.path });
  expect(shown.stdout).toMatch(new RegExp(`unfinished run: ${unfinished!.runId}, started \\S+: checkpoint after page 20`));

  await writeFile(tmp.resolve('changed.yaml'), pipeline(`${CSV_SINK}    columns: [id, page]\n`));
  heal();
  const before = api.requests.length;
  const refused = await runCli(['run', 'changed.yaml'], { cwd: tmp.path, env });
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toMatch(new RegExp(`holds the unfinished run ${unfinished!.runId} \\(checkpoint after page 20\\) of another definition: sinks changed; undo the change to resume it, or run with --fresh`));
  expect(api.requests).toHaveLength(before);

  const fresh = await runCli(['run', 'changed.yaml', '--fresh'], { cwd: tmp.path, env });
  expect(fresh.exitCode).toBe(0);
  expect(fresh.stderr).toMatch(/discarded the checkpoint of run \S+ \(after page 20\): starting over \(--fresh\)/);
  expect(fresh.stderr).not.toMatch(/resuming/);
  expect(api.requests[before].page).toBe(1);
  expect((await readFile(tmp.resolve('out', 'customers.csv'), 'utf8')).trim().split('\n')).toHaveLength(81);
  expect((await listFiles(tmp.resolve('out'))).hidden).toEqual([]);
  expect((await state()).unfinished).toBeUndefined();
});

it('resumes a failed run where its checkpoint was, with the output whole', async () => {
  const { api, env, heal } = await flakyApi();
  await writeFile(tmp.resolve('p.yaml'), pipeline(CSV_SINK));
  expect((await runCli(['run', 'p.yaml'], { cwd: tmp.path, env })).exitCode).toBe(1);
  heal();
  const before = api.requests.length;
  const resumed = await runCli(['run', 'p.yaml'], { cwd: tmp.path, env });
  expect(resumed.exitCode).toBe(0);
  expect(resumed.stderr).toMatch(/info: resuming run \S+ from page 21\n/);
  expect(api.requests.slice(before).map((request) => request.page)).toEqual(Array.from({ length: 20 }, (_, index) => index + 21));
  const lines = (await readFile(tmp.resolve('out', 'customers.csv'), 'utf8')).trim().split('\n');
  expect(lines[0]).toBe('id,page');
  expect(lines.slice(1)).toEqual(Array.from({ length: 80 }, (_, index) => `p${Math.floor(index / 2) + 1}r${index % 2},${Math.floor(index / 2) + 1}`));
  expect((await listFiles(tmp.resolve('out'))).hidden).toEqual([]);
});

it.each([
  { dedup: `"[page % 15, $substringAfter(id, 'r')]"`, journal: 'dedup-1' },
  { dedup: `{ key: "[page % 15, $substringAfter(id, 'r')]", hash: true }`, journal: 'dedup-hashed-1' },
])('resumes the keys a dedup had seen from its journal, so the resumed pages drop records seen before the checkpoint ($journal)', async ({ dedup, journal }) => {
  const { env, heal } = await flakyApi();
  // Pages 16–40 repeat the keys of pages 1–15: only the first 15 pages' records are kept.
  await writeFile(tmp.resolve('p.yaml'), pipeline(CSV_SINK).replace('sinks:', `transforms:\n  - dedup: ${dedup}\nsinks:`));
  expect((await runCli(['run', 'p.yaml'], { cwd: tmp.path, env })).exitCode).toBe(1);
  const { unfinished } = (await state()) as { unfinished?: { runId: string; operators?: Record<string, { journal: string; bytes: number }> } };
  const saved = Object.values(unfinished?.operators ?? {});
  expect(saved).toEqual([{ journal: `${unfinished!.runId}.${journal}`, bytes: expect.any(Number) }]);
  expect((await readFile(tmp.resolve('state', 'customers.json.journal', encodeURIComponent(saved[0].journal)))).length).toBeGreaterThanOrEqual(saved[0].bytes);
  heal();
  const resumed = await runCli(['run', 'p.yaml', '--summary-json', 'summary.json'], { cwd: tmp.path, env });
  expect(resumed.exitCode).toBe(0);
  expect(resumed.stderr).toMatch(/info: resuming run \S+ from page 21\n/);
  const lines = (await readFile(tmp.resolve('out', 'customers.csv'), 'utf8')).trim().split('\n');
  expect(lines.slice(1)).toEqual(Array.from({ length: 30 }, (_, index) => `p${Math.floor(index / 2) + 1}r${index % 2},${Math.floor(index / 2) + 1}`));
  expect(JSON.parse(await readFile(tmp.resolve('summary.json'), 'utf8'))).toMatchObject({ recordsRead: 80, duplicates: 50 });
  await expect(readFile(tmp.resolve('state', 'customers.json.journal', encodeURIComponent(saved[0].journal)))).rejects.toThrow(/ENOENT/);
});

it('state --reset discards an unfinished run with what it left', async () => {
  const { env } = await flakyApi();
  await writeFile(tmp.resolve('p.yaml'), pipeline(CSV_SINK));
  expect((await runCli(['run', 'p.yaml'], { cwd: tmp.path, env })).exitCode).toBe(1);
  expect((await listFiles(tmp.resolve('out'))).hidden.length).toBeGreaterThan(0);
  const reset = await runCli(['state', 'p.yaml', '--reset', '--yes'], { cwd: tmp.path, env });
  expect(reset.exitCode).toBe(0);
  expect(reset.stderr).toMatch(/removed what the unfinished run \S+ left/);
  expect((await listFiles(tmp.resolve('out'))).hidden).toEqual([]);
  expect((await state()).unfinished).toBeUndefined();
});

it.each([
  { sink: '  - type: stdout\n', message: /sinks\[0\]: checkpoint: a stdout sink cannot resume/ },
  { sink: '  - type: file\n    path: out/customers.parquet\n', message: /sinks\[0\]: checkpoint: Parquet cannot resume exactly/ },
  { sink: '  - type: file\n    path: out/part-{part}.csv\n    maxRecords: 10\n', message: /sinks\[0\]: checkpoint: path out\/part-\{part\}\.csv splits the output/ },
])('refuses checkpoint with a sink that cannot resume, naming it: $message', async ({ sink, message }) => {
  await writeFile(tmp.resolve('p.yaml'), pipeline(sink));
  const result = await runCli(['validate', 'p.yaml'], { cwd: tmp.path });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toMatch(message);
});
