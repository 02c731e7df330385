import type { DataRecord } from '../record';

/** Turns batches of records into text, one format each (CSV, NDJSON). Stateful: one encoder per output. */
export interface Encoder {
  /** The text for this batch, appended to what came before. */
  encode(records: readonly DataRecord[]): string;
  /** The text that closes the output, e.g. the header of a CSV export that had no records. */
  end(): string;
}

export interface EncoderOptions {
  /** Column order for CSV; default the keys of the first record. */
  readonly columns?: readonly string[];
  /** CSV columns whose cells starting with = + - @ are neutralised for spreadsheets. */
  readonly escapeFormulas?: readonly string[];
}
