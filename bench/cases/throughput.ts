import type { BenchCase } from '../harness/bench-case';
import type { Summary } from '../harness/summary';
import { customersPipeline, dependencyFloorReference, type ExportShape, formatCount, speedOfLightReference } from './customers-export';

/**
 * CPU-bound exports: no latency, 1000 records per page served from memory (the server is not the
 * bottleneck), dedup + a 4-field map, beside the speed-of-light script doing the same job.
 */
export function throughputCase(name: string, records: number, shape: Omit<ExportShape, 'perPage'>, sink: string, extra: Partial<BenchCase> = {}): BenchCase {
  const exportShape: ExportShape = { perPage: 1000, ...shape };
  const { format } = shape;
  return {
    name,
    title: ({ size }) => `${formatCount(size(records))} records, dedup + 4-field map → ${sink}`,
    api: ({ size }) => ({ customers: size(records), cachePages: true }),
    output: shape.format === 'csv' && shape.gzip ? 'csv.gz' : shape.format,
    stdout: shape.stdout,
    pageflow: (context) => ({ variants: [{ label: 'default', definition: (output) => customersPipeline(name, context, exportShape, output) }] }),
    reference: format === 'parquet' ? undefined : (context) => speedOfLightReference(context, { ...exportShape, format }),
    floor: format === 'parquet' ? undefined : (context) => dependencyFloorReference(context, { ...exportShape, format }),
    note: ({ context, pageflow }) => recordsPerSecond(context.size(records), pageflow),
    ...extra,
  };
}

function recordsPerSecond(records: number, pageflow: Summary): string {
  return `${formatCount(Math.round(records / (pageflow.wallMs.median / 1000)))} records/s`;
}

export const throughputCases: readonly BenchCase[] = [
  throughputCase('csv-200k', 200_000, { format: 'csv' }, 'CSV file'),
  throughputCase('csv-1m', 1_000_000, { format: 'csv' }, 'CSV file', {
    note: ({ context, pageflow }) =>
      `${recordsPerSecond(context.size(1_000_000), pageflow)}; peak RSS ${Math.round((pageflow.peakRssMiB.max * 2 ** 20) / 1e6)} MB at most (bar ≤ 200 MB)`,
  }),
  throughputCase('ndjson-1m', 1_000_000, { format: 'ndjson', stdout: true }, 'NDJSON on stdout'),
  throughputCase('csv-gz-1m', 1_000_000, { format: 'csv', gzip: true }, '.csv.gz file'),
  // Parquet has no speed-of-light script: quoted against csv-1m (time and peak RSS).
  throughputCase('parquet-1m', 1_000_000, { format: 'parquet' }, 'Parquet file', { relativeTo: 'csv-1m' }),
  partitionedCase(),
];

/** CSV files partitioned by `city` (the sample API has 6 cities), quoted against the single file of csv-1m. */
function partitionedCase(): BenchCase {
  const shape: ExportShape = { perPage: 1000, format: 'csv' };
  return {
    ...throughputCase('csv-partitioned-1m', 1_000_000, shape, 'one CSV file per city', { relativeTo: 'csv-1m' }),
    output: undefined,
    reference: undefined,
    floor: undefined,
    pageflow: (context) => ({
      variants: [
        {
          label: 'partitioned by {record.city}',
          definition: (output) => ({ ...customersPipeline('csv-partitioned-1m', context, shape, output), sinks: [{ type: 'file', path: `${output}/{record.city}.csv` }] }),
        },
      ],
    }),
  };
}
