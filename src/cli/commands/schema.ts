import { pipelineJsonSchema } from '../../pipeline/json-schema';
import type { CliIo } from '../io';
import { schemaToMarkdown } from '../schema-markdown';

export const SCHEMA_FORMATS = ['json', 'markdown'] as const;
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number];

/**
 * Prints the JSON Schema of pipeline files (`pageflow schema > pipeline.schema.json`), or the
 * README's reference tables generated from it (`--format markdown`).
 */
export async function printSchema({ format = 'json' }: { format?: SchemaFormat }, io: Pick<CliIo, 'stdout'>): Promise<number> {
  const schema = pipelineJsonSchema();
  io.stdout.write(format === 'markdown' ? `${schemaToMarkdown(schema)}\n` : `${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}
