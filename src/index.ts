export type { DataRecord } from './record';
export type { PageMark, Source, SourceContext } from './sources/source';
export type { RateBudgets, RateGate, RateLimit, Release } from './sources/rate-gate';
export { createHttpSource, httpSource, type HttpSourceOptions } from './sources/http/http-source';
export * from './operators';
export type { BatchOrigin, Sink } from './sinks/sink';
export { createFileSink, fileSink, type FileSinkOptions } from './sinks/file-sink';
export { createS3Sink, s3Sink, type S3SinkOptions, type S3SinkContext } from './sinks/s3-sink';
export { createStdoutSink, stdoutSink, type StdoutSinkOptions } from './sinks/stdout-sink';
export { EncodedSink } from './sinks/encoded-sink';
export { OutputSink, type OutputSinkSettings, type SplitSettings } from './sinks/output-sink';
export { OutputPath } from './sinks/output-path';
export type { Destination } from './sinks/destination';
export type { ByteTarget } from './sinks/byte-target';
export { createEncoder, loadEncoder, type FormatName } from './formats/format';
export type { ColumnSpec, ColumnType, Encoder, EncoderOptions } from './formats/encoder';
export { compileExpression, type Expression, type ExpressionOptions, type RecordFunction } from './expressions/compile-expression';
export { DEFAULT_EXPRESSION_BUDGET, type ExpressionBudget } from './expressions/expression-budget';
export { ExpressionError, type ExpressionFailure, type BudgetKind } from './expressions/expression-error';
export type { OnError } from './expressions/record-expressions';
export { ExactNumber } from './json/exact-number';
export { parseJson } from './json/parse-json';
export { stringifyJson } from './json/stringify-json';
export { runPipeline, type RejectsOptions, type RunOptions } from './pipeline/run-pipeline';
export { RejectRouter } from './pipeline/reject-router';
export { RunMetrics, type SinkMetrics, type StageMetrics } from './pipeline/run-metrics';
export { loadPipeline, loadPipelineFile, parsePipeline, readPipeline, readPipelineFile, type LoadedPipeline, type LoadedPipelineFile, type LoadOptions, type Override } from './pipeline/load-pipeline';
export { type RunIdentity, runWithState, type StatefulRunOptions } from './state/run-with-state';
export { type CheckpointOptions, definitionDigests, pipelineDigests } from './state/checkpoints';
export type { IncrementalOptions } from './state/incremental';
export type { LockHolder, LockState, StateStore } from './state/state-store';
export type { CursorState, LastRun, PipelineState, RunCheckpoint } from './state/state-document';
export { createFileStateStore } from './state/file-state-store';
export { createS3StateStore, type S3StateStoreOptions } from './state/s3-state-store';
export { createRedisStateStore, type RedisStateStoreOptions } from './state/redis-state-store';
export { RedisRateBudgets, type RedisRateBudgetsOptions } from './fleet/redis-rate-budgets';
export { buildPipeline, type BuiltPipeline, type BuildOptions } from './pipeline/build-pipeline';
export { createDefaultRegistry } from './pipeline/builtins';
export { ComponentRegistry } from './pipeline/registry';
export {
  defineOperator,
  defineSink,
  defineSource,
  type BuildContext,
  type ComponentDefinition,
  type ComponentKind,
  type OperatorDefinition,
  type RejectChannel,
  type SinkDefinition,
  type SourceDefinition,
} from './pipeline/component';
export type { ComponentConfig, PipelineDefinition, PipelineFile, TransformConfig } from './pipeline/schema';
export { createStderrLogger, silentLogger, type LogFormat, type Logger, type LogLevel, type StderrLoggerOptions, type TextOutput } from './logger';
export { PageflowError, isPageflowError } from './errors/pageflow-error';
export { ConfigError, type ConfigIssue } from './errors/config-error';
export { SourceError } from './errors/source-error';
export { Redactor } from './errors/redact';
export { SinkError } from './errors/sink-error';
export { InterruptedError } from './errors/interrupted-error';
export { StateError } from './errors/state-error';
export { StateLockedError } from './errors/state-locked-error';
export { RejectLimitError } from './errors/reject-limit-error';
