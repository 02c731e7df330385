import { z } from 'zod';
import { stateConfig, type StateSettings } from '../state/state-config';
import { checkpointConfig, checkpointRefusal, type CheckpointSettings } from '../state/checkpoint-config';
import { closestName } from './closest-name';
import { type ExpressionBudget, expressionBudgetConfig } from '../expressions/expression-budget';
import type { ComponentKind } from './component';
import { isRecord, knownKeys, schemaAt } from './field-schema';
import { formatPath, type PathSegment } from './issue-path';
import type { ComponentRegistry } from './registry';
import { rateLimitConfig } from '../sources/http/http-source';
import type { RateLimit } from '../sources/rate-gate';

/** The pipeline file's own keys; components (`source`, each transform, each sink) bring their schemas. */
export const pipelineFields = {
  name: z.string().min(1).meta({ description: 'Names the pipeline in logs, summaries and `pageflow list`.', secret: false }),
  description: z.string().optional().meta({ description: 'What the pipeline is for.', secret: false }),
  state: stateConfig.optional(),
  checkpoint: checkpointConfig.optional(),
  expressions: expressionBudgetConfig.optional(),
};

/** Follows `rejects:` (a sink, validated like the others). */
export const maxRejectsField = z.int().min(0).optional().meta({ description: 'Fail the run once more than this many records were rejected (to the rejects sink). Default: no limit.' });

/** zod's message, or `missing` saying what the key is for when the file lacks it: `z.string(required('…'))`. */
export const required = (purpose: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? `missing: ${purpose}` : undefined) });

const structure = z.strictObject({
  name: z.string(required('every pipeline has a name, e.g. name: customers-to-csv')).min(1),
  description: pipelineFields.description,
  state: pipelineFields.state,
  checkpoint: pipelineFields.checkpoint,
  expressions: pipelineFields.expressions,
  source: z.looseObject({}, required('where the records come from, e.g. type: http and a url')),
  // Each step's shape is checked below, where the message can name the transforms there are.
  transforms: z.array(z.unknown()).default([]),
  sinks: z.array(z.looseObject({}), required('where the records go, a list such as - type: stdout')).min(1, 'expected at least one sink'),
  rejects: z.looseObject({}).optional(),
  maxRejects: maxRejectsField,
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
  readonly state?: StateSettings;
  /** Save checkpoints every `every` pages, for an exact resume (needs `state`). */
  readonly checkpoint?: CheckpointSettings;
  /** The sink of the records the transforms reject, wrapped as `{ record, step, error, page }`. */
  readonly rejects?: ComponentConfig;
  readonly maxRejects?: number;
  /** Values the file took from the environment into fields not marked as not secret: redacted from all output. */
  readonly secrets?: readonly string[];
}

export interface LocatedIssue {
  readonly segments: PathSegment[];
  readonly path: string;
  readonly message: string;
  /** `key`: the problem is the key itself (an unknown key), so it is shown at the key rather than its value. */
  readonly at?: 'key';
}

const KIND_NAMES: Record<ComponentKind, string> = { source: 'source type', operator: 'transform', sink: 'sink type' };

/**
 * The schema of the value at `segments` in a pipeline file, the components picked by the `type` (or
 * step key) that `file`, the file's data, gives them. Undefined where the file can have no such field.
 */
export function pipelineFieldSchema(registry: ComponentRegistry, file: unknown, segments: readonly PathSegment[]): z.core.$ZodType | undefined {
  const [top, index, ...rest] = segments;
  const data = isRecord(file) ? file : {};
  const item = (list: unknown) => (Array.isArray(list) && typeof index === 'number' ? (list[index] as unknown) : undefined);
  if (top === 'source') {
    const source = data.source;
    const definition = isRecord(source) && typeof source.type === 'string' ? registry.get('source', source.type) : undefined;
    return definition && schemaAt(definition.config, source, segments.slice(1));
  }
  if (top === 'rejects') {
    const sink = data.rejects;
    const definition = isRecord(sink) && typeof sink.type === 'string' ? registry.get('sink', sink.type) : undefined;
    return definition && schemaAt(definition.config, sink, segments.slice(1));
  }
  if (top === 'state') return schemaAt(stateConfig, data.state, segments.slice(1));
  if (top === 'checkpoint') return schemaAt(checkpointConfig, data.checkpoint, segments.slice(1));
  if (top === 'streams' && typeof index === 'string') {
    const streams = data.streams;
    return rest.length === 0 ? undefined : pipelineFieldSchema(registry, isRecord(streams) ? streams[index] : undefined, rest);
  }
  if (segments.length === 1 && typeof top === 'string' && Object.hasOwn(streamsFields, top)) return streamsFields[top as keyof typeof streamsFields];
  if (top === 'sinks') {
    const sink = item(data.sinks);
    const definition = isRecord(sink) && typeof sink.type === 'string' ? registry.get('sink', sink.type) : undefined;
    return definition && schemaAt(definition.config, sink, rest);
  }
  if (top === 'transforms' && typeof rest[0] === 'string') {
    const [type, ...options] = rest;
    const step = item(data.transforms);
    const definition = registry.get('operator', type);
    return definition && schemaAt(definition.config, isRecord(step) ? step[type] : undefined, options);
  }
  return segments.length === 1 && typeof top === 'string' && Object.hasOwn(pipelineFields, top) ? pipelineFields[top as keyof typeof pipelineFields] : undefined;
}

/**
 * Validates a parsed pipeline in two passes, so that a typo in one sink gets a precise message rather
 * than a vague union error: the file's structure first, then each component against the schema of
 * the `type` it names. Every component is checked whatever the structure's problems, so that one
 * pass reports every issue.
 */
export function validatePipeline(raw: unknown, registry: ComponentRegistry): { definition?: PipelineDefinition; issues: LocatedIssue[] } {
  const issues: LocatedIssue[] = [];
  const report = (segments: PathSegment[], message: string, at?: 'key') => issues.push({ segments, path: formatPath(segments), message, ...(at && { at }) });
  const addZodIssues = (prefix: PathSegment[], error: z.ZodError, schema: z.core.$ZodType, value: unknown) => {
    issues.push(...zodIssues(prefix, error, schema, value));
  };

  if (!isRecord(raw)) {
    report([], `expected a mapping with name, source and sinks, got ${describeValue(raw)}`);
    return { issues };
  }
  const parsed = structure.safeParse(raw);
  if (!parsed.success) addZodIssues([], parsed.error, structure, raw);

  const component = (kind: ComponentKind, type: unknown, typeAt: PathSegment[], options: unknown, optionsAt: PathSegment[]) => {
    const types = registry.types(kind);
    const expected = `expected one of: ${types.join(', ')}`;
    if (typeof type !== 'string') return report(typeAt, `missing ${KIND_NAMES[kind]} (${expected})`);
    const definition = registry.get(kind, type);
    if (!definition) {
      const guess = closestName(type, types);
      return report(typeAt, `unknown ${KIND_NAMES[kind]} "${type}"${guess ? `: did you mean "${guess}"?` : ''} (${expected})`);
    }
    const result = definition.config.safeParse(options);
    if (!result.success) return addZodIssues(optionsAt, result.error, definition.config, options);
    return result.data;
  };

  const { source, transforms = [], sinks } = raw;
  const sourceConfig = isRecord(source) ? component('source', source.type, ['source', 'type'], source, ['source']) : undefined;
  const transformTypes = registry.types('operator').join(', ');
  const transformConfigs = (Array.isArray(transforms) ? transforms : []).map((step: unknown, index) => {
    if (!isRecord(step)) {
      return report(['transforms', index], `expected a step like "dedup: id" (one of: ${transformTypes}), got ${describeValue(step)}`);
    }
    const keys = Object.keys(step);
    if (keys.length !== 1) {
      return report(['transforms', index], `expected exactly one transform per step (one of: ${transformTypes}), got ${keys.length} keys`);
    }
    const [type] = keys;
    const config = component('operator', type, ['transforms', index, type], step[type], ['transforms', index, type]);
    return config === undefined ? undefined : { type, config };
  });
  const sinkConfigs = (Array.isArray(sinks) ? sinks : []).map((sink: unknown, index) =>
    isRecord(sink) ? component('sink', sink.type, ['sinks', index, 'type'], sink, ['sinks', index]) : undefined,
  );
  const { rejects: rejectsSink } = raw;
  const rejects = isRecord(rejectsSink) ? component('sink', rejectsSink.type, ['rejects', 'type'], rejectsSink, ['rejects']) : undefined;
  transformConfigs.forEach((step, index) => {
    if (typeof step === 'object' && registry.get('operator', step.type)?.usesRejects?.(step.config as never) && !isRecord(rejectsSink)) {
      report(['transforms', index, step.type], 'sends records to the rejects, but the pipeline has no rejects sink: add one, e.g. rejects: { type: file, path: out/rejects.ndjson }');
    }
  });
  if (isRecord(source) && source.incremental !== undefined && raw.state === undefined) {
    report(['source', 'incremental'], 'needs a top-level state (where the cursor is kept between runs), e.g. state: { path: state/cursor.json }');
  }
  if (raw.checkpoint !== undefined) {
    if (raw.state === undefined) report(['checkpoint'], 'needs a top-level state (where the checkpoint is kept), e.g. state: { path: state/customers.json }');
    const checked: [PathSegment[], unknown][] = [...(Array.isArray(sinks) ? sinks : []).map((sink, index): [PathSegment[], unknown] => [['sinks', index], sink]), [['rejects'], rejectsSink]];
    for (const [at, sink] of checked) {
      const refusal = isRecord(sink) ? checkpointRefusal(sink) : undefined;
      if (refusal) report(at, `checkpoint: ${refusal}`);
    }
  }

  if (issues.length > 0 || !parsed.success) return { issues };
  return {
    issues,
    definition: {
      name: parsed.data.name,
      description: parsed.data.description,
      expressions: parsed.data.expressions,
      source: sourceConfig as ComponentConfig,
      transforms: transformConfigs as TransformConfig[],
      sinks: sinkConfigs as ComponentConfig[],
      ...(parsed.data.state === undefined ? {} : { state: parsed.data.state }),
      ...(parsed.data.checkpoint === undefined ? {} : { checkpoint: parsed.data.checkpoint }),
      ...(rejects === undefined ? {} : { rejects: rejects as ComponentConfig }),
      ...(parsed.data.maxRejects === undefined ? {} : { maxRejects: parsed.data.maxRejects }),
    },
  };
}

/**
 * zod's issues for `value`, checked by `schema`, as located issues under `prefix`: unknown keys one
 * by one, each at its key with a "did you mean"; unions of plain types with the types they take.
 */
export function zodIssues(prefix: readonly PathSegment[], error: z.ZodError, schema: z.core.$ZodType, value: unknown): LocatedIssue[] {
  const at = (path: readonly PropertyKey[]) => path.reduce<unknown>((parent, key) => (isRecord(parent) || Array.isArray(parent) ? (parent as Record<PropertyKey, unknown>)[key] : undefined), value);
  const located = (path: readonly PropertyKey[], message: string, key?: 'key'): LocatedIssue => {
    const segments = [...prefix, ...(path as PathSegment[])];
    return { segments, path: formatPath(segments), message, ...(key && { at: key }) };
  };
  // Keys an unknown key is taken to be a typo of, and the objects holding them: their own "missing"
  // or "expected one of these keys" issues would say the same again.
  const guessed = new Set<string>();
  const guessedIn = new Set<string>();
  const describe = (issue: z.core.$ZodIssue, base: readonly PropertyKey[]): { issue: z.core.$ZodIssue; located: LocatedIssue }[] => {
    const path = [...base, ...issue.path];
    // zod reports unknown keys at their object, all in one; each is a typo of its own, shown at its key.
    if (issue.code === 'unrecognized_keys' && issue.message.startsWith('Unrecognized key')) {
      const known = knownKeys(schemaAt(schema, value, path as PathSegment[]), at(path));
      return issue.keys.map((key) => {
        const guess = closestName(key, known);
        if (guess) {
          guessed.add(formatPath([...path, guess] as PathSegment[]));
          guessedIn.add(formatPath(path as PathSegment[]));
        }
        return { issue, located: located([...path, key], unknownKeyMessage(key, known), 'key') };
      });
    }
    // A union whose options fail but one on the kind of value alone (a list given where text or a list
    // of pages is expected): that option's own issues say what is wrong.
    if (issue.code === 'invalid_union') {
      const fitting = issue.errors.filter((branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (fitting.length === 1 && fitting[0].length > 0) return fitting[0].flatMap((inner) => describe(inner, path));
    }
    return [{ issue, located: located(path, describeIssue(issue)) }];
  };
  const issues = error.issues.flatMap((issue) => describe(issue, []));
  const repeats = ({ issue, located: { segments } }: { issue: z.core.$ZodIssue; located: LocatedIssue }) => {
    const path = formatPath(segments.slice(prefix.length));
    if (issue.code === 'custom') return guessedIn.has(path);
    return issue.code !== 'unrecognized_keys' && guessed.has(path) && at(segments.slice(prefix.length)) === undefined;
  };
  return issues.filter((entry) => !repeats(entry)).map((entry) => entry.located);
}

/** `unknown key "sink" (did you mean "sinks"?)`, else the keys there are. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closestName(key, known);
  if (guess) return `unknown key "${key}" (did you mean "${guess}"?)`;
  return known.length > 0 ? `unknown key "${key}" (expected one of: ${known.join(', ')})` : `unknown key "${key}"`;
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

/** The top-level keys of a file with several streams, besides `name`, `description`, `expressions` and `streams`. */
export const streamsFields = {
  budget: z
    .strictObject({
      rateLimit: rateLimitConfig.optional().meta({ description: 'At most `requests` per `per` for all the requests made with one credential: every stream and every child request together.' }),
    })
    .optional()
    .meta({ description: "The rate-limit budget shared by the streams: one per credential, in place of the sources' own `rateLimit`.", examples: [{ rateLimit: { requests: 60, per: '60s' } }] }),
  onStreamFailure: z
    .enum(['rollback', 'continue'])
    .default('rollback')
    .meta({ description: "A stream failed: `rollback` stops the others and rolls back every stream's outputs; `continue` lets the others finish and keep theirs (the run still exits 1)." }),
  parallelStreams: z.int().min(1).max(16).default(4).meta({ description: 'Streams run at once; the others wait for a free place.' }),
};

/** A stream's key: it names the stream in summaries, `--stream` and `pageflow list`. */
const streamName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected a stream name of letters, digits, - and _');

const streamsStructure = z.strictObject({
  name: pipelineFields.name,
  description: pipelineFields.description,
  expressions: pipelineFields.expressions,
  ...streamsFields,
  streams: z.record(streamName, z.looseObject({}, required('a stream has a source and sinks, like a pipeline file'))).refine((streams) => Object.keys(streams).length > 0, 'expected at least one stream'),
});

/** A pipeline file as run: one stream (today's shape, named after the pipeline) or several. */
export interface PipelineFile {
  readonly name: string;
  readonly description?: string;
  /** In the file's order; each one a pipeline of its own, named by its key. */
  readonly streams: readonly PipelineDefinition[];
  /** True for a file with `streams:`. */
  readonly multiStream: boolean;
  /** `budget.rateLimit`: one budget per credential for every stream and child request. */
  readonly budget?: RateLimit;
  readonly onStreamFailure: 'rollback' | 'continue';
  readonly parallelStreams: number;
}

/**
 * Validates a pipeline file of either shape: without `streams:` as `validatePipeline` does; with
 * it, each stream as a pipeline of its own (its issues under `streams.<name>`). A stream has no
 * `name` (its key is its name) and no `state` or `checkpoint`: they belong to a single-stream file.
 */
export function validatePipelineFile(raw: unknown, registry: ComponentRegistry): { file?: PipelineFile; issues: LocatedIssue[] } {
  if (!isRecord(raw) || raw.streams === undefined) {
    const { definition, issues } = validatePipeline(raw, registry);
    const file = definition && { name: definition.name, description: definition.description, streams: [definition], multiStream: false, onStreamFailure: 'rollback' as const, parallelStreams: 1 };
    return { file, issues };
  }
  const parsed = streamsStructure.safeParse(raw);
  const issues = parsed.success ? [] : zodIssues([], parsed.error, streamsStructure, raw);
  const streams = isRecord(raw.streams) ? Object.entries(raw.streams) : [];
  const definitions = streams.map(([name, stream]) => {
    if (!isRecord(stream)) return undefined;
    const at = (segments: PathSegment[]): PathSegment[] => ['streams', name, ...segments];
    const own = (key: string, message: string) => {
      const segments = at([key]);
      issues.push({ segments, path: formatPath(segments), message, at: 'key' });
    };
    if (stream.name !== undefined) own('name', `a stream has no name of its own: its key ("${name}") names it`);
    if (stream.state !== undefined) own('state', `state is not supported in a stream ("${name}"): run it as a pipeline file of its own to keep state between runs`);
    if (stream.checkpoint !== undefined) own('checkpoint', `checkpoint is not supported in a stream ("${name}"): it needs state, which belongs to a pipeline file of its own`);
    const { name: _name, state: _state, checkpoint: _checkpoint, ...rest } = stream;
    const result = validatePipeline({ name, expressions: raw.expressions, ...rest }, registry);
    // Incremental needs state, which a stream cannot have: say that rather than ask for a top-level state.
    const message = (issue: LocatedIssue) => (issue.path === 'source.incremental' ? `needs state, which a stream ("${name}") cannot have: run it as a pipeline file of its own` : issue.message);
    issues.push(...result.issues.map((issue) => ({ ...issue, message: message(issue), segments: at(issue.segments), path: formatPath(at(issue.segments)) })));
    return result.definition;
  });
  if (issues.length > 0 || !parsed.success) return { issues };
  const { rateLimit } = parsed.data.budget ?? {};
  return {
    issues,
    file: {
      name: parsed.data.name,
      description: parsed.data.description,
      streams: definitions as PipelineDefinition[],
      multiStream: true,
      ...(rateLimit && { budget: { requests: rateLimit.requests, perMs: rateLimit.per } }),
      onStreamFailure: parsed.data.onStreamFailure,
      parallelStreams: parsed.data.parallelStreams,
    },
  };
}
