import { ConfigError } from '../errors/config-error';
import { readConfigFile, readPipeline } from '../pipeline/load-pipeline';
import { incrementalConfig, type IncrementalSettings } from './incremental';
import type { StateSettings } from './state-config';

export interface PipelineStateSettings {
  readonly name: string;
  readonly state: StateSettings;
  readonly incremental?: IncrementalSettings;
}

/**
 * What locates a pipeline's state (its name, `state`, `source.incremental`), from a pipeline file read
 * as `validate` reads it: `pageflow state` works where the pipeline's tokens are not set, but not
 * where a variable the state's own settings need is missing.
 */
export async function loadStateSettings(file: string, env: Readonly<Record<string, string | undefined>>): Promise<PipelineStateSettings> {
  const { definition, warnings } = readPipeline(await readConfigFile(file), file, { env, unset: 'stand-in' });
  const needed = warnings.filter(({ path }) => path === 'name' || path.startsWith('state') || path.startsWith('source.incremental'));
  if (needed.length > 0) throw new ConfigError(file, needed);
  if (!definition.state) {
    throw new ConfigError(file, [{ path: 'state', message: 'the pipeline keeps no state between runs (add state: { path: … } to keep a cursor and a lock)' }]);
  }
  return { name: definition.name, state: definition.state, incremental: incrementalConfig.optional().parse(definition.source.incremental) };
}
