import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StateError } from '../errors/state-error';
import { parseState, type PipelineState, serializeState } from './state-document';
import { type LockHolder, type LockState, parseLock, serializeLock, type StateStore } from './state-store';

/** Lock versions are file names: `000000000042.json` is version 42. */
const VERSION_FILE = /^(\d{12})\.json$/;
/** A reader racing the holder's clean-up may find the newest version already gone: it looks again. */
const READ_ATTEMPTS = 5;

/**
 * Keeps the state in a local (or network) file, written to a temporary file beside it, fsync'd and
 * renamed into place. The lock is a folder beside it (`<path>.lock/`) holding numbered versions:
 * a swap creates version n+1 with `link`, which fails when it exists, so of two processes swapping
 * from version n exactly one succeeds, on any POSIX file system (NFS included).
 */
export function createFileStateStore(path: string): StateStore {
  const lockDir = `${path}.lock`;
  const fail = (action: string, error: unknown) => new StateError(path, `cannot ${action}: ${(error as Error).message}`, { cause: error });
  const versionsOnDisk = async (): Promise<number[]> => {
    const names = await readdir(lockDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return names.flatMap((name) => VERSION_FILE.exec(name)?.[1] ?? []).map(Number);
  };
  const versionFile = (version: number) => join(lockDir, `${String(version).padStart(12, '0')}.json`);

  return {
    location: path,

    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw fail('read the state', error);
      }
      return parseState(text, path);
    },

    async save(state: PipelineState) {
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeDurably(path, serializeState(state));
      } catch (error) {
        throw fail('save the state', error);
      }
    },

    async readLock(): Promise<LockState> {
      try {
        for (let attempt = 1; ; attempt += 1) {
          const version = Math.max(0, ...(await versionsOnDisk()));
          if (version === 0) return {};
          try {
            return { version: String(version), holder: parseLock(await readFile(versionFile(version), 'utf8')) };
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === READ_ATTEMPTS) throw error;
          }
        }
      } catch (error) {
        throw fail('read the lock', error);
      }
    },

    async swapLock(expected: string | undefined, next: LockHolder | undefined) {
      const version = expected === undefined ? 1 : Number(expected) + 1;
      const target = versionFile(version);
      try {
        await mkdir(lockDir, { recursive: true });
        // Written whole under a temporary name first: a reader never sees a half-written version.
        const temporary = join(lockDir, `.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
        await writeFile(temporary, serializeLock(next), { flag: 'wx' });
        try {
          await link(temporary, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw error;
        } finally {
          await rm(temporary, { force: true });
        }
        // A swap from a version long cleaned up could recreate it below the newest: it did not win.
        const versions = await versionsOnDisk();
        if (Math.max(...versions) !== version) {
          await rm(target, { force: true });
          return false;
        }
        await Promise.all(versions.filter((older) => older < version).map((older) => rm(versionFile(older), { force: true })));
        return String(version);
      } catch (error) {
        throw fail('write the lock', error);
      }
    },
  };
}

/** Replaces `path` with `text`: a temporary file, fsync'd, renamed over it, then the folder fsync'd so the rename survives a crash. */
async function writeDurably(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx');
  try {
    await file.writeFile(text);
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await file.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
