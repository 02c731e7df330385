import { readFile } from 'node:fs/promises';
import { type Document, isMap, isScalar, LineCounter, parse, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors/config-error';
import { redact } from '../errors/redact';
import { describeSystemError } from '../errors/describe-system-error';
import { createDefaultRegistry } from './builtins';
import { valueKinds } from './field-schema';
import { interpolateEnv, type LocatedConfigIssue } from './interpolate-env';
import { formatPath, type PathSegment } from './issue-path';
import type { ComponentRegistry } from './registry';
import { type LocatedIssue, type PipelineDefinition, type PipelineFile, pipelineFieldSchema, validatePipelineFile } from './schema';
import { describeYamlError } from './yaml-errors';

/** One `--set path=value`: set before the file is validated. */
export interface Override {
  readonly path: PathSegment[];
  /** The value as written: read as YAML, except where the field takes only text (`{date}.csv` stays text). */
  readonly text: string;
}

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly registry?: ComponentRegistry;
  /** Settings changed before `${VAR}`s are filled in and the file is validated (the CLI's `--set`); problems they cause name them. */
  readonly overrides?: readonly Override[];
  /**
   * `error`: a variable without default that the environment does not set makes the file invalid
   * (what `run` needs). `stand-in`: it is a warning, and a stand-in value is used, so that a file
   * can be checked and listed without its secrets (`validate`, `list`, `test`). @default 'error'
   */
  readonly unset?: 'error' | 'stand-in';
}

/** A valid pipeline file and what loading it found besides. */
export interface LoadedPipeline extends Omit<LoadedPipelineFile, 'file'> {
  readonly definition: PipelineDefinition;
}

/** A valid pipeline file of either shape (one stream or several) and what loading it found besides. */
export interface LoadedPipelineFile {
  readonly file: PipelineFile;
  /** Variables left unset (with `unset: 'stand-in'`), at their places in the file. */
  readonly warnings: readonly ConfigIssue[];
  /** Text stand-ins in `definition`, mapped back to the placeholder each stands for, for display. */
  readonly standIns: ReadonlyMap<string, string>;
  /** The variables the file needs without default that the environment does not set (with `unset: 'stand-in'`). */
  readonly unset: readonly string[];
}

/** Aliases a file may expand (`*anchor`); far more than hand-written files use, far fewer than a "billion laughs" file needs. */
const MAX_ALIAS_COUNT = 1000;

/** Reads a text file; an unreadable one is a `ConfigError` saying why in words. */
export async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${describeSystemError(error)}` }]);
  }
}

/** Reads a single-stream pipeline file (YAML or JSON), fills in `${VAR}`s and validates it; throws `ConfigError` listing every problem. */
export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<PipelineDefinition> {
  return readPipeline(await readConfigFile(file), file, options).definition;
}

/** Like `loadPipeline`, for a file of either shape: one stream or several (`streams:`). */
export async function loadPipelineFile(file: string, options: LoadOptions = {}): Promise<PipelineFile> {
  return readPipelineFile(await readConfigFile(file), file, options).file;
}

/** Like `loadPipeline`, for pipeline text already in memory; `file` names it in messages. */
export function parsePipeline(text: string, file: string, options: LoadOptions = {}): PipelineDefinition {
  return readPipeline(text, file, options).definition;
}

/** Parses, interpolates and validates single-stream pipeline text, returning the definition with the warnings; throws `ConfigError`. */
export function readPipeline(text: string, file: string, options: LoadOptions = {}): LoadedPipeline {
  const { file: pipeline, ...rest } = readPipelineFile(text, file, options);
  if (pipeline.multiStream) {
    const names = pipeline.streams.map((stream) => stream.name).join(', ');
    throw new ConfigError(file, [{ path: 'streams', message: `the file has several streams (${names}): this command takes a pipeline file with a single stream` }]);
  }
  return { definition: pipeline.streams[0], ...rest };
}

/** Parses, interpolates and validates pipeline text of either shape, returning the file with the warnings; throws `ConfigError`. */
export function readPipelineFile(text: string, file: string, { env = process.env, registry = createDefaultRegistry(), overrides = [], unset = 'error' }: LoadOptions = {}): LoadedPipelineFile {
  const source = parseConfigText(text, file, 'pipeline');
  const { document } = source;
  const setIssues = applyOverrides(document, overrides, registry);
  if (setIssues.length > 0) throw new ConfigError(file, setIssues.map((issue) => attributeToOverride(source.locate(issue), overrides)));

  const raw = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  const interpolation = interpolateEnv(raw, { env, unset, schemaAt: (segments) => pipelineFieldSchema(registry, raw, segments) });
  const { file: definition, issues } = validatePipelineFile(interpolation.value, registry);
  const secrets = [...interpolation.secrets];
  // A variable left unset leaves an empty value or a stand-in behind: its own issue says more than the schema's about that value.
  const unsetPaths = new Set([...interpolation.issues, ...interpolation.warnings].map((issue) => issue.path));
  // A problem with a value filled in from the environment says so: the file alone does not show the value.
  const fromEnv = (issue: LocatedIssue): LocatedIssue => {
    const from = interpolation.filledFrom.get(issue.path);
    return from ? { ...issue, message: `${issue.message} (filled in from ${from})` } : issue;
  };
  const all = [...interpolation.issues, ...issues.filter((issue) => !unsetPaths.has(issue.path)).map(fromEnv)];
  const located = (list: readonly (LocatedIssue | LocatedConfigIssue)[]) =>
    list.map((issue) => ({ ...source.locate(issue), message: redact(issue.message, secrets) })).map((issue) => attributeToOverride(issue, overrides));
  if (all.length > 0 || !definition) throw new ConfigError(file, byPosition(located(all)));
  return {
    file: secrets.length > 0 ? { ...definition, streams: definition.streams.map((stream) => ({ ...stream, secrets })) } : definition,
    warnings: byPosition(located(interpolation.warnings)),
    standIns: interpolation.standIns,
    unset: [...interpolation.unset],
  };
}

/** A parsed YAML/JSON configuration file, able to say where a path in it is. */
export interface ConfigText {
  readonly document: Document;
  /** `file:line:col` of the node at the issue's path (its key for `at: 'key'`), or of its nearest existing parent. */
  locate(issue: { segments: PathSegment[]; path: string; message: string; at?: 'key' }): ConfigIssue & { segments: PathSegment[] };
}

/**
 * Parses configuration text (pipeline or test file): an empty file, a YAML syntax error (only the
 * first: the rest mostly follow from it) or an alias bomb is a `ConfigError`; `what` names what the
 * file should hold.
 */
export function parseConfigText(text: string, file: string, what: string): ConfigText {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(file, [describeYamlError(document.errors[0], text, lineCounter)]);
  }
  if (document.contents === null) {
    throw new ConfigError(file, [{ path: '', message: `the file is empty${text.trim() ? ' (only comments)' : ''}: a ${what} file is a YAML mapping; see the README or \`pageflow schema\`` }]);
  }
  try {
    document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ConfigError(file, [{ path: '', message: `its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies: a "billion laughs" file, not a ${what}` }]);
  }
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    document,
    locate: (issue) => {
      const offset = issue.at === 'key' ? keyOffset(document, issue.segments) : nodeOffset(document, issue.segments);
      return { segments: issue.segments, path: issue.path, message: issue.message, ...(offset === undefined ? {} : position(offset)) };
    },
  };
}

/** Issues in the order of the file, top to bottom; those without a line (a `--set`) last. */
function byPosition(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const rank = (issue: ConfigIssue) => (issue.line ?? Number.MAX_SAFE_INTEGER) * 10_000 + (issue.column ?? 0);
  return [...issues].sort((a, b) => rank(a) - rank(b));
}

/** Sets each override in the parsed file. A value is YAML, unless the field takes only text. */
function applyOverrides(document: Document, overrides: readonly Override[], registry: ComponentRegistry): LocatedConfigIssue[] {
  const issues: LocatedConfigIssue[] = [];
  for (const { path, text } of overrides) {
    const issue = (message: string) => issues.push({ segments: path, path: formatPath(path), message });
    const schema = pipelineFieldSchema(registry, document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), path);
    let value: unknown = text;
    if (!schema || valueKinds(schema).some((kind) => kind !== 'string')) {
      try {
        value = parse(text);
      } catch (error) {
        issue(`the value is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
        continue;
      }
    }
    try {
      document.setIn(path, value);
    } catch (error) {
      const scalar = path.findIndex((_segment, length) => length > 0 && isScalar(document.getIn(path.slice(0, length), true)));
      issue(scalar > 0 ? `cannot set it: ${formatPath(path.slice(0, scalar))} holds a single value, not keys or items` : `cannot set it: ${(error as Error).message}`);
    }
  }
  return issues;
}

/** Names the `--set` that put a value where an issue is (at or under its path) instead of a line of the file. */
function attributeToOverride(issue: ConfigIssue & { segments: PathSegment[] }, overrides: readonly Override[]): ConfigIssue {
  const { segments, ...rest } = issue;
  const override = [...overrides].reverse().find(({ path }) => path.length <= segments.length && path.every((segment, index) => String(segment) === String(segments[index])));
  if (!override) return rest;
  const { line: _line, column: _column, ...unlocated } = rest;
  return { ...unlocated, origin: `--set ${formatPath(override.path)}` };
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

/** Where the key at the end of `segments` starts (an unknown key is reported there, not at its value). */
function keyOffset(document: Document, segments: PathSegment[]): number | undefined {
  const parent = segments.length === 1 ? document.contents : document.getIn(segments.slice(0, -1), true);
  const key = segments.at(-1);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
    const range = isScalar(pair?.key) ? pair.key.range : undefined;
    if (range) return range[0];
  }
  return nodeOffset(document, segments);
}
