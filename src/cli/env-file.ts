import { parseEnv } from 'node:util';
import { readConfigFile } from '../pipeline/load-pipeline';

/**
 * Reads a dotenv file (`NAME=value` lines, `#` comments, quoted values; Node's own parser) into
 * `env`, the process environment for the CLI, so that `${VAR}`s and the AWS default chain see
 * its variables. A variable already set is kept, as with `node --env-file`: the file gives
 * defaults, the environment decides. The values are treated like the environment's: secrets in
 * every field not marked otherwise, never printed.
 */
export async function loadEnvFile(file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const values = parseEnv(await readConfigFile(file));
  for (const [name, value] of Object.entries(values)) if (env[name] === undefined) env[name] = value;
}
