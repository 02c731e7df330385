import type { SinkMetrics } from '../../pipeline/run-metrics';
import type { DataRecord } from '../../record';
import type { Sink } from '../../sinks/sink';

/** Stands in for a sink in `pageflow test`: keeps what it is given in memory, writes nothing anywhere. */
export class CaptureSink implements Sink {
  readonly metrics: SinkMetrics;
  readonly records: DataRecord[] = [];

  /** `name` is the name of the sink it replaces, as the summary line shows it. */
  constructor(name: string) {
    this.metrics = { name, records: 0, bytes: 0 };
  }

  async open(): Promise<void> {}

  async write(records: readonly DataRecord[]): Promise<void> {
    this.records.push(...records);
    this.metrics.records += records.length;
  }

  async finish(): Promise<void> {}

  async abort(): Promise<void> {}
}
