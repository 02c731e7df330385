import { join } from 'node:path';
import type { CaseContext, ReferenceJob } from '../harness/bench-case';
import type { SpeedOfLightOptions } from '../speed-of-light';

/** How the sample customers are exported: the job both pageflow and the speed-of-light script do. */
export interface ExportShape {
  readonly perPage: number;
  /** `source.concurrency`. @default 1 */
  readonly concurrency?: number;
  /** `source.pagination`; absent: the default (next links). */
  readonly pagination?: object;
  /** `dedup: { key: id, hash: true }` instead of `dedup: id`. */
  readonly hashDedup?: boolean;
  /** Where the records go (Parquet: no speed-of-light script; quoted against the CSV case). */
  readonly format: 'csv' | 'ndjson' | 'parquet';
  readonly gzip?: boolean;
  /** To stdout (redirected to the output file by the harness) instead of a file sink. */
  readonly stdout?: boolean;
}

const SPEED_OF_LIGHT = join(__dirname, '..', 'speed-of-light.js');
const SPEED_OF_LIGHT_TASK = join(__dirname, '..', 'tasks', 'speed-of-light.js');

/** The pipeline: dedup by id, a 4-field map, one sink. */
export function customersPipeline(name: string, context: CaseContext, shape: ExportShape, output: string): object {
  return {
    name,
    source: {
      type: 'http',
      url: `${context.url}/v1/customers`,
      params: { per_page: shape.perPage },
      ...(shape.concurrency ? { concurrency: shape.concurrency } : {}),
      ...(shape.pagination ? { pagination: shape.pagination } : {}),
    },
    transforms: [{ dedup: shape.hashDedup ? { key: 'id', hash: true } : 'id' }, { map: { id: 'id', company: 'companyName', city: 'city', email: 'primaryEmail' } }],
    sinks: [shape.stdout ? { type: 'stdout', format: shape.format } : { type: 'file', path: output }],
  };
}

/** An export the speed-of-light script can do too: CSV or NDJSON. */
export type ReferenceShape = ExportShape & { readonly format: 'csv' | 'ndjson' };

/** The same export by the speed-of-light script (`bench/speed-of-light.ts`). */
export function speedOfLightReference(context: CaseContext, shape: ReferenceShape): ReferenceJob {
  const options = (output: string): SpeedOfLightOptions => ({
    url: `${context.url}/v1/customers?per_page=${shape.perPage}`,
    format: shape.format,
    gzip: shape.gzip,
    output: shape.stdout ? undefined : output,
    concurrency: shape.concurrency,
  });
  return {
    label: 'speed of light',
    argv: (output) => {
      const { url, format, gzip, output: file, concurrency } = options(output);
      return [SPEED_OF_LIGHT, '--url', url, '--format', format, ...(gzip ? ['--gzip'] : []), ...(file ? ['--output', file] : []), '--concurrency', String(concurrency ?? 1)];
    },
    inProcess: (output) => ({ module: SPEED_OF_LIGHT_TASK, args: options(output) }),
  };
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
