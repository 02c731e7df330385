import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { SinkCheckpoint } from './sink';

/**
 * Where the bytes of one output go (a temporary file, a multipart upload, stdout), and the way to
 * publish or discard them. The calls come in this order: writes to `stream`, `close`, then `commit`
 * once every output of the run is closed; or `discard` at any point.
 */
export interface ByteTarget {
  readonly stream: Writable;
  /** After the last write: end the stream and wait until every byte has reached the destination (file closed, upload completed). */
  close(): Promise<void>;
  /** Makes the closed output visible under its name (a file is renamed into place). */
  commit(): Promise<void>;
  /** Destroys the stream and removes whatever it wrote, unless committed (a completed upload is deleted). Never throws. */
  discard(reason: unknown): Promise<void>;
  /**
   * Resumable targets: takes where the target stands after every byte written so far, as JSON its
   * destination's `reopen` takes, and makes those bytes durable (fsync'd, uploaded). Called between
   * writes; the next write may come before `durable` resolves.
   */
  checkpoint?(): Promise<SinkCheckpoint>;
  /** Resumable targets: lets go of the stream, keeping what the last checkpoint holds. Never throws. */
  suspend?(): Promise<void>;
}

/** Writes a chunk, waiting for 'drain' when the stream's buffer is full: this is how sinks push back. */
export async function writeChunk(stream: Writable, chunk: Uint8Array): Promise<void> {
  // A destroyed stream never emits 'drain': fail with its error instead of waiting forever.
  if (stream.destroyed) throw stream.errored ?? new Error('the output stream is closed');
  if (!stream.write(chunk)) await once(stream, 'drain');
}
