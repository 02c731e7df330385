import type { Encoder } from '../formats/encoder';
import type { OutputMetrics, SinkMetrics } from '../pipeline/run-metrics';
import type { DataRecord } from '../record';
import { type ByteTarget, writeChunk } from './byte-target';
import { GzipSegments, type GzipPosition } from './gzip-segments';
import type { BatchOrigin, SinkCheckpoint } from './sink';

/** Where an output stands at a checkpoint: enough for another process to reopen it and go on. */
export interface OutputPosition {
  readonly name: string;
  readonly records: number;
  readonly bytes: number;
  /** The encoder's state (the CSV columns and whether the header was written). */
  readonly encoder: unknown;
  readonly gzip?: GzipPosition;
  /** The target's own position (the temporary file and its length, the upload and its parts). */
  readonly target: unknown;
}

/**
 * One output of a sink: an encoder (one per output, so each CSV has its header) writing into a byte
 * target, gzipped for `.gz`. Counts its records and the bytes that reached the target (compressed
 * bytes for `.gz`), in its own metrics and its sink's.
 */
export class EncodedOutput {
  readonly metrics: OutputMetrics;
  private readonly gzip?: GzipSegments;
  private closed = false;

  /** `from`: the position of a checkpoint this output resumes at (its target reopened there). */
  private constructor(
    name: string,
    private readonly encoder: Encoder,
    private readonly target: ByteTarget,
    gzip: boolean,
    private readonly sink: SinkMetrics,
    from?: OutputPosition,
  ) {
    this.metrics = { name, records: from?.records ?? 0, bytes: from?.bytes ?? 0 };
    if (gzip) this.gzip = new GzipSegments(target.stream, (bytes) => this.count(bytes), from?.gzip);
  }

  static async open(name: string, encoder: Encoder, target: ByteTarget, gzip: boolean, sink: SinkMetrics): Promise<EncodedOutput> {
    const output = new EncodedOutput(name, encoder, target, gzip, sink);
    await output.gzip?.open();
    return output;
  }

  /** The output of a checkpoint, its target reopened at it; the sink's metrics already count what it held. */
  static resumed(position: OutputPosition, encoder: Encoder, target: ByteTarget, gzip: boolean, sink: SinkMetrics): EncodedOutput {
    return new EncodedOutput(position.name, encoder, target, gzip, sink, position);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async write(records: readonly DataRecord[], origin?: BatchOrigin): Promise<void> {
    await this.put(this.encoder.encode(records, origin));
    this.metrics.records += records.length;
    this.sink.records += records.length;
  }

  /** Says where the output stands after every byte written so far, which the target makes durable. */
  async checkpoint(): Promise<SinkCheckpoint<OutputPosition>> {
    if (!this.target.checkpoint || !this.encoder.position) throw new Error(`${this.metrics.name} cannot be resumed`);
    const gzip = await this.failureOf(this.gzip?.checkpoint());
    const target = await this.target.checkpoint();
    const { name, records, bytes } = this.metrics;
    return { position: { name, records, bytes, encoder: this.encoder.position(), ...(gzip && { gzip }), target: target.position }, durable: target.durable };
  }

  /** Writes what the format has left (a header, a footer) and waits until every byte has reached the destination. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.put(this.encoder.end());
    if (this.gzip) await this.failureOf(this.gzip.end());
    await this.target.close();
  }

  commit(): Promise<void> {
    return this.target.commit();
  }

  discard(reason: unknown): Promise<void> {
    this.stop();
    return this.target.discard(reason);
  }

  /** Stops, leaving what the last checkpoint holds for a later process to resume. */
  async suspend(): Promise<void> {
    this.stop();
    await this.target.suspend?.();
  }

  private stop(): void {
    this.closed = true;
    // The target destroys its own stream (never stdout's); the gzip stream in front is this output's.
    this.gzip?.destroy();
  }

  private async put(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    if (this.gzip) return this.failureOf(this.gzip.write(bytes));
    await writeChunk(this.target.stream, bytes);
    this.count(bytes.length);
  }

  /** A failure of the gzip stream in front is a consequence: the destination's own error is the cause. */
  private async failureOf<T>(step: Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await step;
    } catch (error) {
      throw this.target.stream.errored ?? error;
    }
  }

  private count(bytes: number): void {
    this.metrics.bytes += bytes;
    this.sink.bytes += bytes;
  }
}
