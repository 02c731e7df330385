import type { PipelineDefinition } from '../pipeline/schema';

/**
 * The definition with `params` added to its source's query parameters: the incremental lower bound
 * reaches the first request this way, and the source puts its params back on next links.
 */
export function withSourceParams(definition: PipelineDefinition, params: Readonly<Record<string, string>>): PipelineDefinition {
  if (Object.keys(params).length === 0) return definition;
  const current = definition.source.params;
  const base = current !== null && typeof current === 'object' ? current : {};
  return { ...definition, source: { ...definition.source, params: { ...base, ...params } } };
}
