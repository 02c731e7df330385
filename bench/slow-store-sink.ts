import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createEncoder } from '../src/formats/format';
import type { RunMetrics } from '../src/pipeline/run-metrics';
import { EncodedSink } from '../src/sinks/encoded-sink';
import type { Sink } from '../src/sinks/sink';

export interface SlowStoreSink {
  readonly sink: Sink;
  /** The most records the source had read beyond those the store had taken, sampled at every chunk. */
  maxRecordsAhead(): number;
}

/**
 * A CSV sink whose store takes `delayMs` per chunk and keeps nothing: a throttled upload or a slow
 * disk. It goes through the same EncodedSink as the file and S3 sinks, so it pushes back the same way.
 */
export function createSlowStoreSink(delayMs: number, metrics: RunMetrics): SlowStoreSink {
  let maxAhead = 0;
  const sink: Sink = new EncodedSink('slow-store', createEncoder('csv'), async () => {
    const stream = new Writable({
      highWaterMark: 64 * 1024,
      write(_chunk, _encoding, callback) {
        maxAhead = Math.max(maxAhead, metrics.recordsRead - sink.metrics.records);
        setTimeout(callback, delayMs);
      },
    });
    return {
      stream,
      async commit() {
        stream.end();
        await finished(stream);
      },
      async discard() {
        stream.destroy();
      },
    };
  });
  return { sink, maxRecordsAhead: () => maxAhead };
}
