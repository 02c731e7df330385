import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createFileSink, type FileSinkOptions } from '../../src/sinks/file-sink';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { readOutput } from './read-output';
import type { SinkSubject } from './sink-contract';

/** Every file under `folder`, relative and sorted; hidden ones (temporary files and folders) apart. */
export async function listFiles(folder: string): Promise<{ visible: string[]; hidden: string[] }> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  const names = entries.map((entry) => relative(folder, join(entry.parentPath, entry.name)));
  const hidden = names.filter((name) => name.split('/').some((part) => part.startsWith('.')));
  const files = new Set(entries.filter((entry) => entry.isFile()).map((entry) => relative(folder, join(entry.parentPath, entry.name))));
  return { visible: names.filter((name) => files.has(name) && !hidden.includes(name)).sort(), hidden: hidden.sort() };
}

/** A contract subject for the file sink writing `path` (relative to a fresh folder per case). */
export function fileSubject(name: string, path: string, options: Omit<FileSinkOptions, 'path'> = {}, extra: Partial<SinkSubject> = {}): SinkSubject {
  const folders: TmpDir[] = [];
  afterAll(() => Promise.all(folders.map((folder) => folder.remove())));
  const folder = async () => {
    const dir = await createTmpDir();
    folders.push(dir);
    return dir;
  };
  return {
    name,
    async create() {
      const dir = await folder();
      const make = () => createFileSink({ path: dir.resolve(path), ...options }, { runId: 'contract' });
      return {
        sink: make(),
        again: make,
        outputBytes: async () => Promise.all((await listFiles(dir.path)).visible.map((file) => readFile(dir.resolve(file)))),
        async readBack() {
          const { visible } = await listFiles(dir.path);
          const records = await Promise.all(visible.map(async (file) => readOutput(file, await readFile(dir.resolve(file)))));
          return records.flat();
        },
        leftovers: async () => (await listFiles(dir.path)).hidden,
      };
    },
    async unopenable() {
      const dir = await folder();
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir.resolve(path.replace(/\{[^}]*\}/g, 'x')), { recursive: true });
      // The path names a folder (static paths), or its fixed folder is a file (templates).
      if (path.includes('{')) {
        const { writeFile } = await import('node:fs/promises');
        const blocked = dir.resolve('blocked');
        await writeFile(blocked, 'not a folder');
        return { sink: createFileSink({ path: join(blocked, path), ...options }), message: /cannot create the folder .*blocked.*: a file is in the way/ };
      }
      return { sink: createFileSink({ path: dir.resolve(path), ...options }), message: /is a folder: name a file to write/ };
    },
    ...extra,
  };
}
