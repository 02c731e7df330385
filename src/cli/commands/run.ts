import { dirname } from 'node:path';
import { InterruptedError } from '../../errors/interrupted-error';
import { Redactor, redactingLogger } from '../../errors/redact';
import { type BuiltPipeline, buildPipeline } from '../../pipeline/build-pipeline';
import { ConfigError } from '../../errors/config-error';
import { loadPipelineFile } from '../../pipeline/load-pipeline';
import { RunMetrics } from '../../pipeline/run-metrics';
import { runPipeline, type RunOptions } from '../../pipeline/run-pipeline';
import { runStreams, type StreamOutcome, StreamStoppedError } from '../../pipeline/run-streams';
import type { PipelineDefinition, PipelineFile } from '../../pipeline/schema';
import { LocalRateBudgets } from '../../sources/local-rate-budgets';
import { createStdoutSink } from '../../sinks/stdout-sink';
import { incrementalConfig } from '../../state/incremental';
import { pipelineDigests } from '../../state/checkpoints';
import { type RunIdentity, runWithState } from '../../state/run-with-state';
import { openStateStore } from '../../state/state-config';
import { withSourceParams } from '../../state/source-params';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { parseOverrides } from '../set-overrides';
import { formatSummary } from '../summary';
import { checkSummaryPath, outcomeOf, summarizeRun, summarizeStreams, writeSummaryJson } from '../summary-json';

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
  /** Run only this stream of the file. */
  readonly stream?: string;
  /** Discard an unfinished run's checkpoint instead of resuming it. */
  readonly fresh?: boolean;
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
  // One redaction path for the whole run: it learns the file's secrets when the pipeline is built.
  const redactor = new Redactor();
  try {
    // Before anything runs: an export must not end without the figures it was asked for.
    if (args.summaryJson) await checkSummaryPath(args.summaryJson);
  } catch (caught) {
    return reportError(caught, io);
  }
  // Held until the summary is written: a second Ctrl-C must not cut the rollback or the summary short.
  const interrupts = handleInterrupts(io);
  let file: PipelineFile | undefined;
  try {
    file = await load(args, io);
    if (file.multiStream || args.stream !== undefined) {
      const exitCode = await runStreamsOf(file, args, io, { redactor, interrupts });
      interrupts.dispose();
      return exitCode;
    }
    await execute(file.streams[0], args, { ...io, logger: redactingLogger(io.logger, redactor) }, { interrupts, redactor, onBuilt: (built) => (pipeline = built) });
  } catch (caught) {
    error = caught;
  }

  if (pipeline) {
    const outcome = outcomeOf(error);
    io.report.log('info', redactor.redact(formatSummary(pipeline.name, pipeline.metrics, args.dryRun ? `dry run ${outcome}` : outcome)));
  }
  let exitCode = error === undefined ? 0 : reportError(error, io, redactor);
  if (args.summaryJson) {
    const metrics = pipeline?.metrics ?? new RunMetrics();
    const summary = summarizeRun({ pipeline: pipeline?.name ?? args.file, file: args.file, dryRun: args.dryRun ?? false, metrics, exitCode, error, redactor });
    try {
      await writeSummaryJson(args.summaryJson, summary);
    } catch (writeError) {
      exitCode = Math.max(exitCode, reportError(writeError, io, redactor));
    }
  }
  return exitCode;
}

async function load({ file, set = [] }: RunArguments, io: CliIo): Promise<PipelineFile> {
  const pipeline = await loadPipelineFile(file, { env: io.env, overrides: parseOverrides(set) });
  for (const definition of pipeline.streams) {
    io.logger.log('debug', `loaded ${file}: ${pipeline.multiStream ? 'stream' : 'pipeline'} ${definition.name}, ${definition.transforms.length} transforms, ${definition.sinks.length} sinks`);
  }
  return pipeline;
}

/** The streams `--stream` picks (all of them without it); an unknown name is a command-line error. */
function pickStreams(pipeline: PipelineFile, { file, stream }: RunArguments): readonly PipelineDefinition[] {
  if (stream === undefined) return pipeline.streams;
  const found = pipeline.streams.filter((definition) => definition.name === stream);
  if (found.length > 0) return found;
  const names = pipeline.streams.map((definition) => definition.name).join(', ');
  throw new ConfigError(file, [{ path: '', origin: '--stream', message: `no stream "${stream}" in the file (it has: ${names})` }]);
}

/**
 * Runs the streams of a file (or the one `--stream` names) in this process, sharing one rate-limit
 * budget per credential; one summary line per stream, then the first failure. Streams keep no state:
 * validation refuses `state:` in them.
 */
async function runStreamsOf(pipeline: PipelineFile, args: RunArguments, io: CliIo, { redactor, interrupts }: { redactor: Redactor; interrupts: Interrupts }): Promise<number> {
  const logger = redactingLogger(io.logger, redactor);
  const recordLimit = args.limit ?? (args.dryRun ? DRY_RUN_RECORDS : undefined);
  const startedAt = Date.now();
  let outcomes: StreamOutcome[];
  try {
    const runs = pickStreams(pipeline, args).map((definition) => {
      const built = buildPipeline(definition, { logger, pipelineDir: dirname(args.file), redactor });
      const sinks = args.dryRun ? [createStdoutSink({}, io.stdout)] : built.sinks;
      return { name: definition.name, options: { ...built, sinks, limit: recordLimit, logger } };
    });
    if (args.dryRun) logger.log('info', `dry run: nothing is written; the first ${recordLimit} records of each stream go to stdout as NDJSON`);
    const running = runStreams({
      streams: runs,
      onStreamFailure: pipeline.onStreamFailure,
      parallelStreams: pipeline.parallelStreams,
      budgets: new LocalRateBudgets(pipeline.budget),
      signal: interrupts.signal,
    });
    running.catch(() => {});
    outcomes = await Promise.race([running, interrupts.rollbackDeadline]);
  } catch (caught) {
    return reportError(caught, io, redactor);
  }
  for (const outcome of outcomes) {
    const text = outcome.started ? outcomeOf(outcome.error) : 'not run';
    io.report.log('info', redactor.redact(formatSummary(`${pipeline.name}/${outcome.name}`, outcome.metrics, args.dryRun ? `dry run ${text}` : text)));
  }
  // The failure that stopped the others is the one to report; those it stopped only follow from it.
  const failures = outcomes.filter((outcome) => outcome.error !== undefined);
  const first = failures.find((outcome) => !(outcome.error instanceof StreamStoppedError)) ?? failures[0];
  let exitCode = first ? reportError(first.error, io, redactor) : 0;
  if (failures.length > 1) {
    const names = (list: readonly StreamOutcome[]) => list.map((outcome) => outcome.name).join(', ');
    const stopped = failures.filter((outcome) => outcome.error instanceof StreamStoppedError);
    const failed = failures.filter((outcome) => !stopped.includes(outcome));
    const stoppedPart = stopped.length > 0 ? `; ${stopped.length} stopped and rolled back (${names(stopped)})` : '';
    io.report.log('error', `${failed.length} stream${failed.length === 1 ? '' : 's'} failed (${names(failed)})${stoppedPart}`);
  }
  if (args.summaryJson) {
    const summary = summarizeStreams({ pipeline: pipeline.name, file: args.file, dryRun: args.dryRun ?? false, exitCode, redactor, startedAt, streams: outcomes });
    try {
      await writeSummaryJson(args.summaryJson, summary);
    } catch (writeError) {
      exitCode = Math.max(exitCode, reportError(writeError, io, redactor));
    }
  }
  interrupts.dispose();
  return exitCode;
}

/** Builds and runs the pipeline; with `state:`, under its lock and from its cursor. `onBuilt` gets the pipeline as soon as it exists. */
async function execute(
  definition: PipelineDefinition,
  { file, dryRun, limit, progress, fresh }: RunArguments,
  io: CliIo,
  { interrupts, redactor, onBuilt }: { interrupts: Interrupts; redactor: Redactor; onBuilt: (pipeline: BuiltPipeline) => void },
): Promise<void> {
  const recordLimit = limit ?? (dryRun ? DRY_RUN_RECORDS : undefined);
  if (dryRun) io.logger.log('info', `dry run: nothing is written; the first ${recordLimit} records go to stdout as NDJSON`);

  const { logger } = io;
  let hideProgress = () => {};
  const runOptions = (built: PipelineDefinition, run?: RunIdentity): RunOptions => {
    const pipeline = buildPipeline(built, { logger, pipelineDir: dirname(file), redactor, ...run });
    onBuilt(pipeline);
    hideProgress(); // a --fresh run builds once to discard the checkpoint, then again to run
    hideProgress = progress ? io.stderr.showProgress(pipeline.metrics) : () => {};
    // Records are data, so a dry run prints them to stdout like the stdout sink: `--dry-run | jq` works,
    // and stderr keeps only what is meant for people (logs, progress, the summary).
    const sinks = dryRun ? [createStdoutSink({}, io.stdout)] : pipeline.sinks;
    return { ...pipeline, sinks, limit: recordLimit, signal: interrupts.signal, logger };
  };
  const run = async () => {
    if (!definition.state) {
      await runPipeline(runOptions(definition));
      return;
    }
    const store = openStateStore(definition.state, logger);
    const { checkpoint } = definition;
    try {
      await runWithState({
        store,
        pipeline: definition.name,
        incremental: incrementalConfig.optional().parse(definition.source.incremental),
        readOnly: dryRun,
        leaseMs: definition.state.lease,
        logger,
        // A checkpoint is for whole runs; a dry or limited run neither takes nor resumes one.
        checkpoint: checkpoint && !dryRun && limit === undefined ? { every: checkpoint.every, definition: pipelineDigests(definition) } : undefined,
        fresh,
        build: (params, run) => runOptions(withSourceParams(definition, params), run),
      });
    } finally {
      await store.close?.();
    }
  };
  try {
    const running = run();
    running.catch(() => {}); // when the deadline wins, the run's own end comes later, unawaited
    await Promise.race([running, interrupts.rollbackDeadline]);
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
