import type { OperatorFunction } from 'rxjs';
import { Redactor, redactingLogger } from '../errors/redact';
import { type Logger, silentLogger } from '../logger';
import type { DataRecord } from '../record';
import { createRunId } from '../sinks/output-path';
import type { Sink } from '../sinks/sink';
import type { Source } from '../sources/source';
import { createDefaultRegistry } from './builtins';
import type { BuildContext, ComponentDefinition, ComponentKind } from './component';
import { countStage } from './count-stage';
import type { ComponentRegistry } from './registry';
import { OperatorState } from './operator-state';
import { RejectRouter } from './reject-router';
import { RunMetrics } from './run-metrics';
import { StepFlow } from './step-flow';
import { SessionLink } from '../sources/http/session-link';
import type { RejectsOptions } from './run-pipeline';
import type { ComponentConfig, PipelineDefinition } from './schema';

/** A pipeline ready for `runPipeline`: the parts built from a definition, plus what must never be printed. */
export interface BuiltPipeline {
  readonly name: string;
  readonly source: Source;
  readonly operators: OperatorFunction<DataRecord, DataRecord>[];
  readonly sinks: Sink[];
  /** Where the operators' rejects go: the `rejects:` sink and `maxRejects`. */
  readonly rejects: RejectsOptions;
  readonly metrics: RunMetrics;
  readonly secrets: string[];
  /** Redacts those secrets (and the ones learnt while running) from anything printed about the run. */
  readonly redactor: Redactor;
  /** Connects the steps that hold records (child requests) to the source/sink handshake. */
  readonly flow: StepFlow;
  /** The state of its stateful operators (dedup), for checkpoints. */
  readonly operatorState: OperatorState;
}

export interface BuildOptions {
  readonly registry?: ComponentRegistry;
  readonly logger?: Logger;
  readonly startedAt?: Date;
  /** Where relative paths in the definition resolve. @default the working directory */
  readonly pipelineDir?: string;
  /** The run's `{runId}` (a resumed run passes the id of the run it resumes). @default a new id */
  readonly runId?: string;
  /** The run's redaction path, when the caller prints things before the pipeline is built. @default a new one */
  readonly redactor?: Redactor;
}

/** Builds the components a validated definition names. Touches no network or file: that happens when it runs. */
export function buildPipeline(definition: PipelineDefinition, options: BuildOptions = {}): BuiltPipeline {
  const registry = options.registry ?? createDefaultRegistry();
  const metrics = new RunMetrics();
  const startedAt = options.startedAt ?? new Date();
  const rejects = new RejectRouter();
  const flow = new StepFlow();
  const redactor = options.redactor ?? new Redactor();
  const operatorState = new OperatorState();
  for (const secret of definition.secrets ?? []) redactor.add(secret);
  const context: BuildContext = {
    metrics,
    logger: redactingLogger(options.logger ?? silentLogger, redactor),
    startedAt,
    pipelineDir: options.pipelineDir ?? process.cwd(),
    runId: options.runId ?? createRunId(startedAt),
    rejects,
    redactor,
    expressionBudget: definition.expressions,
    sessions: new SessionLink(),
    flow,
    checkpoints: definition.checkpoint !== undefined,
    operatorState,
  };
  const secrets: string[] = [...(definition.secrets ?? [])];
  const definitionOf = <K extends ComponentKind>(kind: K, type: string) => {
    const found = registry.get(kind, type);
    if (!found) throw new Error(`${kind} "${type}" is not registered`); // validation has already ruled this out
    return found;
  };
  const collectSecrets = (component: ComponentDefinition, config: unknown) => {
    const found = component.secrets?.(config as never) ?? [];
    secrets.push(...found);
    for (const secret of found) redactor.add(secret);
  };

  const sourceDefinition = definitionOf('source', definition.source.type);
  collectSecrets(sourceDefinition, definition.source);
  const operators = definition.transforms.map(({ type, config }) => {
    const operator = definitionOf('operator', type);
    collectSecrets(operator, config);
    return countStage(metrics, type, operator.create(config as never, context));
  });
  const createSink = (config: ComponentConfig) => {
    const sink = definitionOf('sink', config.type);
    collectSecrets(sink, config);
    return sink.create(config as never, context);
  };
  const sinks = definition.sinks.map(createSink);
  return {
    name: definition.name,
    source: sourceDefinition.create(definition.source as never, context),
    operators,
    sinks,
    rejects: { channel: rejects, sink: definition.rejects && createSink(definition.rejects), maxRejects: definition.maxRejects },
    metrics,
    secrets,
    redactor,
    flow,
    operatorState,
  };
}
