import { dirname } from 'node:path';
import { InterruptedError } from '../../errors/interrupted-error';
import { redactingLogger } from '../../logger';
import { type BuiltPipeline, buildPipeline } from '../../pipeline/build-pipeline';
import { loadPipeline } from '../../pipeline/load-pipeline';
import { RunMetrics } from '../../pipeline/run-metrics';
import { runPipeline } from '../../pipeline/run-pipeline';
import { createStdoutSink } from '../../sinks/stdout-sink';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { parseOverrides } from '../set-overrides';
import { formatSummary } from '../summary';
import { checkSummaryPath, outcomeOf, summarizeRun, writeSummaryJson } from '../summary-json';

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

/** How long an interrupted run may take to roll its outputs back before pageflow stops waiting. */
export const ROLLBACK_LIMIT_MS = 5_000;

/**
 * Loads, builds and runs one pipeline file; returns the exit code. Leaves one summary line on
 * stderr for every run that started, then the error if it failed. SIGINT/SIGTERM roll the outputs back.
 */
export async function runFile(args: RunArguments, io: CliIo): Promise<number> {
  let pipeline: BuiltPipeline | undefined;
  let error: unknown; // undefined: the run succeeded
  try {
    // Before anything runs: an export must not end without the figures it was asked for.
    if (args.summaryJson) await checkSummaryPath(args.summaryJson);
  } catch (caught) {
    return reportError(caught, io);
  }
  // Held until the summary is written: a second Ctrl-C must not cut the rollback or the summary short.
  const interrupts = handleInterrupts(io);
  try {
    pipeline = await prepare(args, io);
    await execute(pipeline, args, io, interrupts);
  } catch (caught) {
    error = caught;
  }

  const secrets = pipeline?.secrets ?? [];
  if (pipeline) {
    const outcome = outcomeOf(error);
    io.report.log('info', formatSummary(pipeline.name, pipeline.metrics, args.dryRun ? `dry run ${outcome}` : outcome));
  }
  let exitCode = error === undefined ? 0 : reportError(error, io, secrets);
  if (args.summaryJson) {
    const metrics = pipeline?.metrics ?? new RunMetrics();
    const summary = summarizeRun({ pipeline: pipeline?.name ?? args.file, file: args.file, dryRun: args.dryRun ?? false, metrics, exitCode, error, secrets });
    try {
      await writeSummaryJson(args.summaryJson, summary);
    } catch (writeError) {
      exitCode = Math.max(exitCode, reportError(writeError, io, secrets));
    }
  }
  interrupts.dispose();
  return exitCode;
}

async function prepare({ file, set = [] }: RunArguments, io: CliIo): Promise<BuiltPipeline> {
  const definition = await loadPipeline(file, { env: io.env, overrides: parseOverrides(set) });
  // Every line the components log is redacted with the pipeline's secrets, those of the file included.
  const secrets: string[] = [];
  const pipeline = buildPipeline(definition, { logger: redactingLogger(io.logger, secrets), pipelineDir: dirname(file) });
  secrets.push(...pipeline.secrets);
  io.logger.log('debug', `loaded ${file}: pipeline ${definition.name}, ${definition.transforms.length} transforms, ${pipeline.sinks.length} sinks`);
  return pipeline;
}

async function execute(pipeline: BuiltPipeline, { dryRun, limit, progress }: RunArguments, io: CliIo, interrupts: Interrupts): Promise<void> {
  // Records are data, so a dry run prints them to stdout like the stdout sink: `--dry-run | jq` works,
  // and stderr keeps only what is meant for people (logs, progress, the summary).
  const sinks = dryRun ? [createStdoutSink({}, io.stdout)] : pipeline.sinks;
  const recordLimit = limit ?? (dryRun ? DRY_RUN_RECORDS : undefined);
  if (dryRun) io.logger.log('info', `dry run: nothing is written; the first ${recordLimit} records go to stdout as NDJSON`);

  const hideProgress = progress ? io.stderr.showProgress(pipeline.metrics) : () => {};
  try {
    const run = runPipeline({ ...pipeline, sinks, limit: recordLimit, signal: interrupts.signal, logger: redactingLogger(io.logger, pipeline.secrets) });
    run.catch(() => {}); // when the deadline wins, the run's own end comes later, unawaited
    await Promise.race([run, interrupts.rollbackDeadline]);
  } finally {
    hideProgress();
  }
}

export interface Interrupts {
  /** Aborted by the first SIGINT/SIGTERM, with the signal's name as reason. */
  readonly signal: AbortSignal;
  /** Rejects `ROLLBACK_LIMIT_MS` after the first signal. */
  readonly rollbackDeadline: Promise<never>;
  dispose(): void;
}

/**
 * The first SIGINT/SIGTERM stops the run and rolls the outputs back; a second one (an impatient
 * Ctrl-C) does not cut that short, and the summary is still written; a third quits at once. The
 * rollback gets `ROLLBACK_LIMIT_MS`: a store that does not answer never keeps the process alive.
 */
export function handleInterrupts(io: Pick<CliIo, 'logger'>, rollbackLimitMs = ROLLBACK_LIMIT_MS): Interrupts {
  const controller = new AbortController();
  let signals = 0;
  let timer: NodeJS.Timeout | undefined;
  let giveUp: (error: unknown) => void = () => {};
  const rollbackDeadline = new Promise<never>((_resolve, reject) => {
    giveUp = reject;
  });
  rollbackDeadline.catch(() => {}); // a signal may come while no run is under way
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      controller.abort(signal);
      const outcome = `stopped fetching; the outputs were not all rolled back within ${rollbackLimitMs / 1000}s, temporary files may be left`;
      timer = setTimeout(() => giveUp(new InterruptedError(signal, outcome)), rollbackLimitMs);
    } else if (signals === 2) {
      io.logger.log('warn', `${signal} again: still rolling the outputs back; a third one quits at once and may leave temporary files behind`);
    } else {
      process.exit(new InterruptedError(signal).exitCode);
    }
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    rollbackDeadline,
    dispose() {
      clearTimeout(timer);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    },
  };
}
