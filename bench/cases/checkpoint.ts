import type { BenchCase } from '../harness/bench-case';
import { customersPipeline } from './customers-export';
import { throughputCase } from './throughput';

const RECORDS = 200_000;

/**
 * The throughput case with and without `checkpoint: { every: 10 }` (a checkpoint every 10 pages of
 * 1000 records: fsync of the CSV, a state file written and fsync'd): `--only checkpoint` runs both.
 */
export const checkpointCases: readonly BenchCase[] = [
  throughputCase('checkpoint-off', RECORDS, { format: 'csv' }, 'CSV file, state, no checkpoint', {
    pageflow: (context) => ({
      variants: [{ label: 'default', definition: (output) => ({ ...customersPipeline('checkpoint-off', context, { perPage: 1000, format: 'csv' }, output), state: { path: `${output}.state.json` } }) }],
    }),
  }),
  throughputCase('checkpoint-every-10', RECORDS, { format: 'csv' }, 'CSV file, state, checkpoint every 10 pages', {
    pageflow: (context) => ({
      variants: [
        {
          label: 'default',
          definition: (output) => ({
            ...customersPipeline('checkpoint-every-10', context, { perPage: 1000, format: 'csv' }, output),
            state: { path: `${output}.state.json` },
            checkpoint: { every: 10 },
          }),
        },
      ],
    }),
  }),
];
