import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createEncoder } from '../src/formats/format';
import { EncodedSink } from '../src/sinks/encoded-sink';

export interface SlowStoreOptions {
  /** How long the store holds each chunk. */
  readonly delayMs: number;
  /** Bytes the store's stream buffers before it pushes back. @default 64 KiB */
  readonly highWaterMark?: number;
  /** Called as the store takes each chunk, with the records the sink had written before it. */
  readonly onChunk?: (recordsWritten: number) => void;
}

/**
 * A CSV sink whose store takes `delayMs` per chunk and keeps nothing: a throttled upload or a slow
 * disk. It goes through the same EncodedSink as the file and S3 sinks, so it pushes back the same way.
 * Shared by the benchmark and the backpressure tests.
 */
export function createSlowStoreSink({ delayMs, highWaterMark = 64 * 1024, onChunk }: SlowStoreOptions): EncodedSink {
  const sink = new EncodedSink('slow-store', createEncoder('csv'), async () => {
    const stream = new Writable({
      highWaterMark,
      write(_chunk, _encoding, callback) {
        onChunk?.(sink.metrics.records);
        setTimeout(callback, delayMs);
      },
    });
    return {
      stream,
      async close() {
        stream.end();
        await finished(stream);
      },
      async commit() {},
      async discard() {
        stream.destroy();
      },
    };
  });
  return sink;
}
