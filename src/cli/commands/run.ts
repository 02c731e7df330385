import { dirname } from 'node:path';
import { redactingLogger } from '../../errors/redact';
import { type BuiltPipeline, buildPipeline } from '../../pipeline/build-pipeline';
import { loadPipeline } from '../../pipeline/load-pipeline';
import { RunMetrics } from '../../pipeline/run-metrics';
import { runPipeline } from '../../pipeline/run-pipeline';
import { createStdoutSink } from '../../sinks/stdout-sink';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { applyOverrides, parseOverrides } from '../set-overrides';
import { formatSummary } from '../summary';
import { outcomeOf, summarizeRun, writeSummaryJson } from '../summary-json';

export interface RunArguments {
  readonly file: string;
  /** Fetch and transform, but write nothing: the first records go to stdout instead of the sinks. */
  readonly dryRun?: boolean;
  /** Stop after this many records; the sinks still finish complete files. */
  readonly limit?: number;
  /** `path=value` overrides of the file's settings, e.g. `source.params.per_page=50`. */
  readonly set?: readonly string[];
  /** Write the run's figures to this file as JSON. */
  readonly summaryJson?: string;
  /** Show the live progress line (only ever drawn on a terminal). */
  readonly progress?: boolean;
}

/** How many records a dry run prints when no `--limit` is given. */
export const DRY_RUN_RECORDS = 10;

/**
 * Loads, builds and runs one pipeline file; returns the exit code. Leaves one summary line on
 * stderr for every run that started, then the error if it failed. SIGINT/SIGTERM roll the outputs back.
 */
export async function runFile(args: RunArguments, io: CliIo): Promise<number> {
  let pipeline: BuiltPipeline | undefined;
  let error: unknown; // undefined: the run succeeded
  try {
    pipeline = await prepare(args, io);
    await execute(pipeline, args, io);
  } catch (caught) {
    error = caught;
  }

  const redactor = pipeline?.redactor;
  if (pipeline) {
    const outcome = outcomeOf(error);
    io.report.log('info', pipeline.redactor.redact(formatSummary(pipeline.name, pipeline.metrics, args.dryRun ? `dry run ${outcome}` : outcome)));
  }
  let exitCode = error === undefined ? 0 : reportError(error, io, redactor);
  if (args.summaryJson) {
    const metrics = pipeline?.metrics ?? new RunMetrics();
    const summary = summarizeRun({ pipeline: pipeline?.name ?? args.file, file: args.file, dryRun: args.dryRun ?? false, metrics, exitCode, error, redactor });
    try {
      await writeSummaryJson(args.summaryJson, summary);
    } catch (writeError) {
      io.report.log('error', `cannot write the summary to ${args.summaryJson}: ${(writeError as Error).message}`);
      exitCode ||= 1;
    }
  }
  return exitCode;
}

async function prepare({ file, set = [] }: RunArguments, io: CliIo): Promise<BuiltPipeline> {
  const overrides = parseOverrides(set);
  const definition = await loadPipeline(file, { env: io.env, edit: (document) => applyOverrides(document, overrides) });
  const pipeline = buildPipeline(definition, { logger: io.logger, pipelineDir: dirname(file) });
  io.logger.log('debug', `loaded ${file}: pipeline ${definition.name}, ${definition.transforms.length} transforms, ${pipeline.sinks.length} sinks`);
  return pipeline;
}

async function execute(pipeline: BuiltPipeline, { dryRun, limit, progress }: RunArguments, io: CliIo): Promise<void> {
  // Records are data, so a dry run prints them to stdout like the stdout sink: `--dry-run | jq` works,
  // and stderr keeps only what is meant for people (logs, progress, the summary).
  const sinks = dryRun ? [createStdoutSink({}, io.stdout)] : pipeline.sinks;
  const recordLimit = limit ?? (dryRun ? DRY_RUN_RECORDS : undefined);
  if (dryRun) io.logger.log('info', `dry run: nothing is written; the first ${recordLimit} records go to stdout as NDJSON`);

  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => controller.abort(signal);
  // `once`: a second Ctrl-C while the outputs are rolled back kills the process the usual way.
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  const hideProgress = progress ? io.stderr.showProgress(pipeline.metrics) : () => {};
  try {
    await runPipeline({ ...pipeline, sinks, limit: recordLimit, signal: controller.signal, logger: redactingLogger(io.logger, pipeline.redactor) });
  } finally {
    hideProgress();
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
  }
}
