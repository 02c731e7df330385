import type { OperatorFunction } from 'rxjs';
import type { z } from 'zod';
import type { Redactor } from '../errors/redact';
import type { ExpressionBudget } from '../expressions/expression-budget';
import type { Logger } from '../logger';
import type { DataRecord } from '../record';
import type { Sink } from '../sinks/sink';
import type { SessionLink } from '../sources/http/session-link';
import type { Source } from '../sources/source';
import type { RunMetrics } from './run-metrics';
import type { StepFlow } from './step-flow';
import type { OperatorState } from './operator-state';

/**
 * Where a step sends the records it rejects (`validate` with `onInvalid: reject`, `onError: reject` on
 * `map`/`set`/`filter`): the runner wraps each as `{ record, step, error, page }` for the pipeline's
 * `rejects:` sink. `step` is the transform's key in the file (`validate`, `map`).
 */
export interface RejectChannel {
  reject(record: DataRecord, step: string, error: unknown): void;
}

/** What a component factory may use while a pipeline is built from its definition. */
export interface BuildContext {
  readonly metrics: RunMetrics;
  readonly logger: Logger;
  /** When the run started: the S3 sink's `{date}` and `{timestamp}` placeholders read it. */
  readonly startedAt: Date;
  /** The folder of the pipeline file: relative paths in it (a CA file, a JSON Schema) resolve against it. */
  readonly pipelineDir: string;
  /** One id per run: the `{runId}` placeholder of file paths and S3 keys (`buildPipeline` always sets it). */
  readonly runId?: string;
  /** Where steps send the records they reject; `buildPipeline` always gives one (a reject with no `rejects:` sink fails the run). */
  readonly rejects?: RejectChannel;
  /** The run's one redaction path: a component adds the secrets it learns while running (an OAuth token). */
  readonly redactor?: Redactor;
  /** The run saves checkpoints (`checkpoint:`): sinks write so that another process can resume them. */
  readonly checkpoints?: boolean;
  /** Where stateful operators (dedup) keep what a checkpoint saves and a resumed run restores. */
  readonly operatorState?: OperatorState;
  /** Time and depth allowed to each JSONata evaluation (`expressions:` in the file); the defaults when absent. */
  readonly expressionBudget?: ExpressionBudget;
  /** The source's HTTP session while it runs, for steps that make requests with it (`request`). */
  readonly sessions?: SessionLink;
  /** The source/sink handshake for steps that hold records while they work (`request`). */
  readonly flow?: StepFlow;
}

interface ComponentBase<C extends z.ZodType> {
  /** The `type:` (sources, sinks) or step key (transforms) that selects it in pipeline files. */
  readonly type: string;
  /** One sentence for `pageflow list` and the docs. */
  readonly summary: string;
  /** Validates the component's part of a pipeline file; the single source of truth for its options. */
  readonly config: C;
  /** Values that must never appear in output (tokens, auth headers): redacted from every message. */
  secrets?(config: z.output<C>): string[];
}

export interface SourceDefinition<C extends z.ZodType = z.ZodType> extends ComponentBase<C> {
  readonly kind: 'source';
  create(config: z.output<C>, context: BuildContext): Source;
}

export interface OperatorDefinition<C extends z.ZodType = z.ZodType> extends ComponentBase<C> {
  readonly kind: 'operator';
  /** Whether this configuration sends records to the rejects (then the pipeline needs a `rejects:` sink). */
  usesRejects?(config: z.output<C>): boolean;
  create(config: z.output<C>, context: BuildContext): OperatorFunction<DataRecord, DataRecord>;
}

export interface SinkDefinition<C extends z.ZodType = z.ZodType> extends ComponentBase<C> {
  readonly kind: 'sink';
  create(config: z.output<C>, context: BuildContext): Sink;
}

export type ComponentDefinition = SourceDefinition | OperatorDefinition | SinkDefinition;
export type ComponentKind = ComponentDefinition['kind'];

export const defineSource = <C extends z.ZodType>(definition: Omit<SourceDefinition<C>, 'kind'>): SourceDefinition<C> => ({
  kind: 'source',
  ...definition,
});

export const defineOperator = <C extends z.ZodType>(definition: Omit<OperatorDefinition<C>, 'kind'>): OperatorDefinition<C> => ({
  kind: 'operator',
  ...definition,
});

export const defineSink = <C extends z.ZodType>(definition: Omit<SinkDefinition<C>, 'kind'>): SinkDefinition<C> => ({
  kind: 'sink',
  ...definition,
});
