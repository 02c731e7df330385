import { rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SUITES } from './cases';
import type { BenchCase, Scale } from './harness/bench-case';
import { checkoutAt, compareCheckout } from './harness/checkout';
import { outputMismatches, resultsTable, skippedSubjects } from './harness/report';
import { type CaseResult, runCase } from './harness/run-case';

const USAGE = `usage: npm run bench -- [--runs N] [--only name,…] [--quick] [--compare <built checkout>]… [--suite main|fleet] [--list]

  --runs N         timed runs per case and mode (default 5; some slow cases cap it)
  --only a,b       cases by name, or every case whose name starts with "a-" (e.g. --only latency)
  --quick          every count ÷ 20, one run, no warm-up: checks the harness, measures nothing
  --compare DIR    also run the pageflow built in DIR (npm ci there), side by side in the same rounds
  --suite NAME     main (default) or fleet
  --list           list the cases and exit`;

/**
 * `npm run bench`: the sample API on loopback in this process, every measured run in a child process
 * of its own (whole-process: `node dist/cli/main.js run …` timed from spawn to exit; in-process:
 * after the child's start-up), a Markdown table on stdout, progress on stderr.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      compare: { type: 'string', multiple: true, default: [] },
      suite: { type: 'string', default: 'main' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const suite = SUITES[values.suite];
  if (!suite) throw new Error(`unknown suite "${values.suite}" (expected one of: ${Object.keys(SUITES).join(', ')})`);
  const scale: Scale = { quick: values.quick, size: (full) => (values.quick ? Math.max(1, Math.round(full / 20)) : full) };
  if (values.list) {
    for (const bench of suite) process.stdout.write(`${bench.name.padEnd(28)} ${bench.title(scale)}\n`);
    return 0;
  }
  const runs = values.runs === undefined ? (values.quick ? 1 : 5) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, got "${values.runs}"`);
  const cases = select(suite, values.only);
  if (cases.length === 0) {
    process.stderr.write(`bench: suite "${values.suite}" has no cases yet (see bench/README.md for how to add one)\n`);
    return 0;
  }

  const root = resolve(__dirname, '..', '..', '..');
  const checkouts = [checkoutAt(root, 'pageflow', 'pageflow'), ...values.compare.map((dir, index) => compareCheckout(dir, index, values.compare.length))];
  const outDir = join(root, 'out', 'bench');
  const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);
  const loadBefore = loadavg();
  const started = new Date();
  const results: CaseResult[] = [];
  const failures: string[] = [];
  for (const bench of cases) {
    try {
      results.push(await runCase(bench, { scale, runs, checkouts, outDir, progress }));
    } catch (error) {
      failures.push(`${bench.name}: ${error instanceof Error ? error.message : String(error)}`);
      progress(`${bench.name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await rm(outDir, { recursive: true, force: true });

  const [cpu] = cpus();
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  const mismatches = outputMismatches(results);
  process.stdout.write(
    [
      '',
      `Machine: ${cpus().length} × ${cpu?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`,
      `Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${runs} timed run${runs === 1 ? '' : 's'} per case and mode${values.quick ? ' (--quick: reduced sizes, no warm-up; not a measurement)' : ''}; load average ${load(loadBefore)} before, ${load(loadavg())} after`,
      ...checkouts.map((checkout) => `${checkout.label}: ${checkout.dir}`),
      '',
      resultsTable(results),
      '',
      ...skippedSubjects(results).map((skipped) => `Skipped: ${skipped}`),
      ...mismatches.map((mismatch) => `OUTPUT DIFFERS: ${mismatch}`),
      ...failures.map((failure) => `FAILED: ${failure}`),
      '',
    ].join('\n'),
  );
  return mismatches.length > 0 || failures.length > 0 ? 1 : 0;
}

/** The cases `--only` names (exactly, or by a prefix before a `-`), plus those they are quoted relative to. */
function select(suite: readonly BenchCase[], only: string | undefined): BenchCase[] {
  if (!only) return [...suite];
  const wanted = new Set<BenchCase>();
  for (const token of only.split(',').map((part) => part.trim()).filter(Boolean)) {
    const matches = suite.filter((bench) => bench.name === token || bench.name.startsWith(`${token}-`));
    if (matches.length === 0) throw new Error(`--only ${token}: no such case (see --list)`);
    for (const bench of matches) wanted.add(bench);
  }
  for (const bench of [...wanted]) {
    const other = suite.find((candidate) => candidate.name === bench.relativeTo);
    if (other) wanted.add(other);
  }
  return suite.filter((bench) => wanted.has(bench));
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
