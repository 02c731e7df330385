import { SinkError } from '../errors/sink-error';
import type { Encoder } from '../formats/encoder';
import type { SinkMetrics } from '../pipeline/run-metrics';
import type { DataRecord } from '../record';
import { type ByteTarget, writeChunk } from './byte-target';
import type { Sink } from './sink';

/**
 * A sink made of a format (encoder) and a destination (byte target): every file, stdout and S3
 * sink is one of these. The target is opened on the first write, so building a pipeline touches nothing.
 */
export class EncodedSink implements Sink {
  readonly metrics: SinkMetrics;
  private target?: Promise<ByteTarget>;

  constructor(
    name: string,
    private readonly encoder: Encoder,
    private readonly openTarget: () => Promise<ByteTarget>,
  ) {
    this.metrics = { name, records: 0, bytes: 0 };
  }

  async write(records: readonly DataRecord[]): Promise<void> {
    const text = this.encoder.encode(records);
    await this.step('write', async (target) => {
      if (text) await this.writeText(target, text);
    });
    this.metrics.records += records.length;
  }

  async finish(): Promise<void> {
    await this.step('finish', async (target) => {
      const tail = this.encoder.end();
      if (tail) await this.writeText(target, tail);
      await target.commit();
    });
  }

  async abort(reason: unknown): Promise<void> {
    if (!this.target) return;
    const target = await this.target.catch(() => undefined);
    await target?.discard(reason).catch(() => {});
  }

  private async writeText(target: ByteTarget, text: string): Promise<void> {
    const chunk = Buffer.from(text);
    await writeChunk(target.stream, chunk);
    this.metrics.bytes += chunk.length;
  }

  private async step(phase: string, action: (target: ByteTarget) => Promise<void>): Promise<void> {
    try {
      this.target ??= this.openTarget();
      await action(await this.target);
    } catch (error) {
      if (error instanceof SinkError) throw error;
      throw new SinkError(this.metrics.name, `${phase} failed: ${describeCause(error)}`, { cause: error });
    }
  }
}

function describeCause(error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 'the reading end of the pipe was closed (EPIPE) before every record reached it';
  return error instanceof Error ? error.message : String(error);
}
