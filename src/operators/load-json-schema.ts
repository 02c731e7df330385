import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../errors/config-error';

/**
 * Reads the JSON Schema a `validate` step names, relative to the pipeline's folder, while the pipeline
 * is built (before any request): a missing file or one that is not JSON is a `ConfigError` naming it.
 */
export function loadJsonSchema(path: string, pipelineDir: string): { file: string; schema: object } {
  const file = isAbsolute(path) ? path : join(pipelineDir, path);
  const fail = (message: string): never => {
    throw new ConfigError(file, [{ path: '', message }]);
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : message;
    fail(`cannot read the JSON Schema of validate.schema: ${reason}`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    fail(`the JSON Schema of validate.schema is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) fail('the JSON Schema of validate.schema must be a JSON object');
  return { file, schema: schema as object };
}
