import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileStateStore } from '../../src/state/file-state-store';
import { STATE_FORMAT } from '../../src/state/state-document';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { testStateStore } from './state-store-contract';

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await createTmpDir('pageflow-state-');
});
afterAll(() => tmp.remove());

let count = 0;
testStateStore('file', async () => {
  count += 1;
  const dir = tmp.resolve(`case-${count}`, 'state');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'pipeline.json');
  return { open: () => createFileStateStore(path), corrupt: (text) => writeFile(path, text) };
}, { journals: true });

describe('file state store', () => {
  it('leaves only the state file and the newest lock version behind', async () => {
    const path = tmp.resolve('tidy', 'pipeline.json');
    const store = createFileStateStore(path);
    await store.save({ format: STATE_FORMAT, pipeline: 'tidy', updatedAt: '2026-01-02T03:04:05.000Z' });
    await store.save({ format: STATE_FORMAT, pipeline: 'tidy', updatedAt: '2026-01-02T03:04:06.000Z' });
    let version = await store.swapLock(undefined, undefined);
    for (let i = 0; i < 3; i += 1) version = await store.swapLock(version as string, undefined);
    expect(await readdir(tmp.resolve('tidy'))).toEqual(['pipeline.json', 'pipeline.json.lock']);
    expect(await readdir(tmp.resolve('tidy', 'pipeline.json.lock'))).toEqual(['000000000004.json']);
  });

  it('names the file when it cannot save', async () => {
    await writeFile(tmp.resolve('a-file'), '');
    const store = createFileStateStore(tmp.resolve('a-file', 'pipeline.json'));
    await expect(store.save({ format: STATE_FORMAT, pipeline: 'x', updatedAt: '2026-01-02T03:04:05.000Z' })).rejects.toThrow(
      `[state:${tmp.resolve('a-file', 'pipeline.json')}] cannot save the state: EEXIST`,
    );
  });
});
