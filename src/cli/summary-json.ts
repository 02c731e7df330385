import { access, constants, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../errors/config-error';
import { describeSystemError } from '../errors/describe-system-error';
import { InterruptedError } from '../errors/interrupted-error';
import { isPageflowError } from '../errors/pageflow-error';
import { Redactor } from '../errors/redact';
import { type IncrementalMetrics, type ResumedMetrics, RunMetrics, type SinkMetrics, type StageMetrics } from '../pipeline/run-metrics';

export type RunOutcome = 'done' | 'failed' | 'interrupted' | 'invalid';

/** What `--summary-json` writes: the figures of one run, for monitoring. */
export interface RunSummary {
  /** The pipeline's `name`, or the file when it could not be loaded. */
  readonly pipeline: string;
  readonly file: string;
  readonly outcome: RunOutcome;
  readonly exitCode: number;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly pages: number;
  readonly recordsRead: number;
  readonly duplicates: number;
  readonly retries: number;
  /** Answers 429 (Too Many Requests). */
  readonly throttled: number;
  /** Records the transforms rejected to the `rejects:` sink. */
  readonly rejects: number;
  /** Pages whose body was not valid UTF-8 (the invalid bytes became U+FFFD). */
  readonly invalidUtf8Pages: number;
  /** Child fetches of `request` steps (one per parent record) and the pages they read. */
  readonly childRequests: number;
  readonly childPages: number;
  /** Records into and out of each transform, in order. */
  readonly stages: readonly StageMetrics[];
  /** Records and bytes written by each sink, with every output (`outputs`: name, records, bytes). */
  readonly sinks: readonly SinkMetrics[];
  /** Incremental runs: the cursor the run started `from` and, when it moved, `to`; records `skipped` as exported before. */
  readonly incremental?: IncrementalMetrics;
  /** Resumed runs: the run resumed and the first page this run requested (the pages before it came from the checkpoint). */
  readonly resumed?: ResumedMetrics;
  /** Set when the run did not finish: the one-line message (secrets redacted) and its code. */
  readonly error?: { readonly message: string; readonly code?: string };
  /** A file with several streams: each stream's own figures (the ones above are their sums). */
  readonly streams?: readonly StreamSummary[];
}

/** One stream's figures in the summary of a file with several. */
export type StreamSummary = { readonly stream: string } & Omit<RunSummary, 'pipeline' | 'file' | 'dryRun' | 'streams'>;

export interface SummaryInput {
  readonly pipeline: string;
  readonly file: string;
  readonly dryRun: boolean;
  readonly metrics: RunMetrics;
  readonly exitCode: number;
  readonly error?: unknown;
  readonly redactor?: Redactor;
}

/** How a run ended, from the error it ended with (none: done). */
export function outcomeOf(error: unknown): RunOutcome {
  if (error === undefined) return 'done';
  if (error instanceof InterruptedError) return 'interrupted';
  if (error instanceof ConfigError) return 'invalid';
  return 'failed';
}

export function summarizeRun({ pipeline, file, dryRun, metrics, exitCode, error, redactor = new Redactor() }: SummaryInput): RunSummary {
  return {
    pipeline,
    file,
    outcome: outcomeOf(error),
    exitCode,
    dryRun,
    startedAt: new Date(metrics.startedAt).toISOString(),
    durationMs: metrics.elapsedMs(),
    pages: metrics.pages,
    recordsRead: metrics.recordsRead,
    duplicates: metrics.duplicates,
    retries: metrics.retries,
    throttled: metrics.throttled,
    rejects: metrics.rejects,
    invalidUtf8Pages: metrics.invalidUtf8Pages,
    childRequests: metrics.childRequests,
    childPages: metrics.childPages,
    stages: metrics.stages.map((stage) => ({ ...stage })),
    sinks: metrics.sinks.map((sink) => ({
      ...sink,
      name: redactor.redact(sink.name),
      ...(sink.outputs ? { outputs: sink.outputs.map((output) => ({ ...output, name: redactor.redact(output.name) })) } : {}),
    })),
    ...(metrics.incremental ? { incremental: { ...metrics.incremental } } : {}),
    ...(metrics.resumed ? { resumed: { ...metrics.resumed } } : {}),
    ...(error === undefined
      ? {}
      : {
          error: {
            message: redactor.redact(error instanceof Error ? error.message : String(error)),
            code: isPageflowError(error) ? error.code : undefined,
          },
        }),
  };
}

/** The streams' figures added up into one `RunMetrics`, started when the first stream started. */
export function sumMetrics(all: readonly RunMetrics[], startedAt: number): RunMetrics {
  const total = Object.assign(new RunMetrics(), { startedAt });
  for (const metrics of all) {
    for (const key of ['pages', 'recordsRead', 'duplicates', 'retries', 'throttled', 'rejects', 'invalidUtf8Pages', 'childRequests', 'childPages'] as const) total[key] += metrics[key];
    total.stages.push(...metrics.stages);
    total.sinks.push(...metrics.sinks);
  }
  return total;
}

/** The summary of a file with several streams: their sums, then each stream's figures. */
export function summarizeStreams(input: Omit<SummaryInput, 'metrics' | 'error'> & { readonly startedAt: number; readonly streams: readonly { name: string; metrics: RunMetrics; error?: unknown }[] }): RunSummary {
  const { streams, startedAt, ...run } = input;
  const error = streams.find((stream) => stream.error !== undefined)?.error;
  const total = summarizeRun({ ...run, metrics: sumMetrics(streams.map((stream) => stream.metrics), startedAt), error });
  return {
    ...total,
    streams: streams.map((stream) => {
      const { pipeline: _pipeline, file: _file, dryRun: _dryRun, ...own } = summarizeRun({ ...run, metrics: stream.metrics, error: stream.error, exitCode: stream.error === undefined ? 0 : 1 });
      return { stream: stream.name, ...own };
    }),
  };
}

export async function writeSummaryJson(path: string, summary: RunSummary): Promise<void> {
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
}

/**
 * Makes sure the summary can be written to `path` before anything runs, so that an export never
 * ends without its figures: creates the directory, refuses a directory or a file that cannot be
 * written. Throws a `ConfigError` (exit 2): it is the command line that is wrong.
 */
export async function checkSummaryPath(path: string): Promise<void> {
  const fail = (reason: string) => {
    throw new ConfigError(path, [{ path: '', origin: '--summary-json', message: `cannot write the summary there: ${reason}` }]);
  };
  try {
    await mkdir(dirname(path), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      // mkdir says EEXIST when a part of the path is a file.
      if (error.code === 'EEXIST') fail(`${dirname(path)} is not a directory`);
      throw error;
    });
    const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (existing?.isDirectory()) fail('it is a directory');
    await access(existing ? path : dirname(path), constants.W_OK);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    fail(describeSystemError(error));
  }
}
