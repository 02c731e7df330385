import { z } from 'zod';
import { createDefaultRegistry } from './builtins';
import type { ComponentDefinition } from './component';
import type { ComponentRegistry } from './registry';
import { maxRejectsField, pipelineFields, streamsFields } from './schema';

/** A component's own schema, titled and described for editors' hover text. */
function documented(definition: ComponentDefinition, schema: z.ZodType = definition.config): z.ZodType {
  return schema.meta({ title: `${definition.type} ${definition.kind}`, description: definition.summary });
}

/**
 * Sources and sinks are selected by `type`, so their union is discriminated (editors then report the
 * problems of the one component named, not of every alternative). The registry types their configs
 * as plain schemas; every source and sink config is an object with a literal `type`.
 */
function byType(schemas: z.ZodType[], kind: string) {
  return z.discriminatedUnion('type', nonEmpty(schemas as z.core.$ZodTypeDiscriminable[], kind));
}

/** At least one schema, as `z.union` and `z.discriminatedUnion` require. */
function nonEmpty<T>(items: T[], kind: string): [T, ...T[]] {
  if (items.length === 0) throw new RangeError(`the registry has no ${kind}`);
  return items as [T, ...T[]];
}

/**
 * The JSON Schema of pipeline files, for editors (`# yaml-language-server: $schema=…`) and the
 * README's reference. Unlike `validatePipeline`'s two passes, it is one big union built from the
 * registry: editors need the whole shape at once, and they do not need precise error messages.
 */
export function pipelineJsonSchema(registry: ComponentRegistry = createDefaultRegistry()): Record<string, unknown> {
  const sources = registry.list('source').map((definition) => documented(definition));
  const steps = registry.list('operator').map((definition) => documented(definition, z.strictObject({ [definition.type]: definition.config })));
  const sinks = registry.list('sink').map((definition) => documented(definition));
  // What a pipeline with one stream has at the top and each stream of a file with several has.
  const parts = {
    source: byType(sources, 'source').meta({ description: 'Where the records come from.' }),
    transforms: z
      .array(z.union(nonEmpty(steps, 'operator')))
      .default([])
      .meta({ description: 'Steps applied to every record in order, like `.pipe(...)`; each step is an object with exactly one key.' }),
    sinks: z
      .array(byType(sinks, 'sink'))
      .min(1)
      .meta({ description: 'Where the records go; every sink gets every record.' }),
    rejects: byType(sinks, 'sink').optional().meta({ description: 'Where records rejected by a transform (`onInvalid: reject`, `onError: reject`) go, as `{ record, step, error, page }`; any sink type.' }),
    maxRejects: maxRejectsField,
  };
  const { state: _state, checkpoint: _checkpoint, name: _name, ...streamFields } = pipelineFields;
  const single = z.strictObject({ ...pipelineFields, ...parts }).meta({ title: 'one stream', description: 'A pipeline with one source.' });
  const several = z
    .strictObject({
      name: pipelineFields.name,
      description: pipelineFields.description,
      expressions: pipelineFields.expressions,
      ...streamsFields,
      streams: z
        .record(z.string(), z.strictObject({ ...streamFields, ...parts }))
        .meta({ description: 'The streams, by name: each a pipeline with its own source, transforms and sinks (no `name`, `state` or `checkpoint` of its own), run in one process.' }),
    })
    .meta({ title: 'several streams', description: 'A pipeline with several streams (`streams:`), sharing one rate-limit budget per credential.' });
  const file = z.union([single, several]).meta({
    title: 'pageflow pipeline',
    description: 'A pageflow pipeline file. Any string may hold ${VAR} or ${VAR:-default}, filled in from the environment when the file is loaded.',
  });
  const schema = z.toJSONSchema(file, {
    io: 'input',
    // Draft 7 is the one every editor's YAML/JSON language server understands.
    target: 'draft-7',
    override: ({ jsonSchema }) => {
      // The file holds strings before `${VAR}`s are filled in, so `${MKP_BASE_URL}/v1/customers` must
      // not be flagged as "not a URI": the loader checks formats and patterns after interpolation.
      delete jsonSchema.format;
      delete jsonSchema.pattern;
      delete jsonSchema.secret; // for the loader's redaction, not for editors
    },
  }) as JsonSchemaNode;
  return allowPlaceholders(schema) as Record<string, unknown>;
}

type JsonSchemaNode = { [keyword: string]: unknown };

/** The JSON Schema of a `${VAR}` standing for a whole number or boolean value (`concurrency: ${CONC:-4}`). */
export const PLACEHOLDER_JSON_SCHEMA = {
  type: 'string',
  pattern: '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$',
  description: 'A ${VAR} or ${VAR:-default}, read as a number or boolean once filled in.',
} as const;

const TYPED = new Set(['number', 'integer', 'boolean']);

/**
 * Lets every number or boolean option also be a whole `${VAR}` placeholder, as the loader accepts
 * (it types the value after interpolation); description and default stay on the option. Options
 * that take text already (a duration: `30s` or 30000) need no placeholder of their own.
 */
function allowPlaceholders(node: unknown, takesText = false): unknown {
  if (Array.isArray(node)) return node.map((item) => allowPlaceholders(item, takesText));
  if (node === null || typeof node !== 'object') return node;
  const schema = node as JsonSchemaNode;
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchemaNode[] | undefined;
  const alternativesTakeText = alternatives?.some((alternative) => alternative.type === 'string') ?? false;
  const walked = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => {
      if (key === 'default' || key === 'examples' || key === 'const' || key === 'enum') return [key, value];
      return [key, allowPlaceholders(value, (key === 'anyOf' || key === 'oneOf') && alternativesTakeText)];
    }),
  ) as JsonSchemaNode;
  if (takesText || typeof walked.type !== 'string' || !TYPED.has(walked.type)) return walked;
  const { description, default: fallback, title, ...typed } = walked;
  return {
    ...(title === undefined ? {} : { title }),
    ...(description === undefined ? {} : { description }),
    ...(fallback === undefined ? {} : { default: fallback }),
    anyOf: [typed, PLACEHOLDER_JSON_SCHEMA],
  };
}
