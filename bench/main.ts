import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type SampleApi, type SampleApiOptions, startSampleApi } from '../src/demo/sample-api';
import type { BaselineCase, BenchCase, BenchResult, PageflowCase } from './bench-case';

const SLOW_SINK_MS = 20;

interface Row {
  readonly name: string;
  readonly records: number;
  readonly wallMs: number;
  readonly peakRssMiB: number;
  readonly note: string;
}

/**
 * `npm run bench`: the sample API runs in this process on loopback, every measured run in a child
 * process of its own (so the peak RSS is the run's own), and a Markdown table goes to stdout.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Math.max(1, Number(values.runs) || 5);
  const memoryRuns = Math.min(runs, 3);
  const outDir = resolve('out', 'bench');
  await mkdir(outDir, { recursive: true });
  const output = (name: string) => join(outDir, name);
  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push(row);
    progress(`${row.name}: ${(row.wallMs / 1000).toFixed(2)} s, ${Math.round(row.peakRssMiB)} MiB${row.note ? `, ${row.note}` : ''}`);
  };

  // CPU: no latency, 1000 records per page served from memory, so the server is not the bottleneck.
  await withSampleApi({ customers: 200_000, cachePages: true }, async ({ url }) => {
    const baselineCase: BaselineCase = { kind: 'baseline', url, perPage: 1000, output: output('cpu-baseline.csv') };
    const pageflowCase: PageflowCase = { kind: 'pageflow', url, perPage: 1000, output: output('cpu-pageflow.csv') };
    progress('CPU case: warm-up (fills the page cache)');
    await runCase(baselineCase);
    await runCase(pageflowCase);
    const baseline: BenchResult[] = [];
    const pageflow: BenchResult[] = [];
    for (let run = 1; run <= runs; run += 1) {
      progress(`CPU case: run ${run} of ${runs}`);
      baseline.push(await runCase(baselineCase));
      pageflow.push(await runCase(pageflowCase));
    }
    const ratios = pageflow.map((result, run) => result.wallMs / baseline[run].wallMs);
    const identical = (await digest(baselineCase.output)) === (await digest(pageflowCase.output));
    add({ name: 'CPU: hand-written script (axios + Set + csv-stringify)', ...medians(baseline), note: `median of ${runs}` });
    add({
      name: 'CPU: pageflow (dedup + 4-field map → CSV)',
      ...medians(pageflow),
      note: `${(median(pageflow.map((result) => result.wallMs)) / median(baseline.map((result) => result.wallMs))).toFixed(2)}× the script's time (bar ≤ 1.2; per-run ratios ${ratios.map((value) => value.toFixed(2)).join(', ')}); CSV ${identical ? 'byte-identical' : 'DIFFERS'}`,
    });
  });

  // Latency: 100 pages of 100 records, each answered after 50 ms.
  await withSampleApi({ customers: 10_000, latencyMs: 50, cachePages: true }, async ({ url }) => {
    let sequential: { recordsPerSecond: number; digest: string } | undefined;
    for (const concurrency of [1, 4, 8]) {
      const bench: PageflowCase = { kind: 'pageflow', url, perPage: 100, concurrency, output: output(`latency-${concurrency}.csv`) };
      const results: BenchResult[] = [];
      for (let run = 1; run <= Math.min(runs, 3); run += 1) {
        progress(`latency case, concurrency ${concurrency}: run ${run}`);
        results.push(await runCase(bench));
      }
      const row = medians(results);
      const hash = await digest(bench.output);
      sequential ??= { recordsPerSecond: recordsPerSecond(row), digest: hash };
      add({
        name: `Latency 50 ms: pageflow, concurrency ${concurrency}`,
        ...row,
        note: `${(recordsPerSecond(row) / sequential.recordsPerSecond).toFixed(2)}× concurrency 1's records/s; output ${hash === sequential.digest ? 'byte-identical' : 'DIFFERS'}`,
      });
    }
  });

  // Memory: a million records with the exact dedup, the hashed dedup, and a sink slower than the API.
  await withSampleApi({ customers: 1_000_000 }, async ({ url }) => {
    const bench: PageflowCase = { kind: 'pageflow', url, perPage: 1000, output: output('memory.csv') };
    // Peak RSS moves with the collector's timing from run to run: report the median and the highest.
    const repeat = async (variant: PageflowCase, label: string) => {
      const results: BenchResult[] = [];
      for (let run = 1; run <= memoryRuns; run += 1) {
        progress(`memory case, ${label}: run ${run} of ${memoryRuns}`);
        results.push(await runCase(variant));
      }
      return { ...medians(results), note: `median of ${memoryRuns}; highest peak ${Math.round(Math.max(...results.map((result) => result.peakRssMiB)))} MiB` };
    };
    const exact = await repeat(bench, 'exact dedup');
    add({ name: 'Memory: 1,000,000 records, dedup + map → CSV', ...exact, note: `${exact.note}; median ${Math.round((exact.peakRssMiB * 2 ** 20) / 1e6)} MB (bar: < 250 MB)` });
    add({ name: 'Memory: same with `dedup: { key: id, hash: true }`', ...(await repeat({ ...bench, hashDedup: true }, 'hashed dedup')) });
    progress(`memory case: 1,000,000 records into a store taking ${SLOW_SINK_MS} ms per chunk`);
    const slow = await runCase({ ...bench, slowSinkMs: SLOW_SINK_MS });
    add({
      name: `Memory: 1,000,000 records into a slow store (${SLOW_SINK_MS} ms per chunk)`,
      ...medians([slow]),
      note: `the source never read more than ${slow.maxRecordsAhead} records ahead of the store`,
    });
  });
  await rm(outDir, { recursive: true, force: true });

  progress('dedup memory per key');
  const perKey: string[] = [];
  for (const shape of ['sample-id', 'uuid'] as const) {
    for (const hash of [false, true]) {
      const { bytesPerKey } = await runCase({ kind: 'dedup-memory', keys: 1_000_000, shape, hash }, ['--expose-gc']);
      perKey.push(`| ${shape === 'uuid' ? 'UUID (36 characters)' : 'sample id (17 characters)'} | ${hash ? '`hash: true`' : 'default (exact)'} | ${bytesPerKey?.toFixed(1)} |`);
    }
  }

  const [cpu] = cpus();
  process.stdout.write(
    [
      '',
      `Machine: ${cpus().length} × ${cpu?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`,
      '',
      '| Case | Records | Wall time | Records/s | Peak RSS | Notes |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...rows.map(
        (row) =>
          `| ${row.name} | ${formatNumber(row.records)} | ${formatNumber(row.wallMs / 1000, 2)} s | ${formatNumber(recordsPerSecond(row))} | ${formatNumber(row.peakRssMiB)} MiB | ${row.note} |`,
      ),
      '',
      'Dedup memory, 1,000,000 distinct keys (heap + typed arrays after a full GC):',
      '',
      '| Key | Dedup | Bytes per key |',
      '| --- | --- | ---: |',
      ...perKey,
      '',
    ].join('\n'),
  );
}

async function withSampleApi(options: SampleApiOptions, use: (api: SampleApi) => Promise<void>): Promise<void> {
  const api = await startSampleApi(options);
  try {
    await use(api);
  } finally {
    await api.close();
  }
}

/** Runs one case in a child process and resolves with what it reports. */
function runCase(bench: BenchCase, execArgv: string[] = []): Promise<BenchResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(join(__dirname, 'run-case.js'), [JSON.stringify(bench)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: BenchResult | undefined;
    child.on('message', (message) => (result = message as BenchResult));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolvePromise(result) : reject(new Error(`bench case ${bench.kind} failed (exit code ${code})`))));
  });
}

/** Median wall time and median peak RSS over the runs of one case. */
function medians(results: readonly BenchResult[]): Pick<Row, 'records' | 'wallMs' | 'peakRssMiB'> {
  return {
    records: results[0].records,
    wallMs: median(results.map((result) => result.wallMs)),
    peakRssMiB: median(results.map((result) => result.peakRssMiB)),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function recordsPerSecond(row: Pick<Row, 'records' | 'wallMs'>): number {
  return row.records / (row.wallMs / 1000);
}

function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function digest(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
