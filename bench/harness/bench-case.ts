import type { SampleApiOptions } from '../../src/demo/sample-api';
import type { Summary } from './summary';

/** How big the run is: full size, or `--quick` (every count divided by 20, for checking the harness). */
export interface Scale {
  readonly quick: boolean;
  /** `full` in a real run, about a twentieth of it (at least 1) with `--quick`. */
  size(full: number): number;
}

export interface CaseContext extends Scale {
  /** Base URL of the case's sample API (empty when the case has none). */
  readonly url: string;
}

/** Modes of measurement: a whole process timed by the parent, or the job inside a child after its start-up. */
export type Mode = 'whole-process' | 'in-process';

/**
 * Work done inside a child process: `module` (an absolute path) exports `task`, a {@link Task}. The
 * child calls it before timing (to load what it needs), then times the function it returns.
 */
export interface InProcessJob {
  readonly module: string;
  readonly args: unknown;
  /** Node options of the child, e.g. `--expose-gc`. */
  readonly execArgv?: readonly string[];
}

export type Task<Args> = (args: Args) => Promise<() => Promise<TaskOutcome>>;

export interface TaskOutcome {
  readonly records?: number;
  /** Figures a case's `note` reports, e.g. `bytesPerKey`. */
  readonly figures?: Readonly<Record<string, number>>;
}

/** A pipeline a checkout may or may not accept; each checkout runs the first variant its `validate` accepts. */
export interface PipelineVariant {
  /** Shown in the notes, e.g. `page-number pagination`. */
  readonly label: string;
  /** The pipeline definition (written to a YAML file); `output` is where its sink writes. */
  readonly definition: (output: string) => object;
}

/** The pageflow side of a case: `pageflow run` (or `validate`) of a pipeline file. */
export interface PageflowJob {
  /** Preferred first. A variant is chosen per checkout, so a newer config can be measured against an older build. */
  readonly variants: readonly PipelineVariant[];
  /** @default 'run' */
  readonly command?: 'run' | 'validate';
}

/** What pageflow is measured against. */
export interface ReferenceJob {
  /** Shown in the table, e.g. `speed of light`, `node -e 0`. */
  readonly label: string;
  /** Arguments to `node` for the whole-process run; `output` is where it writes. */
  readonly argv: (output: string) => readonly string[];
  /** The same work inside a child; absent: the case's in-process mode has no reference. */
  readonly inProcess?: (output: string) => InProcessJob;
  /** False for a reference that writes nothing to compare (`node -e 0`). @default true */
  readonly writesOutput?: boolean;
}

/**
 * One measured case. Cases live in `bench/cases/<group>.ts`; a group is listed once in
 * `bench/cases/index.ts`. See bench/README.md for how to add one.
 */
export interface BenchCase {
  /** For `--only` and `relativeTo`: lowercase, words joined by `-`, e.g. `csv-1m`. */
  readonly name: string;
  /** The table's label, e.g. `1,000,000 records, dedup + map → CSV`. */
  readonly title: (scale: Scale) => string;
  /** The sample API the case runs against; one server per case, closed after it. */
  readonly api?: (scale: Scale) => SampleApiOptions;
  /** The output's extension (`csv`, `ndjson`, `csv.gz`); outputs of every subject must be byte-identical. */
  readonly output?: string;
  /** The output is what the process writes to stdout (redirected to a file), not a file it opens. */
  readonly stdout?: boolean;
  /** The pageflow side, run for this checkout and every `--compare` checkout. */
  readonly pageflow?: (context: CaseContext) => PageflowJob;
  /** What pageflow is measured against, alternating with it. */
  readonly reference?: (context: CaseContext) => ReferenceJob;
  /**
   * The reference's job done with pageflow's dependencies (`bench/dependency-floor.ts`), alternating
   * with the others: the best pageflow can do while it keeps them. Quoted against the reference, and
   * pageflow against it.
   */
  readonly floor?: (context: CaseContext) => ReferenceJob;
  /** A case whose pageflow time this one is quoted against (same mode, same checkout), e.g. Parquet against `csv-1m`. */
  readonly relativeTo?: string;
  /** The least possible time in ms (e.g. latency × request rounds), quoted beside the reference. */
  readonly ideal?: (context: CaseContext) => { readonly ms: number; readonly formula: string };
  /** A job with no pageflow/reference pair (a measurement of pageflow's internals): in-process only, no warm-up. */
  readonly task?: (context: CaseContext) => InProcessJob;
  /** @default ['whole-process', 'in-process'] */
  readonly modes?: readonly Mode[];
  /** Most timed runs for this case (slow cases); `--runs` applies below it. */
  readonly maxRuns?: number;
  /** Extra text for a pageflow row, e.g. the per-page overhead. */
  readonly note?: (result: NoteInput) => string;
}

export interface NoteInput {
  readonly context: CaseContext;
  readonly mode: Mode;
  /** The runs of the pageflow row the note is for (this checkout or a `--compare` one). */
  readonly pageflow: Summary;
  readonly reference?: Summary;
}
