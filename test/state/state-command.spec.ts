import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/io';
import { stateCommand } from '../../src/cli/commands/state';
import type { LogLevel } from '../../src/logger';
import { createFileStateStore } from '../../src/state/file-state-store';
import { type PipelineState, STATE_FORMAT } from '../../src/state/state-document';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

let tmp: TmpDir;
let file: string;
let statePath: string;
beforeEach(async () => {
  tmp = await createTmpDir('pageflow-state-command-');
  file = tmp.resolve('nightly.yaml');
  statePath = tmp.resolve('state', 'nightly.json');
  // The token is not set: `pageflow state` does not need it.
  await writeFile(file, `name: nightly\nstate:\n  path: ${statePath}\nsource:\n  type: http\n  url: https://api.example.com/v1/customers\n  headers: { Authorization: "Bearer \${MKP_TOKEN}" }\nsinks:\n  - type: stdout\n`);
});
afterEach(() => tmp.remove());

function io() {
  let stdout = '';
  const lines: string[] = [];
  const logger = { log: (level: LogLevel, message: string) => lines.push(`${level}: ${message}`) };
  const cli: CliIo = {
    stdout: new Writable({ write: (chunk, _encoding, done) => ((stdout += String(chunk)), done()) }),
    stdin: Readable.from([]),
    stderr: { write: () => true, showProgress: () => () => {} },
    env: {},
    logger,
    report: logger,
  };
  return { cli, lines, stdout: () => stdout };
}

const withCheckpoint: PipelineState = {
  format: STATE_FORMAT,
  pipeline: 'nightly',
  updatedAt: '2026-01-02T03:10:00.000Z',
  cursor: { field: 'createdAt', kind: 'instant', value: '2026-01-01T23:59:00Z', seen: [{ value: '2026-01-01T23:59:00Z', keys: ['a'.repeat(22), 'b'.repeat(22)] }] },
  unfinished: {
    runId: '20260102T030000Z-abcdef',
    startedAt: '2026-01-02T03:00:00.000Z',
    savedAt: '2026-01-02T03:09:00.000Z',
    pages: 40,
    resume: { next: 'https://api.example.com/v1/customers?page=41' },
    definition: {},
    sinks: [{ name: 's3://exports/customers.csv.gz', position: { uploadId: 'u1', parts: 3 } }],
  },
};

describe('pageflow state', () => {
  it('shows the cursor, the last run and an unfinished run with its checkpoint', async () => {
    await createFileStateStore(statePath).save(withCheckpoint);
    const { cli, stdout } = io();
    expect(await stateCommand({ file }, cli, undefined)).toBe(0);
    expect(stdout()).toBe(
      [
        `pipeline nightly, state ${statePath}`,
        '  cursor:         createdAt 2026-01-01T23:59:00Z (2 records at or near it remembered)',
        '  last run:       none',
        '  unfinished run: 20260102T030000Z-abcdef, started 2026-01-02T03:00:00.000Z: checkpoint after page 40, saved 2026-01-02T03:09:00.000Z',
        '    committed:    s3://exports/customers.csv.gz {"uploadId":"u1","parts":3}',
        '  lock:           free',
        '',
      ].join('\n'),
    );
  });

  it('says there is nothing yet for a pipeline that never ran', async () => {
    const { cli, stdout } = io();
    expect(await stateCommand({ file }, cli, undefined)).toBe(0);
    expect(stdout()).toContain('  cursor:         none (the next run exports everything)\n  last run:       none\n');
  });

  it('resets only when the question is answered yes', async () => {
    await createFileStateStore(statePath).save(withCheckpoint);
    const before = await readFile(statePath, 'utf8');
    const asked: string[] = [];
    const no = io();
    expect(await stateCommand({ file, reset: true }, no.cli, async (question) => (asked.push(question), false))).toBe(0);
    expect(asked).toEqual([`Reset the state of nightly at ${statePath} (cursor createdAt 2026-01-01T23:59:00Z)? Its next run exports everything again.`]);
    expect(no.lines).toEqual(['info: state left as it was']);
    expect(await readFile(statePath, 'utf8')).toBe(before);

    expect(await stateCommand({ file, reset: true }, io().cli, async () => true)).toBe(0);
    await expect(createFileStateStore(statePath).load()).resolves.toEqual({ format: STATE_FORMAT, pipeline: 'nightly', updatedAt: expect.any(String) });
  });

  it('does not reset a state a run holds', async () => {
    await createFileStateStore(statePath).save(withCheckpoint);
    const store = createFileStateStore(statePath);
    await store.swapLock(undefined, { owner: 'x', pipeline: 'nightly', pid: process.pid, host: hostname(), since: '2026-01-02T03:00:00.000Z', expiresAt: '2999-01-01T00:00:00.000Z' });
    const { cli, lines } = io();
    expect(await stateCommand({ file, reset: true, yes: true }, cli, undefined)).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^error: \[state:.*nightly\.json\] locked by pid \d+ on host /)]);
  });

  it('refuses a pipeline without state, naming what to add', async () => {
    await writeFile(file, 'name: stateless\nsource: { type: http, url: "https://api.example.com" }\nsinks: [{ type: stdout }]\n');
    const { cli, lines } = io();
    expect(await stateCommand({ file }, cli, undefined)).toBe(2);
    expect(lines).toEqual([`error: ${file}: 1 problem\n  state: the pipeline keeps no state between runs (add state: { path: … } to keep a cursor and a lock)`]);
  });
});
