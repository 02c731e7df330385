import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Where a sink's encoded bytes go: a stream, and the way to publish or discard what it received. */
export interface ByteTarget {
  readonly stream: Writable;
  /** Called after the last write: end the stream and make the output visible. */
  commit(): Promise<void>;
  /** Destroy the stream and remove whatever it wrote. Never throws. */
  discard(reason: unknown): Promise<void>;
}

/** Writes a chunk, waiting for 'drain' when the stream's buffer is full: this is how sinks push back. */
export async function writeChunk(stream: Writable, chunk: string | Buffer): Promise<void> {
  // A destroyed stream never emits 'drain': fail with its error instead of waiting forever.
  if (stream.destroyed) throw stream.errored ?? new Error('the output stream is closed');
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/**
 * Puts gzip in front of a destination stream. `done` settles when the compressed bytes have all
 * reached the destination (or either side failed).
 */
export function gzipInto(destination: Writable): { stream: Writable; done: Promise<void> } {
  const gzip = createGzip();
  const done = pipeline(gzip, destination);
  done.catch(() => {}); // observed by whoever awaits `done`; avoid an unhandled rejection meanwhile
  return { stream: gzip, done };
}
