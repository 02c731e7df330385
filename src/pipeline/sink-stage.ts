import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { DataRecord } from '../record';
import type { Sink } from '../sinks/sink';

/**
 * Collects the records that reach the end of the pipe and writes them, in order and in batches,
 * to every sink at once. It is the sink side of the source/sink handshake: `demand()` resolves
 * only when the sinks have taken everything emitted so far.
 */
export class SinkStage {
  private buffer: DataRecord[] = [];
  private writing?: Promise<void>;
  private failure?: unknown;

  constructor(
    private readonly sinks: readonly Sink[],
    private readonly batchSize: number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  push(record: DataRecord): void {
    this.buffer.push(record);
    // Bounds the buffer when a source emits a large page, or never asks for demand at all. While a
    // write is under way the running flush takes the rest: no promise per record.
    if (this.buffer.length >= this.batchSize && !this.writing) void this.flush().catch(() => {});
  }

  /** Resolves once every record emitted so far has been written; rejects with the sink's failure. */
  async demand(): Promise<void> {
    // Lets promise-based operators (JSONata) deliver the page's records before we look at the buffer.
    await nextMacrotask();
    await this.flush();
  }

  async flush(): Promise<void> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length > 0 && this.failure === undefined) {
      const batch = this.buffer;
      this.buffer = [];
      try {
        await Promise.all(this.sinks.map((sink) => sink.write(batch)));
      } catch (error) {
        this.failure = error;
        this.onFailure(error);
      }
    }
  }
}
