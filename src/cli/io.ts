import type { Writable } from 'node:stream';

/** Where a command writes: records to `stdout`, everything for people to `stderr`. */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
