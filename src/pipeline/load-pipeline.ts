import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors/config-error';
import { redact } from '../errors/redact';
import { createDefaultRegistry } from './builtins';
import { type Interpolation, interpolateEnv } from './interpolate-env';
import type { PathSegment } from './issue-path';
import type { ComponentRegistry } from './registry';
import { type PipelineDefinition, validatePipeline } from './schema';

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly registry?: ComponentRegistry;
  /** Changes the parsed file before `${VAR}`s are filled in and it is validated (the CLI's `--set`). */
  readonly edit?: (document: Document) => void;
}

/** Reads a pipeline file (YAML or JSON), fills in `${VAR}`s and validates it; throws `ConfigError` listing every problem. */
export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<PipelineDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : message;
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${reason}` }]);
  }
  return parsePipeline(text, file, options);
}

/** Like `loadPipeline`, for pipeline text already in memory; `file` names it in messages. */
export function parsePipeline(text: string, file: string, { env = process.env, registry = createDefaultRegistry(), edit }: LoadOptions = {}): PipelineDefinition {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: '', message: `not valid YAML/JSON: ${error.message.split('\n')[0]}`, line, column: col };
      }),
    );
  }
  edit?.(document);

  const locate = (issue: { segments: PathSegment[]; path: string; message: string }): ConfigIssue => {
    const offset = nodeOffset(document, issue.segments);
    if (offset === undefined) return { path: issue.path, message: issue.message };
    const { line, col } = lineCounter.linePos(offset);
    return { path: issue.path, message: issue.message, line, column: col };
  };

  const interpolation: Interpolation = { issues: [], values: new Set() };
  const raw = interpolateEnv(document.toJS(), env, interpolation);
  const { definition, issues } = validatePipeline(raw, registry);
  // An unset variable leaves an empty value behind: its own issue says more than the schema's about that value.
  const unset = new Set(interpolation.issues.map((issue) => issue.path));
  const all = [...interpolation.issues, ...issues.filter((issue) => !unset.has(issue.path))];
  if (all.length > 0 || !definition) {
    const secrets = [...interpolation.values];
    throw new ConfigError(file, all.map((issue) => ({ ...locate(issue), message: redact(issue.message, secrets) })));
  }
  return definition;
}

/** Where the node at `segments` starts, or its nearest existing parent when the key is missing. */
function nodeOffset(document: Document, segments: PathSegment[]): number | undefined {
  for (let length = segments.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(segments.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return range[0];
  }
  return undefined;
}
