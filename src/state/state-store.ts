import { z } from 'zod';
import type { PipelineState } from './state-document';

/** Who holds a state's lock: enough to tell whether it is still there, and to name it in messages. */
export interface LockHolder {
  /** Random, unique per acquisition: tells two runs of one process apart. */
  readonly owner: string;
  readonly pipeline: string;
  readonly pid: number;
  readonly host: string;
  /** When the lock was taken (ISO-8601). */
  readonly since: string;
  /** When the lease ends unless renewed (ISO-8601); the holder renews it every third of the lease. */
  readonly expiresAt: string;
}

/** The lock as a store last saw it. No `version`: the lock was never taken. No `holder`: it is free. */
export interface LockState {
  readonly version?: string;
  readonly holder?: LockHolder;
}

/**
 * Where a pipeline's state lives between runs: one document and one lock. File and S3 stores are
 * built in; a database or Redis store implements these four methods and passes the same contract
 * suite (`test/state/state-store-contract.ts`).
 *
 * The lock is a compare-and-swap register, the one primitive every store offers (an exclusive file
 * create, a conditional PUT, `UPDATE … WHERE version = ?`, a Lua script): expiry, stale holders and
 * heartbeats are decided once, in `acquireLock`, not by each store.
 */
export interface StateStore {
  /** Names the store in messages: a path, `s3://bucket/key`. */
  readonly location: string;
  /** The document last saved, or undefined when there is none. */
  load(): Promise<PipelineState | undefined>;
  /** Replaces the document atomically: a reader sees the old one or the new one, never a mix. */
  save(state: PipelineState): Promise<void>;
  readLock(): Promise<LockState>;
  /**
   * Sets the lock to `next` (undefined: free) only if it is still at version `expected` (undefined:
   * never taken). Resolves with the new version, or `false` when the lock had changed: then nothing
   * was written. Atomic against every other process using the same store.
   */
  swapLock(expected: string | undefined, next: LockHolder | undefined): Promise<string | false>;
  /**
   * Where checkpoints append the state that only grows (a dedup's keys) instead of rewriting it
   * whole into every document. A store without them keeps that state in the document.
   */
  readonly journals?: StateJournals;
  /** Lets go of connections; the store is not used afterwards. */
  close?(): Promise<void>;
}

/**
 * Byte journals beside a state document, each only ever appended to: a checkpoint writes what is
 * new, then saves the document naming each journal's length, so bytes past that length (a run that
 * died between the two) are never read and are replaced by the next append there.
 */
export interface StateJournals {
  /** Writes `bytes` at `offset` of journal `name`, durably, in place of anything there from `offset` on. */
  append(name: string, offset: number, bytes: Uint8Array): Promise<void>;
  /** The first `length` bytes of journal `name`; an error naming it when it holds fewer (or has a gap). */
  read(name: string, length: number): Promise<Uint8Array>;
  /** Removes every journal of the state. */
  clear(): Promise<void>;
}

const lockHolder = z.strictObject({
  owner: z.string(),
  pipeline: z.string(),
  pid: z.int(),
  host: z.string(),
  since: z.string(),
  expiresAt: z.string(),
});

/** How the built-in stores write a lock: a released lock names when, so that no two versions have the same bytes. */
const lockRecord = z.strictObject({ holder: lockHolder.nullable(), releasedAt: z.string().optional() });

export function serializeLock(holder: LockHolder | undefined): string {
  return JSON.stringify(holder ? { holder } : { holder: null, releasedAt: new Date().toISOString() });
}

export function parseLock(text: string): LockHolder | undefined {
  const parsed = lockRecord.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`not a lock record: ${parsed.error.issues[0].message}`);
  return parsed.data.holder ?? undefined;
}
