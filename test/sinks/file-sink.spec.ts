import { readdir, readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { createFileSink } from '../../src/sinks/file-sink';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

describe('createFileSink', () => {
  let dir: TmpDir;
  beforeEach(async () => {
    dir = await createTmpDir();
  });
  afterEach(() => dir.remove());

  it('shows nothing at the path until finish, then the whole file', async () => {
    const path = dir.resolve('out', 'customers.csv');
    const sink = createFileSink({ path });
    await sink.write([{ id: 'a', company: 'Smit, & Zonen' }]);
    await sink.write([{ id: 'b', company: 'Café "Hoek"' }]);
    expect(await readdir(dir.resolve('out'))).toEqual([expect.stringMatching(/^\.customers\.csv\..*\.tmp$/)]);

    await sink.finish();
    expect(await readFile(path, 'utf8')).toBe('id,company\na,"Smit, & Zonen"\nb,"Café ""Hoek"""\n');
    expect(await readdir(dir.resolve('out'))).toEqual(['customers.csv']);
    expect(sink.metrics).toEqual({ name: `file:${path}`, records: 2, bytes: Buffer.byteLength('id,company\na,"Smit, & Zonen"\nb,"Café ""Hoek"""\n') });
  });

  it('leaves the previous file untouched and no temporary file behind when aborted', async () => {
    const path = dir.resolve('customers.ndjson');
    await writeFile(path, 'previous export\n');
    const sink = createFileSink({ path });
    await sink.write([{ id: 'a' }]);
    await sink.abort(new Error('page 3 failed'));
    expect(await readFile(path, 'utf8')).toBe('previous export\n');
    expect(await readdir(dir.path)).toEqual(['customers.ndjson']);
  });

  it('compresses when the name ends in .gz', async () => {
    const path = dir.resolve('customers.ndjson.gz');
    const sink = createFileSink({ path });
    await sink.write([{ id: 'a', groups: ['x'] }]);
    await sink.finish();
    expect(gunzipSync(await readFile(path)).toString()).toBe('{"id":"a","groups":["x"]}\n');
  });

  it('writes the header of an empty export when the columns are given', async () => {
    const path = dir.resolve('empty.csv');
    const sink = createFileSink({ path, columns: ['id', 'company'] });
    await sink.finish();
    expect(await readFile(path, 'utf8')).toBe('id,company\n');
  });
});
