import { createCsvEncoder } from './csv';
import type { Encoder, EncoderOptions } from './encoder';
import { createNdjsonEncoder } from './ndjson';

export const FORMATS = ['csv', 'ndjson', 'parquet'] as const;
export type FormatName = (typeof FORMATS)[number];
/** The formats that are text, and so fit standard output. */
export const TEXT_FORMATS = ['csv', 'ndjson'] as const;
export type TextFormatName = (typeof TEXT_FORMATS)[number];

/** The Content-Type of each format (S3 objects carry it). */
export const MEDIA_TYPES: Record<FormatName, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

/** A CSV or NDJSON encoder. */
export function createEncoder(format: TextFormatName, options: EncoderOptions = {}): Encoder {
  return format === 'csv' ? createCsvEncoder(options) : createNdjsonEncoder();
}

/** An encoder of any format. Parquet's writer is loaded only when a Parquet output starts, so other runs never pay for it. */
export async function loadEncoder(format: FormatName, options: EncoderOptions = {}): Promise<Encoder> {
  if (format !== 'parquet') return createEncoder(format, options);
  const { createParquetEncoder } = await import('./parquet');
  return createParquetEncoder(options);
}

const extensions: Record<string, FormatName> = { csv: 'csv', ndjson: 'ndjson', jsonl: 'ndjson', parquet: 'parquet' };

/** Reads the format and compression off an output name: `a.csv`, `a.ndjson.gz`, `a.jsonl`, `a.parquet`. */
export function formatFromPath(path: string): { format?: FormatName; gzip: boolean } {
  const gzip = /\.gz$/i.test(path);
  const extension = /\.([a-z]+)$/i.exec(gzip ? path.slice(0, -3) : path)?.[1]?.toLowerCase();
  return { format: extension ? extensions[extension] : undefined, gzip };
}
