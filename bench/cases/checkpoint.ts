import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { BenchCase, CaseContext } from '../harness/bench-case';
import { customersPipeline } from './customers-export';
import { throughputCase } from './throughput';

const RECORDS = 200_000;
/** This worktree's CLI (the bench runs from out/bench-build/bench/cases/). */
const CLI = join(__dirname, '..', '..', '..', '..', 'dist', 'cli', 'main.js');

/** The throughput export with `state` (a lock, a state write at the end), and `checkpoint` when given. */
function statefulPipeline(context: CaseContext, output: string, checkpoint?: { every: number }): object {
  return { ...customersPipeline('checkpoint', context, { perPage: 1000, format: 'csv' }, output), state: { path: `${output}.state.json` }, ...(checkpoint ? { checkpoint } : {}) };
}

/**
 * The throughput case with `checkpoint: { every: 10 }` (a checkpoint every 10 pages of 1000 records:
 * the CSV fsync'd, the dedup keys' journal appended, the state file written and fsync'd), against the
 * same pageflow and pipeline without `checkpoint`, in the same alternating rounds: the ratio is what
 * checkpoints cost. Whole process only (in-process runs have no state).
 */
export const checkpointCases: readonly BenchCase[] = [
  throughputCase('checkpoint-every-10', RECORDS, { format: 'csv' }, 'CSV file, state, checkpoint every 10 pages', {
    modes: ['whole-process'],
    pageflow: (context) => ({ variants: [{ label: 'default', definition: (output) => statefulPipeline(context, output, { every: 10 }) }] }),
    reference: (context) => ({
      label: 'pageflow, no checkpoint',
      argv: (output) => {
        const file = `${output}.pipeline.yaml`;
        writeFileSync(file, stringify(statefulPipeline(context, output)));
        return [CLI, 'run', file];
      },
    }),
    // The cost of checkpoints is pageflow against itself: no dependency floor.
    floor: undefined,
  }),
];
