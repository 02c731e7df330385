import type { BenchCase, ReferenceJob } from '../harness/bench-case';
import { customersPipeline, dependencyFloorReference, type ReferenceShape } from './customers-export';

const SHAPE: ReferenceShape = { perPage: 100, format: 'csv' };
const NODE_ALONE: ReferenceJob = { label: 'node -e 0', argv: () => ['-e', '0'], writesOutput: false };

/** Start-up: a whole `pageflow` process doing almost nothing, beside Node doing nothing at all. */
function startupCase(command: 'run' | 'validate', title: string, goalSeconds: number): BenchCase {
  const name = `startup-${command}`;
  return {
    name,
    title: () => title,
    api: () => ({ customers: 100 }),
    output: command === 'run' ? 'csv' : undefined,
    pageflow: (context) => ({
      command,
      // validate writes nothing, but its sink's path must still name a format
      variants: [{ label: 'default', definition: (output) => customersPipeline(name, context, SHAPE, command === 'run' ? output : `${output}.csv`) }],
    }),
    reference: () => NODE_ALONE,
    // The one-page export by a plain script that loads axios and csv-stringify: their share of start-up.
    floor: command === 'run' ? (context) => dependencyFloorReference(context, SHAPE) : undefined,
    modes: ['whole-process'],
    note: () => `goal ≤ ${goalSeconds.toFixed(2)} s`,
  };
}

export const startupCases: readonly BenchCase[] = [
  startupCase('run', '`pageflow run` of a one-page export (100 records → CSV file)', 0.18),
  startupCase('validate', '`pageflow validate` of that pipeline', 0.15),
];
