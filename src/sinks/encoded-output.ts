import type { Writable } from 'node:stream';
import type { Encoder } from '../formats/encoder';
import type { OutputMetrics, SinkMetrics } from '../pipeline/run-metrics';
import type { DataRecord } from '../record';
import { type ByteTarget, gzipInto, writeChunk } from './byte-target';
import type { BatchOrigin } from './sink';

/**
 * One output of a sink: an encoder (one per output, so each CSV has its header) writing into a byte
 * target, gzipped for `.gz`. Counts its records and the bytes that reached the target (compressed
 * bytes for `.gz`), in its own metrics and its sink's.
 */
export class EncodedOutput {
  readonly metrics: OutputMetrics;
  private readonly stream: Writable;
  private readonly compressed?: Promise<void>;
  private closed = false;

  constructor(
    name: string,
    private readonly encoder: Encoder,
    private readonly target: ByteTarget,
    gzip: boolean,
    private readonly sink: SinkMetrics,
  ) {
    this.metrics = { name, records: 0, bytes: 0 };
    if (gzip) {
      const { stream, done } = gzipInto(target.stream, (bytes) => this.count(bytes));
      this.stream = stream;
      this.compressed = done;
    } else {
      this.stream = target.stream;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async write(records: readonly DataRecord[], origin?: BatchOrigin): Promise<void> {
    await this.put(this.encoder.encode(records, origin));
    this.metrics.records += records.length;
    this.sink.records += records.length;
  }

  /** Writes what the format has left (a header, a footer) and waits until every byte has reached the destination. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.put(this.encoder.end());
    if (this.compressed) {
      this.stream.end();
      await this.failureOf(this.compressed);
    }
    await this.target.close();
  }

  commit(): Promise<void> {
    return this.target.commit();
  }

  discard(reason: unknown): Promise<void> {
    this.closed = true;
    // The target destroys its own stream (never stdout's); the gzip stream in front is this output's.
    if (this.compressed) this.stream.destroy();
    return this.target.discard(reason);
  }

  private async put(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    await this.failureOf(writeChunk(this.stream, bytes));
    if (!this.compressed) this.count(bytes.length);
  }

  /** A failure of the gzip stream in front is a consequence: the destination's own error is the cause. */
  private async failureOf(step: Promise<void>): Promise<void> {
    try {
      await step;
    } catch (error) {
      throw this.target.stream.errored ?? error;
    }
  }

  private count(bytes: number): void {
    this.metrics.bytes += bytes;
    this.sink.bytes += bytes;
  }
}
