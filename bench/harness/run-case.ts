import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type SampleApi, startSampleApi } from '../../src/demo/sample-api';
import type { BenchCase, CaseContext, InProcessJob, Mode, PageflowJob, Scale } from './bench-case';
import { type Checkout, writeAcceptedVariant } from './checkout';
import { timeInProcess, timeProcess } from './processes';
import { type Summary, summarize, type TimedSample } from './summary';

const RUN_PIPELINE_TASK = join(__dirname, '..', 'tasks', 'run-pipeline-file.js');

/** Something timed in a case: the reference, or pageflow of one checkout. */
export interface Subject {
  /** For file names: `reference`, `pageflow`, `compare` … */
  readonly id: string;
  readonly role: 'reference' | 'floor' | 'pageflow';
  readonly label: string;
  readonly checkout?: Checkout;
  /** The pipeline variant this checkout runs, when the case has several. */
  readonly variant?: string;
  readonly output?: string;
  /** The output is the process's stdout, redirected to `output`. */
  readonly stdout?: boolean;
  /** Arguments to `node`; absent: no whole-process run. */
  readonly argv?: readonly string[];
  /** Absent: no in-process run. */
  readonly inProcess?: InProcessJob;
}

export interface SubjectResult {
  readonly subject: Subject;
  readonly summary: Summary;
  /** pageflow ÷ reference of the runs made side by side (same round). */
  readonly pairRatios?: readonly number[];
  /** Whether every run's output had the reference's bytes; undefined when there is nothing to compare. */
  readonly identical?: boolean;
}

export interface CaseResult {
  readonly bench: BenchCase;
  readonly context: CaseContext;
  readonly modes: readonly { readonly mode: Mode; readonly results: readonly SubjectResult[] }[];
  /** `--compare` checkouts that could not run the case (their `validate` refused every variant), and why. */
  readonly skipped: readonly string[];
}

export interface CaseRunOptions {
  readonly scale: Scale;
  readonly runs: number;
  /** This worktree first, then the `--compare` checkouts. */
  readonly checkouts: readonly Checkout[];
  readonly outDir: string;
  readonly progress: (message: string) => void;
}

/**
 * Runs one case: its sample API, then for each mode a warm-up run of every subject (fills the API's
 * page cache and the OS file cache; skipped with `--quick`) and `runs` timed rounds, alternating the
 * order of the subjects from round to round so that they share the machine's noise.
 */
export async function runCase(bench: BenchCase, options: CaseRunOptions): Promise<CaseResult> {
  const { scale, progress } = options;
  const dir = join(options.outDir, bench.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const api = bench.api ? await startSampleApi(bench.api(scale)) : undefined;
  try {
    const context: CaseContext = { ...scale, url: api?.url ?? '' };
    const skipped: string[] = [];
    const subjects = await subjectsOf(bench, context, options.checkouts, dir, skipped);
    const runs = Math.min(options.runs, bench.maxRuns ?? options.runs);
    const modes: CaseResult['modes'][number][] = [];
    for (const mode of bench.task ? (['in-process'] as const) : (bench.modes ?? ['whole-process', 'in-process'])) {
      const inMode = subjects.filter((subject) => (mode === 'whole-process' ? subject.argv : subject.inProcess));
      const runOnce = (subject: Subject) => measure(subject, mode, dir, api);
      // A task measures memory, not time against a reference: no warm-up.
      if (!scale.quick && !bench.task) {
        progress(`${bench.name}, ${mode}: warm-up`);
        for (const subject of inMode) await runOnce(subject);
      }
      const samples = new Map<Subject, TimedSample[]>(inMode.map((subject) => [subject, []]));
      const digests = new Map<Subject, Set<string>>(inMode.map((subject) => [subject, new Set()]));
      for (let run = 1; run <= runs; run += 1) {
        const order = run % 2 ? inMode : [...inMode].reverse();
        const line: string[] = [];
        for (const subject of order) {
          const sample = await runOnce(subject);
          samples.get(subject)?.push(sample);
          if (subject.output) digests.get(subject)?.add(await digest(subject.output));
          line.push(`${subject.label} ${(sample.wallMs / 1000).toFixed(2)} s`);
        }
        progress(`${bench.name}, ${mode}: run ${run} of ${runs}: ${line.join(', ')}`);
      }
      modes.push({ mode, results: compareSubjects(inMode, samples, digests) });
    }
    return { bench, context, modes, skipped };
  } finally {
    await api?.close();
  }
}

async function subjectsOf(bench: BenchCase, context: CaseContext, checkouts: readonly Checkout[], dir: string, skipped: string[]): Promise<Subject[]> {
  const outputOf = (id: string) => (bench.output ? join(dir, `${id}.${bench.output}`) : undefined);
  const stdout = bench.stdout ?? false;
  const subjects: Subject[] = [];
  for (const role of ['reference', 'floor'] as const) {
    const job = bench[role]?.(context);
    if (!job) continue;
    const output = job.writesOutput === false ? undefined : outputOf(role);
    subjects.push({ id: role, role, label: job.label, output, stdout, argv: job.argv(output ?? ''), inProcess: job.inProcess?.(output ?? '') });
  }
  if (bench.task) subjects.push({ id: 'pageflow', role: 'pageflow', label: checkouts[0].label, checkout: checkouts[0], inProcess: bench.task(context) });
  const job = bench.pageflow?.(context);
  for (const checkout of checkouts) {
    if (!job) break;
    const subject = await pageflowSubject(bench, job, checkout, checkout === checkouts[0], dir, outputOf(checkout.id));
    if ('refused' in subject) skipped.push(`${checkout.label} cannot run ${bench.name}: ${subject.refused}`);
    else subjects.push({ ...subject, stdout });
  }
  return subjects;
}

/** pageflow of one checkout, running the first pipeline variant the checkout accepts. */
async function pageflowSubject(
  bench: BenchCase,
  job: PageflowJob,
  checkout: Checkout,
  main: boolean,
  dir: string,
  output: string | undefined,
): Promise<Subject | { refused: string }> {
  const file = join(dir, `${checkout.id}.yaml`);
  // A case without an output (validate) still gets a path to put in its pipeline's sink.
  const accepted = await writeAcceptedVariant(checkout, job.variants, output ?? join(dir, `${checkout.id}.out`), file, !main || job.variants.length > 1);
  if ('refused' in accepted) {
    if (main) throw new Error(`${checkout.label} accepts none of the pipeline variants of ${bench.name}: ${accepted.refused}`);
    return accepted;
  }
  const command = job.command ?? 'run';
  return {
    id: checkout.id,
    role: 'pageflow',
    label: checkout.label,
    checkout,
    variant: job.variants.length > 1 ? accepted.label : undefined,
    output,
    argv: [checkout.cli, command, file],
    inProcess: command === 'run' ? { module: RUN_PIPELINE_TASK, args: { index: checkout.index, file } } : undefined,
  };
}

async function measure(subject: Subject, mode: Mode, cwd: string, api: SampleApi | undefined): Promise<TimedSample> {
  if (subject.output) await rm(subject.output, { recursive: true, force: true });
  const options = { cwd, stdout: subject.stdout ? subject.output : undefined };
  const before = api?.requests();
  const sample =
    mode === 'whole-process' && subject.argv
      ? await timeProcess(subject.argv, options)
      : subject.inProcess
        ? await timeInProcess(subject.inProcess, options)
        : undefined;
  if (!sample) throw new Error(`${subject.label} has no ${mode} run`);
  return { ...sample, requests: api && before !== undefined ? api.requests() - before : undefined };
}

function compareSubjects(subjects: readonly Subject[], samples: Map<Subject, TimedSample[]>, digests: Map<Subject, Set<string>>): SubjectResult[] {
  const reference = subjects.find((subject) => subject.role === 'reference');
  const referenceSamples = reference ? (samples.get(reference) ?? []) : [];
  // The bytes every output must have: the reference's, else the first pageflow's.
  const standard = [reference, ...subjects].find((subject) => subject?.output && digests.get(subject)?.size);
  const standardDigest = standard ? digests.get(standard)?.values().next().value : undefined;
  return subjects.map((subject) => {
    const own = samples.get(subject) ?? [];
    const seen = digests.get(subject) ?? new Set<string>();
    return {
      subject,
      summary: summarize(own),
      pairRatios: subject.role !== 'reference' && referenceSamples.length === own.length && own.length > 0 ? own.map((sample, run) => sample.wallMs / referenceSamples[run].wallMs) : undefined,
      identical: subject.output && standardDigest ? seen.size === 1 && seen.has(standardDigest) : undefined,
    };
  });
}

/** SHA-256 of a file, or of every file under a directory (relative names and contents, in name order). */
async function digest(path: string): Promise<string> {
  const hash = createHash('sha256');
  const files = (await stat(path)).isDirectory() ? await filesUnder(path) : [path];
  for (const file of files) {
    if (file !== path) hash.update(`${relative(path, file)}\0`);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
