import { constants, crc32, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { writeChunk } from './byte-target';

/** zlib's own gzip header (no name, no time, OS Unix): what `createGzip` writes. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

/** What a gzip stream needs to go on in another process: the CRC-32 and length of the bytes compressed so far. */
export interface GzipPosition {
  readonly crc: number;
  readonly size: number;
}

/**
 * One gzip member, compressed in segments: at a checkpoint the segment's raw deflate stream is
 * sync-flushed (byte-aligned, no final block) and left, and a fresh one starts, so a segment never
 * refers to bytes of an earlier one. A resumed stream starts a fresh one, exactly as the run that
 * never stopped did at that point, so both write the same bytes. The last segment ends with a final
 * block: without checkpoints this is one deflate stream, the very bytes `createGzip` writes. Costs a
 * few bytes and a little ratio per checkpoint that follows new bytes. `onBytes` hears of every
 * compressed byte passed on.
 */
export class GzipSegments {
  private crc: number;
  private size: number;
  private segment!: DeflateRaw;
  private done!: Promise<void>;
  /** Bytes written into the current segment: an empty one is never ended, so it adds no bytes. */
  private pending = 0;

  constructor(
    private readonly destination: Writable,
    private readonly onBytes: (bytes: number) => void,
    from?: GzipPosition,
  ) {
    this.crc = from?.crc ?? 0;
    this.size = from?.size ?? 0;
    // The destination's failure fails the segment, so that a write waiting on it fails too.
    const fail = (error?: Error) => this.segment.destroy(error ?? new Error('the output stream was closed'));
    destination.once('error', fail).once('close', fail);
    this.start();
  }

  /** Writes the header (a fresh stream only). */
  async open(): Promise<void> {
    await this.pass(HEADER);
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    this.pending += bytes.length;
    await writeChunk(this.segment, bytes);
  }

  /** Ends the segment: every byte written so far is compressed and handed to the destination. */
  async checkpoint(): Promise<GzipPosition> {
    if (this.pending > 0) {
      await this.flushSegment();
      this.start();
    }
    return { crc: this.crc, size: this.size };
  }

  /** Ends the stream: the last segment with its final block, then the trailer (CRC-32, length mod 2³²). */
  async end(): Promise<void> {
    this.segment.end();
    await this.done;
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size % 2 ** 32, 4);
    await this.pass(trailer);
  }

  destroy(): void {
    this.segment.destroy();
  }

  private start(): void {
    const segment = createDeflateRaw();
    const { destination } = this;
    this.segment = segment;
    this.done = new Promise((resolve, reject) => {
      segment.on('data', (chunk: Buffer) => {
        this.onBytes(chunk.length);
        if (destination.write(chunk)) return;
        segment.pause();
        destination.once('drain', () => segment.resume());
      });
      segment.once('end', resolve).once('error', reject);
    });
    this.done.catch(() => {}); // observed by end; a failure meanwhile surfaces through the next write
  }

  /** Sync-flushes the segment, waits until its output has reached the destination, and leaves it. */
  private async flushSegment(): Promise<void> {
    const { segment } = this;
    await new Promise<void>((resolve, reject) => {
      segment.once('error', reject);
      segment.flush(constants.Z_SYNC_FLUSH, () => {
        segment.off('error', reject);
        resolve();
      });
    });
    // Output held back by the destination's backpressure is still in the segment: let it flow out.
    while (segment.readableLength > 0) await once(segment, 'data');
    segment.destroy();
    this.pending = 0;
  }

  private async pass(bytes: Buffer): Promise<void> {
    this.onBytes(bytes.length);
    await writeChunk(this.destination, bytes);
  }
}
