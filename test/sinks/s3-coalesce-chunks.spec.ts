import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { coalesceChunks } from '../../src/sinks/s3/coalesce-chunks';

async function chunksThrough(input: Buffer[], minBytes: number): Promise<Buffer[]> {
  const output: Buffer[] = [];
  await pipeline(Readable.from(input), coalesceChunks(minBytes), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) output.push(chunk);
  });
  return output;
}

describe('coalesceChunks', () => {
  it('joins small chunks into chunks of at least minBytes, keeping every byte in order', async () => {
    const input = Array.from({ length: 100 }, (_, index) => Buffer.alloc(1000, index));

    const output = await chunksThrough(input, 64 * 1024);

    expect(output.map((chunk) => chunk.length)).toEqual([66_000, 34_000]);
    expect(Buffer.concat(output).equals(Buffer.concat(input))).toBe(true);
  });

  it('passes a large chunk on as it is', async () => {
    const large = Buffer.alloc(100_000, 7);
    expect(await chunksThrough([large], 64 * 1024)).toEqual([large]);
  });

  it('emits nothing for no input', async () => {
    expect(await chunksThrough([], 64 * 1024)).toEqual([]);
  });
});
