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

/** The scripts doing the job without pageflow: the speed of light, and the same with pageflow's dependencies. */
const SCRIPTS = {
  'speed of light': 'speed-of-light',
  'dependency floor': 'dependency-floor',
} as const;

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
  return scriptReference('speed of light', context, shape);
}

/** The same export by the speed-of-light script using axios and csv-stringify (`bench/dependency-floor.ts`). */
export function dependencyFloorReference(context: CaseContext, shape: ReferenceShape): ReferenceJob {
  return scriptReference('dependency floor', context, shape);
}

function scriptReference(label: keyof typeof SCRIPTS, context: CaseContext, shape: ReferenceShape): ReferenceJob {
  const script = SCRIPTS[label];
  const options = (output: string): SpeedOfLightOptions => ({
    url: `${context.url}/v1/customers?per_page=${shape.perPage}`,
    format: shape.format,
    gzip: shape.gzip,
    output: shape.stdout ? undefined : output,
    concurrency: shape.concurrency,
  });
  return {
    label,
    argv: (output) => {
      const { url, format, gzip, output: file, concurrency } = options(output);
      return [join(__dirname, '..', `${script}.js`), '--url', url, '--format', format, ...(gzip ? ['--gzip'] : []), ...(file ? ['--output', file] : []), '--concurrency', String(concurrency ?? 1)];
    },
    inProcess: (output) => ({ module: join(__dirname, '..', 'tasks', `${script}.js`), args: options(output) }),
  };
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
