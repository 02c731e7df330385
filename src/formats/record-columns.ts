import type { DataRecord } from '../record';
import type { BatchOrigin } from '../sinks/sink';
import { type EncoderCounters, RecordEncodeError } from './encoder';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The columns of a CSV or Parquet output and the reading of each record's values by column.
 *
 * Without explicit columns they are the union of the keys of the first batch (the runner makes it the
 * whole first page), in order of first appearance; a later record with a key outside them fails the
 * write, naming the key and the record, or has that value dropped and counted (`unknownColumns: drop`).
 * With explicit columns other fields are ignored, as always.
 *
 * Only a record's own properties are read: a column named `constructor` or `__proto__` is the
 * record's own field or missing, never something inherited from `Object.prototype`.
 */
export class RecordColumns {
  readonly names: readonly string[];
  private readonly known: ReadonlySet<string>;
  /** Per column: whether a plain object inherits something by that name, so only those pay for an own-property check. */
  private readonly inherited: readonly boolean[];

  private constructor(
    names: readonly string[],
    private readonly checkUnknown: boolean,
    private readonly drop: boolean,
    private readonly counters: EncoderCounters | undefined,
  ) {
    this.names = names;
    this.known = new Set(names);
    this.inherited = names.map((name) => name in Object.prototype);
  }

  /** Columns given in the configuration: other fields are ignored. */
  static explicit(names: readonly string[]): RecordColumns {
    return new RecordColumns(names, false, false, undefined);
  }

  /** Columns found in the first batch: the union of its records' keys, in order of first appearance. */
  static discover(records: readonly DataRecord[], unknownColumns: 'fail' | 'drop', counters?: EncoderCounters): RecordColumns {
    const names = new Set<string>();
    for (const record of records) for (const key of Object.keys(record)) names.add(key);
    return new RecordColumns([...names], true, unknownColumns === 'drop', counters);
  }

  /** The record's value in column `index`: its own property, or undefined. */
  value(record: DataRecord, index: number): unknown {
    const name = this.names[index];
    if (this.inherited[index] && !hasOwn.call(record, name)) return undefined;
    return record[name];
  }

  /** Fails (or counts a drop) for each field of `record` outside the columns. */
  check(record: DataRecord, index: number, origin: BatchOrigin | undefined): void {
    if (!this.checkUnknown || this.sameKeys(record)) return;
    for (const key of Object.keys(record)) {
      if (this.known.has(key)) continue;
      if (this.drop) {
        if (this.counters) this.counters.droppedValues = (this.counters.droppedValues ?? 0) + 1;
        continue;
      }
      const where = origin?.describe(index) ?? `record ${index + 1} of the batch`;
      throw new RecordEncodeError(
        `${where} has a field ${JSON.stringify(key)} that is not a column (the columns are the keys of the first page: ${this.names.join(', ') || 'none'}): list every column under columns:, or set unknownColumns: drop to drop such fields`,
      );
    }
  }

  /** The common case, without allocating: the record's keys are exactly the columns, in order. */
  private sameKeys(record: DataRecord): boolean {
    const { names } = this;
    let index = 0;
    for (const key in record) {
      if (key !== names[index]) return false;
      index += 1;
    }
    return index === names.length;
  }
}
