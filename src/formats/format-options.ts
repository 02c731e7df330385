import { z } from 'zod';
import { createEncoder, FORMATS, formatFromPath, type FormatName } from './format';
import type { Encoder } from './encoder';

/** The options every sink that writes a format shares; spread into each sink's schema. */
export const formatOptionFields = {
  format: z.enum(FORMATS).optional().meta({ description: 'Output format. Default: from the extension (.csv, .ndjson, .jsonl; .gz compresses).' }),
  columns: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta({ description: 'CSV column order. Default: the keys of the first record.', secret: false }),
  escapeFormulas: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: "CSV columns whose cells starting with = + - @ get a leading ' so spreadsheets show them as text.", secret: false }),
};

type FormatOptions = { format?: FormatName; columns?: string[]; escapeFormulas?: string[] };

/** A refinement for sinks whose format may come from a file name held in `nameKey`. */
export function requireKnownFormat<T extends FormatOptions>(nameKey: keyof T & string) {
  return (config: T, context: z.RefinementCtx): void => {
    const name = String(config[nameKey]);
    if (!config.format && !formatFromPath(name).format) {
      context.addIssue({
        code: 'custom',
        path: ['format'],
        message: `cannot tell the format from "${name}": end it in .csv, .ndjson or .jsonl (optionally .gz), or set format: csv | ndjson`,
      });
    }
  };
}

/** The encoder and compression for an output named `name`, honouring an explicit `format`. */
export function encoderFor(name: string, options: FormatOptions): { encoder: Encoder; gzip: boolean } {
  const fromPath = formatFromPath(name);
  const format = options.format ?? fromPath.format ?? 'ndjson';
  return { encoder: createEncoder(format, options), gzip: fromPath.gzip };
}
