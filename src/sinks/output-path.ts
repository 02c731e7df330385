import { randomBytes } from 'node:crypto';
import { compileFieldPath } from '../expressions/field-path';
import { ExactNumber } from '../json/exact-number';
import { stringifyJson } from '../json/stringify-json';
import type { DataRecord } from '../record';

/** What the placeholders of one run stand for. */
export interface RunPlaceholders {
  /** When the run started: `{date}` and `{timestamp}` (UTC). */
  readonly startedAt: Date;
  /** `{runId}`: one value per run, in every sink's paths and keys. */
  readonly runId: string;
}

/** The placeholders filled once per run, from the time the run started (UTC) and its id. */
const RUN_PLACEHOLDERS: Record<string, (run: RunPlaceholders) => string> = {
  /** `2026-11-29` */
  date: ({ startedAt }) => startedAt.toISOString().slice(0, 10),
  /** ISO 8601 basic format, `20261129T031502Z`: sorts by time and has no `:` to escape. */
  timestamp: ({ startedAt }) => startedAt.toISOString().replace(/\.\d+/, '').replace(/[-:]/g, ''),
  runId: ({ runId }) => runId,
};

const PLACEHOLDER = /\{([^{}]*)\}/g;
const RECORD_FIELD = /^record\.([^.{}]+(?:\.[^.{}]+)*)$/;
/** `{part}` is zero-padded to this many digits, so parts sort by name. */
const PART_DIGITS = 5;
/** The value of `{record.…}` for a missing, null or empty field. */
export const NULL_PARTITION = '__null__';

export const PLACEHOLDER_NAMES = [...Object.keys(RUN_PLACEHOLDERS), 'part', 'record.<field path>'];

/** A run id: the start time (sortable) and a random suffix, e.g. `20261129T031502Z-3f9a1c`. */
export function createRunId(startedAt: Date): string {
  return `${RUN_PLACEHOLDERS.timestamp({ startedAt, runId: '' })}-${randomBytes(3).toString('hex')}`;
}

/** The placeholders a template uses that no output path knows, e.g. `['dat']` for `a-{dat}.csv`. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]).filter((name) => !(name in RUN_PLACEHOLDERS) && name !== 'part' && !RECORD_FIELD.test(name));
}

/** A zod refinement message for a template's unknown placeholders, or undefined. */
export function describeUnknownPlaceholders(template: string): string | undefined {
  const unknown = unknownPlaceholders(template);
  if (unknown.length === 0) return undefined;
  return `unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')} (expected one of: ${PLACEHOLDER_NAMES.map((known) => `{${known}}`).join(', ')})`;
}

type Segment = { readonly text: string } | { readonly part: true } | { readonly field: number };

/**
 * The path of a file sink or the key of an S3 sink, shared by both. `{date}`, `{timestamp}` and
 * `{runId}` are filled once per run; `{part}` counts the outputs of one partition (00000, 00001…);
 * `{record.<field path>}` is a value of each record, URL-encoded (`/` included, so a value never adds
 * a folder, and `.`/`..` spelled `%2E`), `__null__` when missing, null or empty.
 */
export class OutputPath {
  /** The template with the run's placeholders filled in. */
  readonly template: string;
  /** Whether outputs are chosen per record (`{record.…}`). */
  readonly partitioned: boolean;
  /** Whether the path numbers its parts (`{part}`). */
  readonly parted: boolean;
  /** Everything before the first per-record or per-part placeholder. */
  readonly fixedPrefix: string;
  private readonly segments: readonly Segment[];
  private readonly fields: readonly ((record: DataRecord) => unknown)[];

  constructor(template: string, run: RunPlaceholders) {
    this.template = template.replace(PLACEHOLDER, (match, name: string) => RUN_PLACEHOLDERS[name]?.(run) ?? match);
    const segments: Segment[] = [];
    const fields: ((record: DataRecord) => unknown)[] = [];
    let last = 0;
    for (const match of this.template.matchAll(PLACEHOLDER)) {
      const field = RECORD_FIELD.exec(match[1]);
      if (match[1] !== 'part' && !field) continue;
      segments.push({ text: this.template.slice(last, match.index) });
      if (field) {
        segments.push({ field: fields.length });
        fields.push(compileFieldPath(field[1].split('.')));
      } else {
        segments.push({ part: true });
      }
      last = match.index + match[0].length;
    }
    segments.push({ text: this.template.slice(last) });
    this.segments = segments;
    this.fields = fields;
    this.partitioned = fields.length > 0;
    this.parted = segments.some((segment) => 'part' in segment);
    const firstDynamic = segments.findIndex((segment) => !('text' in segment));
    this.fixedPrefix = firstDynamic === -1 ? this.template : segments.slice(0, firstDynamic).map((segment) => ('text' in segment ? segment.text : '')).join('');
  }

  /** Whether `name` is one this path can give (any partition, any part). */
  matches(name: string): boolean {
    const pattern = this.segments.map((segment) => ('text' in segment ? segment.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : 'part' in segment ? '\\d+' : '[^/]*')).join('');
    return new RegExp(`^${pattern}$`).test(name);
  }

  /** The encoded values of a record's `{record.…}` fields, joined: records with the same key share outputs. */
  partitionOf(record: DataRecord): string {
    const { fields } = this;
    if (fields.length === 1) return partitionValue(fields[0](record));
    return fields.map((field) => partitionValue(field(record))).join('/');
  }

  /** The name of part `part` of a partition (its `partitionOf` key). */
  name(partition: string, part: number): string {
    const values = this.partitioned ? partition.split('/') : [];
    return this.segments
      .map((segment) => {
        if ('text' in segment) return segment.text;
        if ('part' in segment) return String(part).padStart(PART_DIGITS, '0');
        return values[segment.field];
      })
      .join('');
  }
}

/** One `{record.…}` value as it appears in a path. */
export function partitionValue(value: unknown): string {
  if (value === undefined || value === null) return NULL_PARTITION;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof ExactNumber) text = value.text;
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = stringifyJson(value);
  else text = String(value);
  if (text === '') return NULL_PARTITION;
  const encoded = encodeURIComponent(text);
  return encoded === '.' || encoded === '..' ? encoded.replace(/\./g, '%2E') : encoded;
}
