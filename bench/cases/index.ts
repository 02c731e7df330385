import type { BenchCase } from '../harness/bench-case';
import { checkpointCases } from './checkpoint';
import { latencyCases } from './latency';
import { memoryCases } from './memory';
import { pagesCases } from './pages';
import { relatedCases } from './related';
import { startupCases } from './startup';
import { throughputCases } from './throughput';

/**
 * The cases of each suite, in the order they run: one group file per line. `npm run bench` runs
 * `main`, `npm run bench:fleet` runs `fleet`. Adding a group: a file in this folder and one line here.
 */
export const SUITES: Readonly<Record<string, readonly BenchCase[]>> = {
  main: [
    ...throughputCases,
    ...pagesCases,
    ...latencyCases,
    ...startupCases,
    ...memoryCases,
    ...relatedCases,
    ...checkpointCases,
  ],
  // Workers sharing a queue (issue 15): throughput with 1, 2 and 4 workers.
  fleet: [],
};
