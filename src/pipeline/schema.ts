import { z } from 'zod';
import { type ExpressionBudget, expressionBudgetConfig } from '../expressions/expression-budget';
import type { ComponentKind } from './component';
import { formatPath, type PathSegment } from './issue-path';
import type { ComponentRegistry } from './registry';

/** The pipeline file's own keys; components (`source`, each transform, each sink) bring their schemas. */
export const pipelineFields = {
  name: z.string().min(1).meta({ description: 'Names the pipeline in logs, summaries and `pageflow list`.' }),
  description: z.string().optional().meta({ description: 'What the pipeline is for.' }),
  expressions: expressionBudgetConfig.optional(),
};

const structure = z.strictObject({
  ...pipelineFields,
  source: z.looseObject({}),
  // Each step's shape is checked below, where the message can name the transforms there are.
  transforms: z.array(z.unknown()).default([]),
  sinks: z.array(z.looseObject({})).min(1, 'expected at least one sink'),
});

export interface ComponentConfig {
  readonly type: string;
  readonly [option: string]: unknown;
}

export interface TransformConfig {
  readonly type: string;
  readonly config: unknown;
}

/** A pipeline file after validation: every component's options parsed by its own schema. */
export interface PipelineDefinition {
  readonly name: string;
  readonly description?: string;
  /** Budgets of JSONata evaluations; the defaults when absent. */
  readonly expressions?: ExpressionBudget;
  readonly source: ComponentConfig;
  readonly transforms: readonly TransformConfig[];
  readonly sinks: readonly ComponentConfig[];
}

export interface LocatedIssue {
  readonly segments: PathSegment[];
  readonly path: string;
  readonly message: string;
}

const KIND_NAMES: Record<ComponentKind, string> = { source: 'source type', operator: 'transform', sink: 'sink type' };

/**
 * Validates a parsed pipeline in two passes, so that a typo in one sink gets a precise message rather
 * than a vague union error: the file's structure first, then each component against the schema of
 * the `type` it names. Collects every issue instead of stopping at the first.
 */
export function validatePipeline(raw: unknown, registry: ComponentRegistry): { definition?: PipelineDefinition; issues: LocatedIssue[] } {
  const issues: LocatedIssue[] = [];
  const report = (segments: PathSegment[], message: string) => issues.push({ segments, path: formatPath(segments), message });
  const addZodIssues = (prefix: PathSegment[], error: z.ZodError) => {
    for (const issue of error.issues) report([...prefix, ...(issue.path as PathSegment[])], describeIssue(issue));
  };

  const parsed = structure.safeParse(raw);
  if (!parsed.success) {
    addZodIssues([], parsed.error);
    return { issues };
  }

  const component = (kind: ComponentKind, type: unknown, typeAt: PathSegment[], options: unknown, optionsAt: PathSegment[]) => {
    const expected = `expected one of: ${registry.types(kind).join(', ')}`;
    if (typeof type !== 'string') return report(typeAt, `missing ${KIND_NAMES[kind]} (${expected})`);
    const definition = registry.get(kind, type);
    if (!definition) return report(typeAt, `unknown ${KIND_NAMES[kind]} "${type}" (${expected})`);
    const result = definition.config.safeParse(options);
    if (!result.success) return addZodIssues(optionsAt, result.error);
    return result.data;
  };

  const { source, transforms, sinks } = parsed.data;
  const sourceConfig = component('source', source.type, ['source', 'type'], source, ['source']);
  const transformTypes = registry.types('operator').join(', ');
  const transformConfigs = transforms.map((step, index) => {
    if (step === null || typeof step !== 'object' || Array.isArray(step)) {
      return report(['transforms', index], `expected a step like "dedup: id" (one of: ${transformTypes}), got ${describeValue(step)}`);
    }
    const keys = Object.keys(step);
    if (keys.length !== 1) {
      return report(['transforms', index], `expected exactly one transform per step (one of: ${transformTypes}), got ${keys.length} keys`);
    }
    const [type] = keys;
    const options = (step as Record<string, unknown>)[type];
    const config = component('operator', type, ['transforms', index, type], options, ['transforms', index, type]);
    return config === undefined ? undefined : { type, config };
  });
  const sinkConfigs = sinks.map((sink, index) => component('sink', sink.type, ['sinks', index, 'type'], sink, ['sinks', index]));

  if (issues.length > 0) return { issues };
  return {
    issues,
    definition: {
      name: parsed.data.name,
      description: parsed.data.description,
      expressions: parsed.data.expressions,
      source: sourceConfig as ComponentConfig,
      transforms: transformConfigs as TransformConfig[],
      sinks: sinkConfigs as ComponentConfig[],
    },
  };
}

/** zod's message, except for a union of plain types, where zod only says "Invalid input". */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_union') return issue.message;
  const expected = issue.errors.map((branch) => (branch.length === 1 && branch[0].code === 'invalid_type' && branch[0].path.length === 0 ? branch[0].expected : undefined));
  if (expected.some((type) => type === undefined)) return issue.message;
  return `Invalid input: expected ${[...new Set(expected)].join(' | ')}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value;
}
