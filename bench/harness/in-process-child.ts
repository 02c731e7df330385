import { performance } from 'node:perf_hooks';
import type { InProcessJob, Task } from './bench-case';
import { peakRssMiB } from './peak-memory';

/** What an in-process child sends its parent. */
export interface ChildReport {
  readonly wallMs: number;
  readonly peakRssMiB: number;
  readonly records?: number;
  readonly figures?: Readonly<Record<string, number>>;
}

/** Child entry: loads the job's task (start-up, not timed), then times the work and reports to the parent. */
async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as InProcessJob;
  const { task } = require(job.module) as { task: Task<unknown> };
  const work = await task(job.args);
  const started = performance.now();
  const outcome = await work();
  const wallMs = performance.now() - started;
  const report: ChildReport = { ...outcome, wallMs, peakRssMiB: peakRssMiB() };
  process.send?.(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
