import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  readonly path: string;
  /** `join(path, ...parts)`. */
  resolve(...parts: string[]): string;
  remove(): Promise<void>;
}

/** A fresh directory under the OS temp dir; call `remove()` in `afterEach`/`afterAll`. */
export async function createTmpDir(prefix = 'pageflow-test-'): Promise<TmpDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    resolve: (...parts) => join(path, ...parts),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
