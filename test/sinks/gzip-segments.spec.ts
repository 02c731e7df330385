import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GzipSegments } from '../../src/sinks/gzip-segments';

/** Runs `steps` through a GzipSegments and returns the bytes it passed on. */
async function compress(steps: readonly (Buffer | 'checkpoint')[]): Promise<Buffer> {
  const destination = new PassThrough();
  const chunks: Buffer[] = [];
  destination.on('data', (chunk: Buffer) => chunks.push(chunk));
  const gzip = new GzipSegments(destination, () => {});
  await gzip.open();
  for (const step of steps) await (step === 'checkpoint' ? gzip.checkpoint() : gzip.write(step));
  await gzip.end();
  return Buffer.concat(chunks);
}

const text = (from: number, count: number) => Buffer.from(Array.from({ length: count }, (_, index) => `row ${from + index},"a, b",ü\n`).join(''));

describe('GzipSegments', () => {
  it('without checkpoints writes the very bytes of zlib gzip, also for an empty stream', async () => {
    expect(await compress([text(0, 500), text(500, 500)])).toEqual(gzipSync(Buffer.concat([text(0, 500), text(500, 500)])));
    expect(await compress([])).toEqual(gzipSync(Buffer.alloc(0)));
  });

  it('with checkpoints writes one valid gzip member holding every byte, a checkpoint without new bytes adding none', async () => {
    const flushed = await compress([text(0, 300), 'checkpoint', 'checkpoint', text(300, 300), 'checkpoint']);
    expect(gunzipSync(flushed)).toEqual(Buffer.concat([text(0, 300), text(300, 300)]));
    expect(flushed).toEqual(await compress([text(0, 300), 'checkpoint', text(300, 300), 'checkpoint']));
  });

  it('by a checkpoint has passed on every compressed byte, even to a destination that holds back', async () => {
    const destination = new PassThrough({ highWaterMark: 16 });
    const received: Buffer[] = [];
    // A slow reader: the destination's backpressure pauses the compressor while the checkpoint waits.
    const reading = (async () => {
      for await (const chunk of destination) {
        received.push(chunk as Buffer);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    let passedOn = 0;
    const gzip = new GzipSegments(destination, (bytes) => (passedOn += bytes));
    await gzip.open();
    const input = Buffer.from(Array.from({ length: 20_000 }, (_, index) => String((index * 7919) % 10007)).join(','));
    await gzip.write(input);
    await gzip.checkpoint();
    const atCheckpoint = passedOn;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passedOn).toBe(atCheckpoint); // nothing was still on its way
    await gzip.end();
    destination.end();
    await reading;
    expect(gunzipSync(Buffer.concat(received))).toEqual(input);
    expect(atCheckpoint).toBeGreaterThan(1000);
  });
});
