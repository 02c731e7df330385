import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createDefaultRegistry } from '../../src/pipeline/builtins';
import { defineSink } from '../../src/pipeline/component';
import { pipelineJsonSchema } from '../../src/pipeline/json-schema';
import { createStdoutSink } from '../../src/sinks/stdout-sink';

type Schema = Record<string, any>;

const COMMITTED = join(__dirname, '..', '..', 'pipeline.schema.json');

/** The `const` of each alternative's `type` property: the component types the schema offers. */
const typeConsts = (alternatives: Schema[]) => alternatives.map((alternative) => alternative.properties.type.const);

describe('pipelineJsonSchema', () => {
  it('matches the committed pipeline.schema.json (regenerate: npm run build && node dist/cli/main.js schema > pipeline.schema.json)', () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(pipelineJsonSchema());
  });

  it('offers every registered source, transform and sink, and nothing else at the top level', () => {
    const registry = createDefaultRegistry();
    const schema = pipelineJsonSchema(registry) as Schema;

    expect(Object.keys(schema.properties)).toEqual(['name', 'description', 'expressions', 'source', 'transforms', 'sinks']);
    expect(schema.required).toEqual(['name', 'source', 'sinks']);
    expect(schema.additionalProperties).toBe(false);
    expect(typeConsts(schema.properties.source.oneOf)).toEqual(registry.types('source'));
    expect(schema.properties.transforms.items.anyOf.map((step: Schema) => Object.keys(step.properties))).toEqual(registry.types('operator').map((type) => [type]));
    expect(typeConsts(schema.properties.sinks.items.oneOf)).toEqual(registry.types('sink'));
    expect(schema.properties.sinks.minItems).toBe(1);
  });

  it('describes each component with its summary, for editors', () => {
    const registry = createDefaultRegistry();
    const schema = pipelineJsonSchema(registry) as Schema;

    expect(schema.properties.sinks.items.oneOf.map((sink: Schema) => [sink.title, sink.description])).toEqual(
      registry.list('sink').map((sink) => [`${sink.type} sink`, sink.summary]),
    );
  });

  it('includes components added to the registry', () => {
    const registry = createDefaultRegistry().register(
      defineSink({ type: 'memo', summary: 'Test sink.', config: z.strictObject({ type: z.literal('memo'), label: z.string() }), create: () => createStdoutSink() }),
    );

    const sinks = (pipelineJsonSchema(registry) as Schema).properties.sinks.items.oneOf as Schema[];

    expect(sinks.find((sink) => sink.properties.type.const === 'memo')).toMatchObject({ required: ['type', 'label'], description: 'Test sink.' });
  });

  it('puts no format or pattern on strings, which hold ${VAR} placeholders before interpolation', () => {
    const constrained: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${path}[${index}]`));
      if (node === null || typeof node !== 'object') return;
      if (typeof (node as Schema).format === 'string' || typeof (node as Schema).pattern === 'string') constrained.push(path);
      for (const [key, value] of Object.entries(node)) if (key !== 'examples' && key !== 'default') walk(value, `${path}.${key}`);
    };

    walk(pipelineJsonSchema(), '$');

    expect(constrained).toEqual([]);
  });
});
