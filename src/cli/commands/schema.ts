import { pipelineJsonSchema } from '../../pipeline/json-schema';
import type { CliIo } from '../io';

/** Prints the JSON Schema of pipeline files: `pageflow schema > pipeline.schema.json`. */
export async function printSchema(io: Pick<CliIo, 'stdout'>): Promise<number> {
  io.stdout.write(`${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`);
  return 0;
}
