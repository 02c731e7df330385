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
 * from version n exactly one succeeds, on any POSIX file system (NFS included). Checkpoints'
 * journals are files in a folder beside it (`<path>.journal/`), each written in place and fsync'd.
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
  const journalDir = `${path}.journal`;
  const journalFile = (name: string) => join(journalDir, encodeURIComponent(name));

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

    journals: {
      async append(name, offset, bytes) {
        try {
          await mkdir(journalDir, { recursive: true });
          await writeAt(journalFile(name), offset, bytes);
          // A new journal's name must survive a crash as its bytes do.
          if (offset === 0) await syncFolder(journalDir);
        } catch (error) {
          throw fail(`append to the journal ${name}`, error);
        }
      },

      async read(name, length) {
        let bytes: Buffer;
        try {
          bytes = await readFile(journalFile(name));
        } catch (error) {
          throw fail(`read the journal ${name}`, error);
        }
        if (bytes.length < length) throw new StateError(path, `the journal ${name} holds ${bytes.length} bytes, fewer than the ${length} its checkpoint saved: run with --fresh to start over`);
        return bytes.subarray(0, length);
      },

      async clear() {
        try {
          await rm(journalDir, { recursive: true, force: true });
        } catch (error) {
          throw fail('remove the journals', error);
        }
      },
    },
  };
}

/** Replaces `path` with `text`: a temporary file, fsync'd, renamed over it, then the folder fsync'd so the rename survives a crash. */
async function writeDurably(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx');
  try {
    await file.writeFile(text);
    await file.datasync();
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
  await syncFolder(dirname(path));
}

/** Writes `bytes` at `offset` of the file (created at offset 0), cut there first, and fsyncs it. */
async function writeAt(path: string, offset: number, bytes: Uint8Array): Promise<void> {
  const file = await open(path, offset === 0 ? 'w' : 'r+');
  try {
    const { size } = await file.stat();
    if (size < offset) throw new Error(`it holds ${size} bytes, fewer than the ${offset} its last checkpoint saved`);
    if (size > offset) await file.truncate(offset);
    for (let written = 0; written < bytes.length; ) written += (await file.write(bytes, written, bytes.length - written, offset + written)).bytesWritten;
    await file.datasync();
  } finally {
    await file.close();
  }
}

async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
