import { z } from 'zod';
import { loadEncoder } from '../formats/format';
import { encoderOptions, formatOf, formatOptionFields, requireKnownFormat } from '../formats/format-options';
import { type Logger, silentLogger } from '../logger';
import { defineSink } from '../pipeline/component';
import { FileDestination } from './file-destination';
import { createRunId, OutputPath } from './output-path';
import { OutputSink } from './output-sink';
import type { Sink } from './sink';
import { checkSplitOptions, splitOptionFields, splitSettings } from './split-options';

export const fileSinkConfig = z
  .strictObject({
    type: z.literal('file'),
    path: z.string().min(1).meta({
      description:
        "Output file. Written into a temporary folder beside it and renamed into place only when the run succeeds, keeping the replaced file's mode (a symbolic link there is replaced, never written through). Placeholders: {date} and {timestamp} (the run's start, UTC), {runId}, {part} (5 digits, per partition), {record.<field>} (a value of each record, URL-encoded; __null__ when missing or empty).",
      examples: ['out/customers.csv', 'out/customers-{date}.ndjson.gz', 'out/integration={record.integration}/part-{part}.parquet'],
      secret: false,
    }),
    ...formatOptionFields,
    ...splitOptionFields,
  })
  .superRefine(requireKnownFormat('path'))
  .superRefine(checkSplitOptions('path'));

export type FileSinkOptions = Omit<z.input<typeof fileSinkConfig>, 'type'>;

export interface FileSinkContext {
  /** Fills the path's {date} and {timestamp}. @default now */
  readonly startedAt?: Date;
  /** Fills the path's {runId}. @default a new id */
  readonly runId?: string;
  /** Hears of stale temporary files removed. @default silent */
  readonly logger?: Logger;
}

/**
 * Writes CSV, NDJSON (gzipped for `.gz`) or Parquet files, atomically: readers see the old file or
 * the complete new one. With {part} or {record.…} in the path, one file per part and partition, all
 * renamed into place when the run succeeds and all removed when it fails.
 */
export function createFileSink(options: FileSinkOptions, { startedAt = new Date(), runId = createRunId(startedAt), logger = silentLogger }: FileSinkContext = {}): Sink {
  const path = new OutputPath(options.path, { startedAt, runId });
  const { format, gzip } = formatOf(options.path, options.format);
  const encoder = encoderOptions(options);
  return new OutputSink({
    name: `file:${path.template}`,
    path,
    destination: new FileDestination(path, logger),
    encoder: (counters, resumeFrom) => loadEncoder(format, { ...encoder, counters, resumeFrom }),
    gzip,
    split: splitSettings(options),
    resumable: format !== 'parquet' && !path.partitioned && !path.parted,
  });
}

export const fileSink = defineSink({
  type: 'file',
  summary: 'Writes local CSV, NDJSON (gzip by .gz) or Parquet files, split by size or by record values if asked, replaced atomically when the run succeeds.',
  config: fileSinkConfig,
  create: ({ type: _type, ...options }, context) => createFileSink(options, context),
});
