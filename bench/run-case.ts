import { performance } from 'node:perf_hooks';
import type { BenchCase, BenchResult } from './bench-case';
import { baselineExport } from './baseline-export';
import { measureDedupBytesPerKey } from './dedup-memory';
import { pageflowExport } from './pageflow-export';

/** Child-process entry: runs the case given as JSON in argv[2] and sends its result to the parent. */
async function main(): Promise<void> {
  const bench = JSON.parse(process.argv[2]) as BenchCase;
  const started = performance.now();
  const outcome = await run(bench);
  const wallMs = performance.now() - started;
  const result: BenchResult = { ...outcome, wallMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.send?.(result);
}

async function run(bench: BenchCase): Promise<Pick<BenchResult, 'records' | 'maxRecordsAhead' | 'bytesPerKey'>> {
  switch (bench.kind) {
    case 'baseline':
      return { records: await baselineExport(bench.url, bench.perPage, bench.output) };
    case 'pageflow':
      return pageflowExport(bench);
    case 'dedup-memory':
      return { records: bench.keys, bytesPerKey: await measureDedupBytesPerKey(bench.keys, bench.shape, bench.hash) };
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
