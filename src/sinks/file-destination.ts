import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Logger } from '../logger';
import type { ByteTarget } from './byte-target';
import type { Destination } from './destination';
import type { OutputPath } from './output-path';

/** This machine in temporary names: a stale one is removed only by a run on the machine that made it. */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const TEMPORARY = /^\.(.+)\.(\d+)-([0-9a-f]{8})-[0-9a-f]{8}\.tmp$/;
/** In a temporary folder that a saved checkpoint refers to: its run is resumed, not removed as stale. */
const CHECKPOINT_MARKER = '.checkpoint';
const EMPTY = Buffer.alloc(0);

/**
 * A sink's outputs as files. Each run writes into its own hidden folder beside the outputs (under the
 * path's fixed part), named for the sink's path, this process and this machine:
 * `out/.customers.csv.<pid>-<host>-<random>.tmp/customers.csv`. `commit` renames each file into place,
 * keeping the mode of the file it replaces; an output path that is a symbolic link is replaced by the
 * new file (the file the link pointed to is left as it was: pageflow never writes through a link).
 * A folder left by a process that no longer runs (killed) is removed by the next run of the same sink,
 * unless a checkpoint marked it: the resumed run takes it over (`resume`), `--fresh` removes it.
 */
export class FileDestination implements Destination {
  private readonly folder: string;
  private readonly label: string;
  private staging?: string;
  /** The temporary folder a checkpoint marker is known to be in. */
  private marked?: string;

  constructor(
    private readonly path: OutputPath,
    private readonly logger: Logger,
  ) {
    const { fixedPrefix, template } = path;
    this.folder = fixedPrefix === template ? dirname(template) : fixedPrefix.endsWith('/') ? fixedPrefix.slice(0, -1) || '/' : dirname(fixedPrefix);
    const rest = relative(this.folder, template);
    const readable = rest.replace(/[^A-Za-z0-9._=-]/g, '_').slice(0, 60);
    this.label = readable === rest ? rest : `${readable}-${createHash('sha256').update(template).digest('hex').slice(0, 8)}`;
  }

  describe(name: string): string {
    return name;
  }

  async open(): Promise<void> {
    await mkdir(this.folder, { recursive: true }).catch((error: unknown) => {
      throw new Error(`cannot create the folder ${this.folder}: ${reason(error)}`);
    });
    if (this.path.fixedPrefix === this.path.template) await refuseFolder(this.path.template);
    await this.removeStale();
    const staging = join(this.folder, `.${this.label}.${process.pid}-${HOST}-${randomBytes(4).toString('hex')}.tmp`);
    await mkdir(staging, { mode: 0o700 }).catch((error: unknown) => {
      throw new Error(`cannot write in ${this.folder}: ${reason(error)}`);
    });
    this.staging = staging;
  }

  async create(name: string): Promise<ByteTarget> {
    await refuseFolder(name);
    return openFileTarget(this.temporary(name), name);
  }

  /** Marks the temporary folder (once) and makes its entries durable; the position is the folder. */
  async checkpoint(): Promise<unknown> {
    const { staging } = this;
    if (!staging) throw new Error('the file destination was not opened');
    if (this.marked !== staging) {
      const marker = join(staging, CHECKPOINT_MARKER);
      if (!(await stat(marker).catch(() => undefined))) {
        await writeFile(marker, `${process.pid}\n`);
        const folder = await open(staging, 'r');
        try {
          await folder.sync();
        } finally {
          await folder.close();
        }
      }
      this.marked = staging;
    }
    return { staging };
  }

  async resume(position: unknown): Promise<void> {
    const staging = (position as { staging?: unknown } | undefined)?.staging;
    const found = typeof staging === 'string' ? await stat(join(staging, CHECKPOINT_MARKER)).catch(() => undefined) : undefined;
    if (typeof staging !== 'string' || !found) throw new Error(`the temporary folder of the checkpoint (${String(staging)}) is gone: run again with --fresh to start over`);
    this.staging = staging;
    await this.removeStale();
  }

  async reopen(name: string, position: unknown): Promise<ByteTarget> {
    const temporary = this.temporary(name);
    const offset = (position as { offset?: unknown } | undefined)?.offset;
    const size = (await stat(temporary).catch(() => undefined))?.size;
    if (typeof offset !== 'number' || size === undefined || size < offset) {
      throw new Error(`the temporary file ${temporary} is ${size === undefined ? 'gone' : `shorter than its checkpoint (${size} < ${String(offset)} bytes)`}: run again with --fresh to start over`);
    }
    // What the dead run wrote after its last checkpoint goes: the resumed run writes it again.
    await truncate(temporary, offset);
    return openFileTarget(temporary, name, offset);
  }

  async release(): Promise<void> {
    if (this.staging) await rm(this.staging, { recursive: true, force: true }).catch(() => {});
    this.staging = undefined;
  }

  private temporary(name: string): string {
    if (!this.staging) throw new Error('the file destination was not opened');
    return join(this.staging, relative(this.folder, name));
  }

  /** Removes the temporary folders of this sink's outputs left by dead processes on this machine (never a live run's, nor a checkpoint's). */
  private async removeStale(): Promise<void> {
    for (const entry of await readdir(this.folder)) {
      const match = TEMPORARY.exec(entry);
      if (!match || match[1] !== this.label || match[3] !== HOST || isRunning(Number(match[2]))) continue;
      if (await stat(join(this.folder, entry, CHECKPOINT_MARKER)).catch(() => undefined)) continue;
      await rm(join(this.folder, entry), { recursive: true, force: true });
      this.logger.log('info', `removed ${join(this.folder, entry)}, left by process ${match[2]}, which no longer runs`);
    }
  }
}

/** A new temporary file, or (with `start`) one of a checkpoint, written from `start` on. */
async function openFileTarget(temporary: string, path: string, start?: number): Promise<ByteTarget> {
  await mkdir(dirname(temporary), { recursive: true });
  const handle = await open(temporary, start === undefined ? 'wx' : 'r+');
  const file = createWriteStream(temporary, { fd: handle, start });
  const written = finished(file);
  written.catch(() => {}); // awaited by close; a failure meanwhile surfaces through the next write
  let committed = false;
  return {
    stream: file,
    async close() {
      if (!file.writableEnded) file.end();
      await written;
    },
    async commit() {
      const replaced = await stat(path).catch(() => undefined);
      if (replaced?.isFile()) await chmod(temporary, replaced.mode & 0o7777);
      await mkdir(dirname(path), { recursive: true });
      await rename(temporary, path);
      committed = true;
    },
    async discard() {
      file.destroy();
      if (!committed) await rm(temporary, { force: true }).catch(() => {});
    },
    async checkpoint() {
      // An empty write's callback runs once every write before it reached the file.
      await new Promise<void>((resolve, reject) => file.write(EMPTY, (error) => (error ? reject(error) : resolve())));
      // fdatasync (the bytes and the length, not the times, which a resume does not need) covers every
      // byte written before it: later writes may go on meanwhile, they come after the offset.
      const durable = handle.datasync();
      durable.catch(() => {}); // observed by the runner before it saves the checkpoint
      return { position: { offset: (start ?? 0) + file.bytesWritten }, durable };
    },
    async suspend() {
      file.destroy();
    },
  };
}

async function refuseFolder(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new Error(`${path} is a folder: name a file to write`);
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way';
  if (code === 'EROFS') return 'the file system is read-only';
  return message;
}
