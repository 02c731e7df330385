import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import { redact } from '../errors/redact';
import { type Interpolation, interpolateEnv } from '../pipeline/interpolate-env';
import { formatPath } from '../pipeline/issue-path';
import { pipelineFields } from '../pipeline/schema';
import { incrementalConfig, type IncrementalSettings } from './incremental';
import { stateConfig, type StateSettings } from './state-config';

export interface PipelineStateSettings {
  readonly name: string;
  readonly state: StateSettings;
  readonly incremental?: IncrementalSettings;
}

const stateParts = z.object({
  name: pipelineFields.name,
  state: stateConfig.optional(),
  source: z.object({ incremental: incrementalConfig.optional() }).optional(),
});

/**
 * Reads only what locates a pipeline's state (its name, `state`, `source.incremental`) from a pipeline
 * file: `pageflow state` works where the pipeline's tokens are not set. Any other part of the file
 * is left for `pageflow validate`.
 */
export async function loadStateSettings(file: string, env: Readonly<Record<string, string | undefined>>): Promise<PipelineStateSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) throw new ConfigError(file, [{ path: '', message: `not valid YAML/JSON: ${document.errors[0].message.split('\n')[0]}` }]);
  const found: Interpolation = { issues: [], values: new Set() };
  const parts = interpolateEnv(document.toJS(), env, found);
  // A token the rest of the file needs may be unset here: only these parts' variables matter.
  const mine = ({ segments: [first, second] }: { segments: readonly unknown[] }) => first === 'name' || first === 'state' || (first === 'source' && second === 'incremental');
  const parsed = stateParts.safeParse(parts);
  const unset = found.issues.filter(mine);
  const schemaIssues = parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  // An unset variable leaves an empty value behind: its own issue says more than the schema's.
  const issues = [...unset, ...schemaIssues.filter((issue) => !unset.some((variable) => variable.path === issue.path))];
  if (parsed.success && !parsed.data.state && issues.length === 0) {
    issues.push({ path: 'state', message: 'the pipeline keeps no state between runs (add state: { path: … } to keep a cursor and a lock)' });
  }
  if (issues.length > 0 || !parsed.success || !parsed.data.state) {
    throw new ConfigError(file, issues.map(({ path, message }) => ({ path, message: redact(message, [...found.values]) })));
  }
  return { name: parsed.data.name, state: parsed.data.state, incremental: parsed.data.source?.incremental };
}
