import { createCsvEncoder } from './csv';
import type { Encoder, EncoderOptions } from './encoder';
import { createNdjsonEncoder } from './ndjson';

export const FORMATS = ['csv', 'ndjson'] as const;
export type FormatName = (typeof FORMATS)[number];

export function createEncoder(format: FormatName, options: EncoderOptions = {}): Encoder {
  return format === 'csv' ? createCsvEncoder(options) : createNdjsonEncoder();
}

const extensions: Record<string, FormatName> = { csv: 'csv', ndjson: 'ndjson', jsonl: 'ndjson' };

/** Reads the format and compression off an output name: `a.csv`, `a.ndjson.gz`, `a.jsonl`. */
export function formatFromPath(path: string): { format?: FormatName; gzip: boolean } {
  const gzip = /\.gz$/i.test(path);
  const extension = /\.([a-z]+)$/i.exec(gzip ? path.slice(0, -3) : path)?.[1]?.toLowerCase();
  return { format: extension ? extensions[extension] : undefined, gzip };
}
