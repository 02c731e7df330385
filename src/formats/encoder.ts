import type { DataRecord } from '../record';
import type { BatchOrigin } from '../sinks/sink';

/**
 * Turns batches of records into bytes, one format each (CSV, NDJSON, Parquet). Stateful: one encoder
 * per output. Its state between batches is small and plain (the CSV columns and whether the header
 * was written; Parquet's schema and the rows of the row group being filled), so that a page boundary
 * can later be a resume point.
 */
export interface Encoder {
  /** The bytes for this batch, appended to what came before; may be empty (Parquet holds rows until a row group fills). */
  encode(records: readonly DataRecord[], origin?: BatchOrigin): Uint8Array;
  /** The bytes that close the output: the header of a CSV export that had no records, Parquet's last row group and footer. */
  end(): Uint8Array;
  /** Encoders that can resume (CSV, NDJSON): their state between batches, as JSON; `EncoderOptions.resumeFrom` takes it back. */
  position?(): unknown;
}

/** What an encoder tells its sink while it writes; the sink's metrics hold them. */
export interface EncoderCounters {
  /** Values of fields outside the columns, dropped (`unknownColumns: drop`). */
  droppedValues?: number;
  /** Values that did not fit their Parquet column's type, written as null (`onTypeMismatch: null`). */
  mismatchedValues?: number;
}

/** A column of `columns:`: a name, or (for Parquet) a name and a type. */
export type ColumnSpec = string | { readonly name: string; readonly type?: ColumnType };

export const COLUMN_TYPES = ['string', 'int64', 'double', 'boolean', 'timestamp', 'date', 'json'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface EncoderOptions {
  /** Columns in order; default the keys of the first page's records, in order of first appearance. */
  readonly columns?: readonly ColumnSpec[];
  /** What a field outside the columns does: fail the run (default) or be dropped and counted. Only without explicit columns. */
  readonly unknownColumns?: 'fail' | 'drop';
  /** CSV columns whose cells starting with = + - @ are neutralised for spreadsheets. */
  readonly escapeFormulas?: readonly string[];
  /** Parquet: rows per row group. */
  readonly rowGroupSize?: number;
  /** Parquet: the compression codec of every column. */
  readonly compression?: ParquetCompression;
  /** Parquet: what a value that does not fit its column's type does: fail the run (default) or become null, counted. */
  readonly onTypeMismatch?: 'fail' | 'null';
  /** Where the encoder counts what it dropped or nulled. */
  readonly counters?: EncoderCounters;
  /** An encoder's `position()` from a checkpoint: go on from there (a CSV's header is not written again). */
  readonly resumeFrom?: unknown;
}

/** Parquet rows per row group unless `rowGroupSize` says otherwise. */
export const DEFAULT_ROW_GROUP_SIZE = 10_000;

export const PARQUET_COMPRESSIONS = ['snappy', 'gzip', 'none'] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** A record the encoder cannot write; the sink puts its name in front of the message. */
export class RecordEncodeError extends Error {
  override name = 'RecordEncodeError';
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);
