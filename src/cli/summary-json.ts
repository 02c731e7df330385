import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../errors/config-error';
import { InterruptedError } from '../errors/interrupted-error';
import { isPageflowError } from '../errors/pageflow-error';
import { Redactor } from '../errors/redact';
import type { RunMetrics, SinkMetrics, StageMetrics } from '../pipeline/run-metrics';

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
  /** Pages whose body was not valid UTF-8 (the invalid bytes became U+FFFD). */
  readonly invalidUtf8Pages: number;
  /** Records into and out of each transform, in order. */
  readonly stages: readonly StageMetrics[];
  /** Records and bytes written by each sink. */
  readonly sinks: readonly SinkMetrics[];
  /** Set when the run did not finish: the one-line message (secrets redacted) and its code. */
  readonly error?: { readonly message: string; readonly code?: string };
}

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
    invalidUtf8Pages: metrics.invalidUtf8Pages,
    stages: metrics.stages.map((stage) => ({ ...stage })),
    sinks: metrics.sinks.map((sink) => ({ ...sink, name: redactor.redact(sink.name) })),
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

export async function writeSummaryJson(path: string, summary: RunSummary): Promise<void> {
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
}
