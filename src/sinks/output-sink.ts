import { SinkError } from '../errors/sink-error';
import { type Encoder, type EncoderCounters, RecordEncodeError } from '../formats/encoder';
import type { OutputMetrics, SinkMetrics } from '../pipeline/run-metrics';
import type { DataRecord } from '../record';
import type { Destination } from './destination';
import { EncodedOutput, type OutputPosition } from './encoded-output';
import type { OutputPath } from './output-path';
import type { BatchOrigin, Sink, SinkCheckpoint } from './sink';

/** How a sink cuts its records into outputs. */
export interface SplitSettings {
  /** Start a new part of a partition after this many records. */
  readonly maxRecords?: number;
  /** Start a new part of a partition once this many bytes were written to it. */
  readonly maxBytes?: number;
  /** Outputs open at once; the least recently written is closed first. */
  readonly maxOpenPartitions: number;
}

export interface OutputSinkSettings {
  /** Names the sink in messages and metrics, e.g. `file:out/customers.csv`. */
  readonly name: string;
  readonly path: OutputPath;
  readonly destination: Destination;
  /** A new encoder for each output, counting what it drops in `counters`; `resumeFrom` is an encoder's position of a checkpoint. */
  readonly encoder: (counters: EncoderCounters, resumeFrom?: unknown) => Promise<Encoder>;
  readonly gzip: boolean;
  readonly split: SplitSettings;
  /** The sink can checkpoint and resume: one output (no {part} or {record.…}) of a format that can (not Parquet). @default false */
  readonly resumable?: boolean;
}

/** Where a resumable sink stands: its destination's checkpoint, and its output's, once it started one. */
interface OutputSinkPosition {
  readonly destination: unknown;
  readonly output: OutputPosition | null;
}

/** The outputs of one `{record.…}` value: the part being written, and how many were started. */
interface Partition {
  readonly key: string;
  output?: EncodedOutput;
  /** The number of the part being written, or of the next one. */
  part: number;
  /** Its output was closed to make room for another partition's. */
  evicted: boolean;
}

/**
 * Every sink that writes a format to named outputs (file, S3, stdout). With a plain path it writes
 * one output. With `{record.<field>}` in the path each record goes to the output of its value; with
 * `{part}`, `maxRecords`/`maxBytes` start a new part. At most `maxOpenPartitions` outputs are open
 * (the least recently written is closed first), so memory is bounded by configuration whatever the
 * number of partitions. All or nothing: `finish` commits every output, `abort` discards every one.
 */
export class OutputSink implements Sink {
  readonly metrics: SinkMetrics;
  readonly checkpoint?: () => Promise<SinkCheckpoint<OutputSinkPosition>>;
  readonly resume?: (position: unknown) => Promise<void>;
  readonly suspend?: () => Promise<void>;
  private readonly partitions = new Map<string, Partition>();
  private readonly outputs: EncodedOutput[] = [];
  private readonly outputMetrics: OutputMetrics[] = [];
  private openOutputs = 0;
  private finishing?: Promise<void>;

  constructor(private readonly settings: OutputSinkSettings) {
    this.metrics = { name: settings.name, records: 0, bytes: 0, outputs: this.outputMetrics };
    if (settings.resumable) {
      this.checkpoint = () => this.step('checkpoint', () => this.position());
      this.resume = (position) => this.step('resume', () => this.reopen(position as OutputSinkPosition));
      this.suspend = () => this.stopForResume();
    }
  }

  async open(): Promise<void> {
    await this.step('open', () => this.settings.destination.open());
  }

  async write(records: readonly DataRecord[], origin?: BatchOrigin): Promise<void> {
    if (records.length === 0) return;
    await this.step('write', async () => {
      const { path } = this.settings;
      if (!path.partitioned) return this.writePartition(this.partition(''), records, origin);
      // One write per partition and batch, in the order of the records of each.
      const groups = new Map<string, { records: DataRecord[]; indexes: number[] }>();
      records.forEach((record, index) => {
        const key = path.partitionOf(record);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { records: [], indexes: [] }));
        group.records.push(record);
        group.indexes.push(index);
      });
      for (const [key, group] of groups) {
        const groupOrigin = origin && { describe: (index: number) => origin.describe(group.indexes[index]) };
        await this.writePartition(this.partition(key), group.records, groupOrigin);
      }
    });
  }

  finish(): Promise<void> {
    this.finishing ??= this.step('finish', async () => {
      // A run without records still leaves its output: a CSV header, an empty Parquet file.
      if (this.outputs.length === 0 && !this.settings.path.partitioned) await this.start(this.partition(''));
      await Promise.all(this.outputs.map((output) => output.close()));
      for (const output of this.outputs) await output.commit();
      await this.settings.destination.release();
    });
    return this.finishing;
  }

  async abort(reason: unknown): Promise<void> {
    await Promise.all(this.outputs.map((output) => output.discard(reason).catch(() => {})));
    await this.settings.destination.release().catch(() => {});
  }

  private async position(): Promise<SinkCheckpoint<OutputSinkPosition>> {
    const { destination } = this.settings;
    const output = await this.partitions.get('')?.output?.checkpoint();
    const position = { destination: await destination.checkpoint!(), output: output?.position ?? null };
    return { position, durable: output?.durable ?? Promise.resolve() };
  }

  /** Opens at a checkpoint of another process: the destination taken back, the output (if any) reopened where it stood. */
  private async reopen({ destination: destinationPosition, output: position }: OutputSinkPosition): Promise<void> {
    const { destination, path, gzip, encoder } = this.settings;
    await destination.resume!(destinationPosition);
    if (!position) return;
    const [target, encoderOfOutput] = await Promise.all([destination.reopen!(path.name('', 0), position.target), encoder(this.metrics, position.encoder)]);
    const output = EncodedOutput.resumed(position, encoderOfOutput, target, gzip, this.metrics);
    this.metrics.records += position.records;
    this.metrics.bytes += position.bytes;
    this.outputs.push(output);
    this.outputMetrics.push(output.metrics);
    this.partition('').output = output;
    this.openOutputs += 1;
  }

  private async stopForResume(): Promise<void> {
    await Promise.all(this.outputs.map((output) => output.suspend().catch(() => {})));
  }

  /** The partition of `key`, now the most recently used. */
  private partition(key: string): Partition {
    let partition = this.partitions.get(key);
    if (partition) this.partitions.delete(key);
    else partition = { key, part: 0, evicted: false };
    this.partitions.set(key, partition);
    return partition;
  }

  private async writePartition(partition: Partition, records: readonly DataRecord[], origin: BatchOrigin | undefined): Promise<void> {
    const { maxRecords, maxBytes } = this.settings.split;
    let offset = 0;
    while (offset < records.length) {
      const output = partition.output ?? (await this.start(partition));
      const room = maxRecords === undefined ? records.length : maxRecords - output.metrics.records;
      const count = Math.min(room, records.length - offset);
      const slice = offset === 0 && count === records.length ? records : records.slice(offset, offset + count);
      const start = offset;
      await output.write(slice, origin && start > 0 ? { describe: (index) => origin.describe(start + index) } : origin);
      offset += count;
      if ((maxRecords !== undefined && output.metrics.records >= maxRecords) || (maxBytes !== undefined && output.metrics.bytes >= maxBytes)) {
        await this.closePartition(partition);
        partition.part += 1;
      }
    }
  }

  /** Starts the partition's next output, first closing the least recently written one if too many are open. */
  private async start(partition: Partition): Promise<EncodedOutput> {
    const { path, destination, gzip, encoder, split } = this.settings;
    if (partition.evicted) {
      if (!path.parted) {
        throw new SinkError(
          this.metrics.name,
          `partition ${JSON.stringify(partition.key)} got more records after its output was closed to keep at most ${split.maxOpenPartitions} open (maxOpenPartitions): add {part} to the path so it can start a new part, or raise maxOpenPartitions`,
          { code: 'PF_SINK_PARTITIONS' },
        );
      }
      partition.part += 1;
      partition.evicted = false;
    }
    if (this.openOutputs >= split.maxOpenPartitions) {
      const oldest = [...this.partitions.values()].find((each) => each.output && each !== partition);
      if (oldest) {
        await this.closePartition(oldest);
        oldest.evicted = true;
      }
    }
    const name = path.name(partition.key, partition.part);
    const [target, encoderOfOutput] = await Promise.all([destination.create(name), encoder(this.metrics)]);
    const output = await EncodedOutput.open(destination.describe(name), encoderOfOutput, target, gzip, this.metrics);
    this.outputs.push(output);
    this.outputMetrics.push(output.metrics);
    partition.output = output;
    this.openOutputs += 1;
    return output;
  }

  private async closePartition(partition: Partition): Promise<void> {
    const { output } = partition;
    if (!output) return;
    partition.output = undefined;
    this.openOutputs -= 1;
    await output.close();
  }

  private async step<T>(phase: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof SinkError) throw error;
      if (error instanceof RecordEncodeError) throw new SinkError(this.metrics.name, error.message, { code: 'PF_SINK_RECORD', cause: error });
      throw new SinkError(this.metrics.name, `${phase} failed: ${describeCause(error)}`, { cause: error });
    }
  }
}

function describeCause(error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 'the reading end of the pipe was closed (EPIPE) before every record reached it';
  return error instanceof Error ? error.message : String(error);
}
