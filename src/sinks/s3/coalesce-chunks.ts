import { Transform } from 'node:stream';

/**
 * Joins small chunks into chunks of at least `minBytes` (the last one may be smaller). The encoders
 * and gzip emit many small pieces; lib-storage copies its part buffer once per chunk it gets, so
 * fewer, larger chunks keep that cheap. Backpressure passes through: a joined chunk waits until read.
 */
export function coalesceChunks(minBytes: number): Transform {
  let pending: Buffer[] = [];
  let size = 0;
  const take = () => {
    const joined = pending.length === 1 ? pending[0] : Buffer.concat(pending, size);
    pending = [];
    size = 0;
    return joined;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      pending.push(chunk);
      size += chunk.length;
      callback(null, size >= minBytes ? take() : undefined);
    },
    flush(callback) {
      callback(null, size > 0 ? take() : undefined);
    },
  });
}
