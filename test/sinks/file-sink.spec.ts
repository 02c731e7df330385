import { chmod, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { createFileSink } from '../../src/sinks/file-sink';
import { fileSubject, listFiles } from '../contract/file-subject';
import { contractRecords, pageOrigin, testSinkContract } from '../contract/sink-contract';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

const byIntegration = (records: Record<string, unknown>[]) => [...records].sort((a, b) => String(a.integration).localeCompare(String(b.integration)));

jest.setTimeout(20_000); // DuckDB's first load takes seconds on a busy machine

testSinkContract(fileSubject('file (CSV)', 'out/customers.csv', {}, { resumable: true }));
testSinkContract(fileSubject('file (CSV, gzip)', 'out/customers.csv.gz', {}, { resumable: true }));
testSinkContract(fileSubject('file (NDJSON, gzip)', 'customers.ndjson.gz', {}, { resumable: true }));
testSinkContract(fileSubject('file (Parquet)', 'lake/customers.parquet', { columns: [{ name: 'id', type: 'string' }, 'name', 'integration'] }));
testSinkContract(
  fileSubject('file (partitioned by a record field, 2 records a part)', 'out/integration={record.integration}/part-{part}.csv', { maxRecords: 2 }, { arrange: byIntegration, emptyOutput: false }),
);

describe('createFileSink', () => {
  let dir: TmpDir;
  beforeEach(async () => {
    dir = await createTmpDir();
  });
  afterEach(() => dir.remove());

  it('shows nothing at the path until finish, then the whole file', async () => {
    const path = dir.resolve('out', 'customers.csv');
    const sink = createFileSink({ path });
    await sink.open();
    await sink.write([{ id: 'a', company: 'Smit, & Zonen' }]);
    await sink.write([{ id: 'b', company: 'Café "Hoek"' }]);
    expect(await readdir(dir.resolve('out'))).toEqual([expect.stringMatching(/^\.customers\.csv\.\d+-[0-9a-f]{8}-[0-9a-f]{8}\.tmp$/)]);

    await sink.finish();
    const expected = 'id,company\na,"Smit, & Zonen"\nb,"Café ""Hoek"""\n';
    expect(await readFile(path, 'utf8')).toBe(expected);
    expect(await readdir(dir.resolve('out'))).toEqual(['customers.csv']);
    expect(sink.metrics).toEqual({ name: `file:${path}`, records: 2, bytes: Buffer.byteLength(expected), outputs: [{ name: path, records: 2, bytes: Buffer.byteLength(expected) }] });
  });

  it('leaves the previous file untouched and no temporary file behind when aborted', async () => {
    const path = dir.resolve('customers.ndjson');
    await writeFile(path, 'previous export\n');
    const sink = createFileSink({ path });
    await sink.open();
    await sink.write([{ id: 'a' }]);
    await sink.abort(new Error('page 3 failed'));
    expect(await readFile(path, 'utf8')).toBe('previous export\n');
    expect(await readdir(dir.path)).toEqual(['customers.ndjson']);
  });

  it('compresses when the name ends in .gz, and counts the compressed bytes', async () => {
    const path = dir.resolve('customers.ndjson.gz');
    const sink = createFileSink({ path });
    await sink.open();
    await sink.write(contractRecords(0, 2000));
    await sink.finish();
    const file = await readFile(path);
    expect(gunzipSync(file).toString()).toBe(contractRecords(0, 2000).map((record) => `${JSON.stringify(record)}\n`).join(''));
    expect(sink.metrics.bytes).toBe(file.length);
    expect(sink.metrics.bytes).toBeLessThan(gunzipSync(file).length / 3);
  });

  it('writes the header of an empty export when the columns are given', async () => {
    const path = dir.resolve('empty.csv');
    const sink = createFileSink({ path, columns: ['id', 'company'] });
    await sink.open();
    await sink.finish();
    expect(await readFile(path, 'utf8')).toBe('id,company\n');
  });

  it('keeps the mode of the file it replaces', async () => {
    const path = dir.resolve('customers.csv');
    await writeFile(path, 'old\n');
    await chmod(path, 0o600);
    const sink = createFileSink({ path });
    await sink.open();
    await sink.write([{ id: 'a' }]);
    await sink.finish();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('id\na\n');
  });

  it('replaces a symbolic link at the path with the new file, leaving the file it pointed to as it was', async () => {
    const target = dir.resolve('elsewhere.csv');
    await writeFile(target, 'not to be touched\n');
    await chmod(target, 0o640);
    const path = dir.resolve('customers.csv');
    await symlink(target, path);
    const sink = createFileSink({ path });
    await sink.open();
    await sink.write([{ id: 'a' }]);
    await sink.finish();
    expect((await lstat(path)).isSymbolicLink()).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('id\na\n');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readFile(target, 'utf8')).toBe('not to be touched\n');
  });

  it('removes the temporary folders of its own path left by dead processes, and no one else’s', async () => {
    const path = dir.resolve('customers.csv');
    // A process that ran and exited: its pid is free now.
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const first = createFileSink({ path });
    await first.open(); // its folder names this machine
    const [ownFolder] = (await listFiles(dir.path)).hidden;
    const host = /^\.customers\.csv\.\d+-([0-9a-f]{8})-/.exec(ownFolder)![1];
    await first.abort(new Error('test'));
    const dead = `.customers.csv.${deadPid}-${host}-00000001.tmp`;
    const live = `.customers.csv.${process.ppid}-${host}-00000002.tmp`;
    const otherHost = `.customers.csv.${deadPid}-ffffffff-00000003.tmp`;
    const otherSink = `.orders.csv.${deadPid}-${host}-00000004.tmp`;
    for (const name of [dead, live, otherHost, otherSink]) {
      await mkdir(dir.resolve(name));
      await writeFile(dir.resolve(name, 'customers.csv'), 'half written');
    }

    const sink = createFileSink({ path });
    await sink.open();
    await sink.finish();
    expect((await readdir(dir.path)).sort()).toEqual([otherHost, live, otherSink, 'customers.csv'].sort());
  });

  it('names the record, its page and the field in the error of a later record with a new field', async () => {
    const sink = createFileSink({ path: dir.resolve('customers.csv') });
    await sink.open();
    await sink.write([{ id: 'a', name: 'A' }], pageOrigin(1));
    await expect(sink.write([{ id: 'b', name: 'B' }, { id: 'c', email: 'c@example.com' }], pageOrigin(2))).rejects.toThrow(
      `[sink:file:${dir.resolve('customers.csv')}] record 2 of page 2 has a field "email" that is not a column (the columns are the keys of the first page: id, name): list every column under columns:, or set unknownColumns: drop to drop such fields`,
    );
    await sink.abort(new Error('failed'));
  });

  it('counts the values it dropped with unknownColumns: drop', async () => {
    const sink = createFileSink({ path: dir.resolve('customers.csv'), unknownColumns: 'drop' });
    await sink.open();
    await sink.write([{ id: 'a' }]);
    await sink.write([{ id: 'b', email: 'x' }]);
    await sink.finish();
    expect(sink.metrics.droppedValues).toBe(1);
    expect(await readFile(dir.resolve('customers.csv'), 'utf8')).toBe('id\na\nb\n');
  });

  it('starts a new part at maxBytes, each part reaching it, in order', async () => {
    const sink = createFileSink({ path: dir.resolve('parts/customers-{part}.ndjson'), maxBytes: 1000 });
    await sink.open();
    for (let page = 0; page < 10; page += 1) await sink.write(contractRecords(page * 10, 10));
    await sink.finish();
    const { visible } = await listFiles(dir.path);
    expect(visible).toEqual(Array.from({ length: visible.length }, (_, index) => `parts/customers-${String(index).padStart(5, '0')}.ndjson`));
    const sizes = await Promise.all(visible.map(async (file) => (await stat(dir.resolve(file))).size));
    // A part ends at the first write that reaches maxBytes: every part but the last reached it, by less than one batch.
    for (const size of sizes.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(1000);
      expect(size).toBeLessThan(1000 + 700);
    }
    const text = (await Promise.all(visible.map((file) => readFile(dir.resolve(file), 'utf8')))).join('');
    expect(text).toBe(contractRecords(0, 100).map((record) => `${JSON.stringify(record)}\n`).join(''));
    expect(sink.metrics.outputs?.map((output) => output.bytes)).toEqual(sizes);
  });

  it('fills {date}, {timestamp} and {runId} in file paths', async () => {
    const sink = createFileSink({ path: dir.resolve('{date}/customers-{timestamp}-{runId}.csv') }, { startedAt: new Date('2026-11-29T03:15:02Z'), runId: 'run-1' });
    await sink.open();
    await sink.finish();
    expect((await listFiles(dir.path)).visible).toEqual(['2026-11-29/customers-20261129T031502Z-run-1.csv']);
  });
});
