import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createDefaultRegistry } from '../../src/pipeline/builtins';
import { defineSink } from '../../src/pipeline/component';
import { PLACEHOLDER_JSON_SCHEMA, pipelineJsonSchema } from '../../src/pipeline/json-schema';
import { createStdoutSink } from '../../src/sinks/stdout-sink';

type Schema = Record<string, any>;

const COMMITTED = join(__dirname, '..', '..', 'pipeline.schema.json');

/** The `const` of each alternative's `type` property: the component types the schema offers. */
const typeConsts = (alternatives: Schema[]) => alternatives.map((alternative) => alternative.properties.type.const);

/** The schema of a file with one stream (the first alternative) and of one with several (the second). */
const single = (schema: Schema): Schema => schema.anyOf[0];
const several = (schema: Schema): Schema => schema.anyOf[1];

describe('pipelineJsonSchema', () => {
  it('matches the committed pipeline.schema.json (regenerate: npm run build && node dist/cli/main.js schema > pipeline.schema.json)', () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(pipelineJsonSchema());
  });

  it('offers every registered source, transform and sink, and nothing else at the top level', () => {
    const registry = createDefaultRegistry();
    const schema = single(pipelineJsonSchema(registry));

    expect(Object.keys(schema.properties)).toEqual(['name', 'description', 'state', 'checkpoint', 'expressions', 'source', 'transforms', 'sinks', 'rejects', 'maxRejects']);
    expect(schema.required).toEqual(['name', 'source', 'sinks']);
    expect(schema.additionalProperties).toBe(false);
    expect(typeConsts(schema.properties.source.oneOf)).toEqual(registry.types('source'));
    expect(schema.properties.transforms.items.anyOf.map((step: Schema) => Object.keys(step.properties))).toEqual(registry.types('operator').map((type) => [type]));
    expect(typeConsts(schema.properties.sinks.items.oneOf)).toEqual(registry.types('sink'));
    expect(schema.properties.sinks.minItems).toBe(1);
  });

  it('offers a file with several streams, each with the components of a pipeline but no name, state or checkpoint', () => {
    const registry = createDefaultRegistry();
    const schema = several(pipelineJsonSchema(registry));

    expect(Object.keys(schema.properties)).toEqual(['name', 'description', 'expressions', 'budget', 'onStreamFailure', 'parallelStreams', 'streams']);
    expect(schema.required).toEqual(['name', 'streams']);
    const stream = schema.properties.streams.additionalProperties;
    expect(Object.keys(stream.properties)).toEqual(['description', 'expressions', 'source', 'transforms', 'sinks', 'rejects', 'maxRejects']);
    expect(typeConsts(stream.properties.source.oneOf)).toEqual(registry.types('source'));
    expect(schema.properties.budget.properties.rateLimit.required).toEqual(['requests', 'per']);
  });

  it('describes each component with its summary, for editors', () => {
    const registry = createDefaultRegistry();
    const schema = single(pipelineJsonSchema(registry));

    expect(schema.properties.sinks.items.oneOf.map((sink: Schema) => [sink.title, sink.description])).toEqual(
      registry.list('sink').map((sink) => [`${sink.type} sink`, sink.summary]),
    );
  });

  it('includes components added to the registry', () => {
    const registry = createDefaultRegistry().register(
      defineSink({ type: 'memo', summary: 'Test sink.', config: z.strictObject({ type: z.literal('memo'), label: z.string() }), create: () => createStdoutSink() }),
    );

    const sinks = single(pipelineJsonSchema(registry)).properties.sinks.items.oneOf as Schema[];

    expect(sinks.find((sink) => sink.properties.type.const === 'memo')).toMatchObject({ required: ['type', 'label'], description: 'Test sink.' });
  });

  it('puts no format or pattern on strings, which hold ${VAR} placeholders before interpolation (but the placeholder’s own)', () => {
    const constrained: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${path}[${index}]`));
      if (node === null || typeof node !== 'object') return;
      if (typeof (node as Schema).format === 'string' || ((node as Schema).pattern !== undefined && (node as Schema).pattern !== PLACEHOLDER_JSON_SCHEMA.pattern)) constrained.push(path);
      for (const [key, value] of Object.entries(node)) if (key !== 'examples' && key !== 'default') walk(value, `${path}.${key}`);
    };

    walk(pipelineJsonSchema(), '$');

    expect(constrained).toEqual([]);
  });

  it('lets number and boolean options be a whole ${VAR}, keeping their description and default', () => {
    const http = single(pipelineJsonSchema()).properties.source.oneOf[0].properties;

    expect(http.concurrency).toEqual({
      description: expect.any(String),
      default: 1,
      anyOf: [{ type: 'integer', minimum: 1, maximum: 32 }, PLACEHOLDER_JSON_SCHEMA],
    });
    expect(http.allowCrossOrigin.anyOf).toEqual([{ type: 'boolean' }, PLACEHOLDER_JSON_SCHEMA]);
    const placeholder = new RegExp(PLACEHOLDER_JSON_SCHEMA.pattern);
    expect(['${CONC}', '${CONC:-4}'].map((text) => placeholder.test(text))).toEqual([true, true]);
    expect(['4', 'x${CONC}', '${CONC} '].map((text) => placeholder.test(text))).toEqual([false, false, false]);
  });

  it('leaves the loader’s secret markers out', () => {
    expect(JSON.stringify(pipelineJsonSchema())).not.toContain('"secret"');
  });
});
