import { dirname } from 'node:path';
import { type BuiltPipeline, buildPipeline } from '../../pipeline/build-pipeline';
import { loadPipeline } from '../../pipeline/load-pipeline';
import { RunMetrics } from '../../pipeline/run-metrics';
import { runPipeline, type RunOptions } from '../../pipeline/run-pipeline';
import type { PipelineDefinition } from '../../pipeline/schema';
import { createStdoutSink } from '../../sinks/stdout-sink';
import { incrementalConfig } from '../../state/incremental';
import { runWithState } from '../../state/run-with-state';
import { openStateStore } from '../../state/state-config';
import { withSourceParams } from '../../state/source-params';
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
    const definition = await load(args, io);
    await execute(definition, args, io, (built) => (pipeline = built));
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
      io.report.log('error', `cannot write the summary to ${args.summaryJson}: ${(writeError as Error).message}`);
      exitCode ||= 1;
    }
  }
  return exitCode;
}

async function load({ file, set = [] }: RunArguments, io: CliIo): Promise<PipelineDefinition> {
  const overrides = parseOverrides(set);
  const definition = await loadPipeline(file, { env: io.env, edit: (document) => applyOverrides(document, overrides) });
  io.logger.log('debug', `loaded ${file}: pipeline ${definition.name}, ${definition.transforms.length} transforms, ${definition.sinks.length} sinks`);
  return definition;
}

/** Builds and runs the pipeline; with `state:`, under its lock and from its cursor. `onBuilt` gets the pipeline as soon as it exists. */
async function execute(definition: PipelineDefinition, { file, dryRun, limit, progress }: RunArguments, io: CliIo, onBuilt: (pipeline: BuiltPipeline) => void): Promise<void> {
  const recordLimit = limit ?? (dryRun ? DRY_RUN_RECORDS : undefined);
  if (dryRun) io.logger.log('info', `dry run: nothing is written; the first ${recordLimit} records go to stdout as NDJSON`);

  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => controller.abort(signal);
  // `once`: a second Ctrl-C while the outputs are rolled back kills the process the usual way.
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  let hideProgress = () => {};
  const runOptions = (built: PipelineDefinition): RunOptions => {
    const pipeline = buildPipeline(built, { logger: io.logger, pipelineDir: dirname(file) });
    onBuilt(pipeline);
    hideProgress = progress ? io.stderr.showProgress(pipeline.metrics) : () => {};
    // Records are data, so a dry run prints them to stdout like the stdout sink: `--dry-run | jq` works,
    // and stderr keeps only what is meant for people (logs, progress, the summary).
    const sinks = dryRun ? [createStdoutSink({}, io.stdout)] : pipeline.sinks;
    return { ...pipeline, sinks, limit: recordLimit, signal: controller.signal, logger: io.logger };
  };
  try {
    if (!definition.state) {
      await runPipeline(runOptions(definition));
      return;
    }
    const store = openStateStore(definition.state, io.logger);
    try {
      await runWithState({
        store,
        pipeline: definition.name,
        incremental: incrementalConfig.optional().parse(definition.source.incremental),
        readOnly: dryRun,
        leaseMs: definition.state.lease,
        logger: io.logger,
        build: (params) => runOptions(withSourceParams(definition, params)),
      });
    } finally {
      await store.close?.();
    }
  } finally {
    hideProgress();
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
  }
}
