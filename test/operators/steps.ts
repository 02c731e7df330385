import { from, lastValueFrom, type OperatorFunction, toArray } from 'rxjs';
import { ConfigError } from '../../src/errors/config-error';
import type { Logger, LogLevel } from '../../src/logger';
import { silentLogger } from '../../src/logger';
import { createDefaultRegistry } from '../../src/pipeline/builtins';
import type { BuildContext, RejectChannel } from '../../src/pipeline/component';
import { parsePipeline } from '../../src/pipeline/load-pipeline';
import { RunMetrics } from '../../src/pipeline/run-metrics';
import type { DataRecord } from '../../src/record';

/** A pipeline file around the given `transforms:` lines (YAML, indented by two spaces), with a rejects sink unless told otherwise. */
export function pipelineText(transforms: string, top = '', { rejects = true } = {}): string {
  return `name: steps\n${top}source:\n  type: http\n  url: http://127.0.0.1:9/items\ntransforms:\n${transforms}\nsinks:\n  - type: stdout\n${rejects ? 'rejects:\n  type: stdout\n' : ''}`;
}

export interface RecordedReject {
  readonly record: DataRecord;
  readonly step: string;
  readonly error: unknown;
}

/** A rejects channel that keeps what it gets, as the runner's would pass it on to the `rejects:` sink. */
export function recordingRejects(): RejectChannel & { readonly rejected: RecordedReject[] } {
  const rejected: RecordedReject[] = [];
  return { rejected, reject: (record, step, error) => rejected.push({ record, step, error }) };
}

/** A logger that keeps its lines. */
export function recordingLogger(): Logger & { readonly lines: { level: LogLevel; message: string }[] } {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, log: (level, message) => lines.push({ level, message }) };
}

export function buildContext(overrides: Partial<BuildContext> = {}): BuildContext {
  return { metrics: new RunMetrics(), logger: silentLogger, startedAt: new Date(), pipelineDir: process.cwd(), ...overrides };
}

/** Builds the steps of a pipeline file's `transforms:` as `pageflow run` would, through the loader's validation. */
export function buildSteps(transforms: string, overrides: Partial<BuildContext> = {}, top = ''): OperatorFunction<DataRecord, DataRecord>[] {
  const registry = createDefaultRegistry();
  const definition = parsePipeline(pipelineText(transforms, top), 'steps.yaml', { env: {}, registry });
  const context = buildContext({ expressionBudget: definition.expressions, ...overrides });
  return definition.transforms.map(({ type, config }) => registry.get('operator', type)!.create(config as never, context));
}

/** Runs records through the steps of a `transforms:` text. */
export async function runSteps(transforms: string, records: readonly DataRecord[], overrides: Partial<BuildContext> = {}): Promise<DataRecord[]> {
  const steps = buildSteps(transforms, overrides);
  const output$ = steps.reduce((records$, step) => records$.pipe(step), from(records));
  return lastValueFrom(output$.pipe(toArray()));
}

/** The problems the loader reports for a `transforms:` text, one line each. */
export function configProblems(transforms: string, top = '', options: { rejects?: boolean } = {}): string[] {
  try {
    parsePipeline(pipelineText(transforms, top, options), 'steps.yaml', { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(({ path, message, line }) => `${line}: ${path}: ${message}`);
    throw error;
  }
  throw new Error('the pipeline is valid');
}
