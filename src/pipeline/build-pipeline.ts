import type { OperatorFunction } from 'rxjs';
import { type Logger, silentLogger } from '../logger';
import type { DataRecord } from '../record';
import type { Sink } from '../sinks/sink';
import type { Source } from '../sources/source';
import { createDefaultRegistry } from './builtins';
import type { BuildContext, ComponentDefinition, ComponentKind } from './component';
import { countStage } from './count-stage';
import type { ComponentRegistry } from './registry';
import { RunMetrics } from './run-metrics';
import type { ComponentConfig, PipelineDefinition } from './schema';

/** A pipeline ready for `runPipeline`: the parts built from a definition, plus what must never be printed. */
export interface BuiltPipeline {
  readonly name: string;
  readonly source: Source;
  readonly operators: OperatorFunction<DataRecord, DataRecord>[];
  readonly sinks: Sink[];
  readonly metrics: RunMetrics;
  readonly secrets: string[];
}

export interface BuildOptions {
  readonly registry?: ComponentRegistry;
  readonly logger?: Logger;
  readonly startedAt?: Date;
  /** Where relative paths in the definition resolve. @default the working directory */
  readonly pipelineDir?: string;
}

/** Builds the components a validated definition names. Touches no network or file: that happens when it runs. */
export function buildPipeline(definition: PipelineDefinition, options: BuildOptions = {}): BuiltPipeline {
  const registry = options.registry ?? createDefaultRegistry();
  const metrics = new RunMetrics();
  const context: BuildContext = { metrics, logger: options.logger ?? silentLogger, startedAt: options.startedAt ?? new Date(), pipelineDir: options.pipelineDir ?? process.cwd(), expressionBudget: definition.expressions };
  const secrets: string[] = [];
  const definitionOf = <K extends ComponentKind>(kind: K, type: string) => {
    const found = registry.get(kind, type);
    if (!found) throw new Error(`${kind} "${type}" is not registered`); // validation has already ruled this out
    return found;
  };
  const collectSecrets = (component: ComponentDefinition, config: unknown) => {
    secrets.push(...(component.secrets?.(config as never) ?? []));
  };

  const sourceDefinition = definitionOf('source', definition.source.type);
  collectSecrets(sourceDefinition, definition.source);
  const operators = definition.transforms.map(({ type, config }) => {
    const operator = definitionOf('operator', type);
    collectSecrets(operator, config);
    return countStage(metrics, type, operator.create(config as never, context));
  });
  const sinks = definition.sinks.map((config: ComponentConfig) => {
    const sink = definitionOf('sink', config.type);
    collectSecrets(sink, config);
    return sink.create(config as never, context);
  });
  return {
    name: definition.name,
    source: sourceDefinition.create(definition.source as never, context),
    operators,
    sinks,
    metrics,
    secrets,
  };
}
