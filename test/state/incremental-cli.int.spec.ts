import { readFile, readdir, writeFile } from 'node:fs/promises';
import type { DataRecord } from '../../src/record';
import { type CustomersApi, startCustomersApi } from '../helpers/customers-api';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(60_000);

const PIPELINE = `name: customers-incremental
state:
  path: state/customers.json
source:
  type: http
  url: \${API_URL}/v1/customers
  params:
    per_page: 10
  incremental:
    field: createdAt
    param: created_after
sinks:
  - type: file
    path: out/customers.csv
    columns: [id, company, createdAt]
`;
const HEADER = 'id,company,createdAt\n';

const customer = (n: number, createdAt: string): DataRecord => ({ id: `cst_${String(n).padStart(3, '0')}`, company: `Company ${n} BV`, createdAt });
/** 40 customers, 3 a minute from 08:00 on: the last three share 08:13:00. */
const FIRST = Array.from({ length: 40 }, (_, i) => customer(i + 1, new Date(Date.UTC(2024, 4, 1, 8, Math.floor((i + 2) / 3))).toISOString().replace('.000', '')));
const BOUNDARY = FIRST[39].createdAt as string;
/**
 * 50 more: 5 at the boundary value, 45 later, a third of those written with a +02:00 offset, whose
 * text sorts before the boundary's ("2024-05-01T10:…" is later than "…T08:…Z" only as an instant).
 */
const ADDED = Array.from({ length: 50 }, (_, i) => {
  if (i < 5) return customer(41 + i, BOUNDARY);
  const at = new Date(Date.parse(BOUNDARY) + i * 60_000);
  return customer(41 + i, i % 3 === 0 ? at.toISOString().replace('.000Z', 'Z') : `${new Date(at.getTime() + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`);
});

const idsIn = (csv: string) => csv.trim().split('\n').slice(1).map((line) => line.split(',')[0]);

let tmp: TmpDir;
const apis: CustomersApi[] = [];
beforeAll(async () => {
  tmp = await createTmpDir('pageflow-incremental-');
  await writeFile(tmp.resolve('customers.yaml'), PIPELINE);
});
afterAll(async () => {
  await Promise.all(apis.map((api) => api.close()));
  await tmp.remove();
});

async function api(customers: DataRecord[], failPages?: number[]): Promise<CustomersApi> {
  const started = await startCustomersApi({ customers, failPages });
  apis.push(started);
  return started;
}
const run = (server: CustomersApi, output: string, ...args: string[]) =>
  runCli(['run', 'customers.yaml', '--set', `sinks.0.path=out/${output}`, ...args], { cwd: tmp.path, env: { API_URL: server.url } });
const state = (...args: string[]) => runCli(['state', 'customers.yaml', ...args], { cwd: tmp.path });

it('exports all, then only what is new (boundary records included), nothing on failure, and an empty file when nothing is new', async () => {
  // The API ignores created_after and returns everything, as some do: pageflow must drop what it exported.
  const customers = [...FIRST];
  const live = await api(customers);

  const first = await run(live, 'run-1.csv');
  expect(first.exitCode).toBe(0);
  expect(idsIn(await readFile(tmp.resolve('out', 'run-1.csv'), 'utf8'))).toEqual(FIRST.map((c) => c.id));
  expect(first.stderr).toContain('info: incremental: no cursor yet, exporting everything');
  expect(first.stderr).toContain(`; incremental on createdAt first run, to ${BOUNDARY}, 0 already exported skipped`);

  customers.push(...ADDED);
  const requestsBefore = live.requests.length;
  const second = await run(live, 'run-2.csv', '--summary-json', 'summary-2.json');
  expect(second.exitCode).toBe(0);
  const exported = idsIn(await readFile(tmp.resolve('out', 'run-2.csv'), 'utf8'));
  expect(exported).toEqual(ADDED.map((c) => c.id));
  const highest = ADDED[49].createdAt as string;
  expect(second.stderr).toContain(`info: incremental: records after createdAt ${BOUNDARY} (asking for created_after=${BOUNDARY})`);
  expect(second.stderr).toContain(`; incremental on createdAt from ${BOUNDARY}, to ${highest}, 40 already exported skipped`);
  // The parameter went with the first request and stayed on every next link.
  const secondRequests = live.requests.slice(requestsBefore);
  expect(secondRequests).toHaveLength(9);
  expect(secondRequests.every((request) => request.query.created_after === BOUNDARY)).toBe(true);
  expect(JSON.parse(await readFile(tmp.resolve('summary-2.json'), 'utf8'))).toMatchObject({
    outcome: 'done',
    incremental: { field: 'createdAt', from: BOUNDARY, to: highest, skipped: 40 },
  });

  const savedState = await readFile(tmp.resolve('state', 'customers.json'), 'utf8');
  const broken = await api(customers, [3]);
  const third = await run(broken, 'run-3.csv', '--summary-json', 'summary-3.json');
  expect(third.exitCode).toBe(1);
  expect(third.stderr).toContain(`; incremental on createdAt from ${highest}, cursor not moved`);
  expect(await readFile(tmp.resolve('state', 'customers.json'), 'utf8')).toBe(savedState);
  expect(JSON.parse(await readFile(tmp.resolve('summary-3.json'), 'utf8'))).toMatchObject({ outcome: 'failed', incremental: { from: highest, skipped: 20 } });
  expect(await readdir(tmp.resolve('out'))).toEqual(['run-1.csv', 'run-2.csv']);

  const fourth = await run(live, 'run-4.csv');
  expect(fourth.exitCode).toBe(0);
  expect(await readFile(tmp.resolve('out', 'run-4.csv'), 'utf8')).toBe(HEADER);
  expect(fourth.stderr).toContain(`; incremental on createdAt from ${highest}, to ${highest}, 90 already exported skipped`);

  // Neither a dry run (it previews what is new: nothing) nor a run with a limit changes the state.
  const afterFourth = await readFile(tmp.resolve('state', 'customers.json'), 'utf8');
  const dry = await run(live, 'dry.csv', '--dry-run');
  expect(dry.exitCode).toBe(0);
  expect(dry.stdout).toBe('');
  customers.push(customer(91, '2024-05-02T00:00:00Z'));
  const limited = await run(live, 'limited.csv', '--limit', '1');
  expect(idsIn(await readFile(tmp.resolve('out', 'limited.csv'), 'utf8'))).toEqual(['cst_091']);
  expect(limited.stderr).toContain('info: state state/customers.json left as it was: a run with a limit exports part of what is there');
  expect(await readFile(tmp.resolve('state', 'customers.json'), 'utf8')).toBe(afterFourth);

  const shown = await state();
  expect(shown.exitCode).toBe(0);
  expect(shown.stdout).toMatch(new RegExp(`^pipeline customers-incremental, state state/customers.json\n  cursor:         createdAt ${highest.replace(/[+.]/g, '\\$&')} \\(1 record at or near it remembered\\)\n  last run:       \\S+ \\(run \\d{8}T\\d{6}Z-[0-9a-f]{6}, started \\S+\\): 9 pages, 90 records read\n    outputs:      file:out/run-4.csv 0 records \\(\\d+ B\\)\n    cursor:       ${highest.replace(/[+.]/g, '\\$&')} → ${highest.replace(/[+.]/g, '\\$&')}\n  unfinished run: none\n  lock:           free\n$`));
  const json = JSON.parse((await state('--format', 'json')).stdout);
  expect(json).toMatchObject({ location: 'state/customers.json', state: { pipeline: 'customers-incremental', cursor: { field: 'createdAt', value: highest } }, lock: null });

  const unconfirmed = await state('--reset');
  expect(unconfirmed.exitCode).toBe(2);
  expect(unconfirmed.stderr).toContain('refusing to reset the state without confirmation: no terminal to ask on (pass --yes)');
  expect(await readFile(tmp.resolve('state', 'customers.json'), 'utf8')).toBe(afterFourth);
  const reset = await state('--reset', '--yes');
  expect(reset.exitCode).toBe(0);
  expect(reset.stderr).toContain('info: state state/customers.json reset: the next run of customers-incremental starts from the beginning');
  const again = await run(live, 'run-5.csv');
  expect(again.exitCode).toBe(0);
  expect(idsIn(await readFile(tmp.resolve('out', 'run-5.csv'), 'utf8'))).toHaveLength(91);
});

it('needs a state for an incremental source, and a valid one', async () => {
  await writeFile(tmp.resolve('stateless.yaml'), PIPELINE.replace(/^state:\n  path: .*\n/m, ''));
  const stateless = await runCli(['validate', 'stateless.yaml'], { cwd: tmp.path, env: { API_URL: 'http://127.0.0.1:9' } });
  expect(stateless.exitCode).toBe(2);
  expect(stateless.stderr).toContain('source.incremental: needs a top-level state (where the cursor is kept between runs)');
  await writeFile(tmp.resolve('bad-state.yaml'), PIPELINE.replace('path: state/customers.json', 'path: s3:/bucket'));
  const bad = await runCli(['validate', 'bad-state.yaml'], { cwd: tmp.path, env: { API_URL: 'http://127.0.0.1:9' } });
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain('state.path: expected s3://bucket/key, got "s3:/bucket"');
  await writeFile(tmp.resolve('local-region.yaml'), PIPELINE.replace('path: state/customers.json', 'path: state/customers.json\n  region: eu-west-1'));
  const local = await runCli(['validate', 'local-region.yaml'], { cwd: tmp.path, env: { API_URL: 'http://127.0.0.1:9' } });
  expect(local.stderr).toContain('state.region: region applies to s3:// paths only (path is a local file)');
});
