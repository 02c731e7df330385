import { join } from 'node:path';
import type { BenchCase } from '../harness/bench-case';
import type { KeyShape } from '../dedup-memory';
import { customersPipeline } from './customers-export';
import { throughputCase } from './throughput';

const SLOW_STORE_MS = 20;
const RECORDS = 1_000_000;
const TASKS = join(__dirname, '..', 'tasks');

/** Bytes per key held by `dedup`, for 1,000,000 distinct keys (heap + typed arrays after a full GC). */
function dedupBytesCase(shape: KeyShape, hash: boolean): BenchCase {
  return {
    name: `dedup-bytes-${shape}-${hash ? 'hash' : 'exact'}`,
    title: ({ size }) => `dedup memory: ${size(RECORDS).toLocaleString('en-US')} ${shape === 'uuid' ? 'UUIDs (36 characters)' : 'sample ids (17 characters)'}, ${hash ? '`hash: true`' : 'exact'}`,
    task: ({ size }) => ({ module: join(TASKS, 'dedup-bytes.js'), args: { keys: size(RECORDS), shape, hash }, execArgv: ['--expose-gc'] }),
    maxRuns: 1,
    note: ({ pageflow }) => `${pageflow.figures?.bytesPerKey?.toFixed(1)} bytes per key`,
  };
}

/**
 * Memory bounded by configuration: peak RSS at 1M records with exact dedup is the `csv-1m` case; here
 * the hashed dedup, a store slower than the API (how far the source reads ahead), and bytes per key.
 */
export const memoryCases: readonly BenchCase[] = [
  throughputCase('memory-hash-dedup-1m', RECORDS, { format: 'csv', hashDedup: true }, 'CSV file with `dedup: { key: id, hash: true }`', { relativeTo: 'csv-1m' }),
  {
    name: 'memory-slow-store-1m',
    title: ({ size }) => `${size(RECORDS).toLocaleString('en-US')} records into a store taking ${SLOW_STORE_MS} ms per chunk`,
    api: ({ size }) => ({ customers: size(RECORDS), cachePages: true }),
    task: (context) => ({
      module: join(TASKS, 'slow-store.js'),
      args: { pipeline: customersPipeline('memory-slow-store', context, { perPage: 1000, format: 'csv' }, 'unused.csv'), delayMs: SLOW_STORE_MS },
    }),
    maxRuns: 1,
    note: ({ pageflow }) => `the source never read more than ${pageflow.figures?.maxRecordsAhead} records ahead of the store`,
  },
  dedupBytesCase('sample-id', false),
  dedupBytesCase('sample-id', true),
  dedupBytesCase('uuid', false),
  dedupBytesCase('uuid', true),
];
