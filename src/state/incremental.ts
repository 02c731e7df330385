import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PageflowError } from '../errors/pageflow-error';
import { StateError } from '../errors/state-error';
import { isPlainPath } from '../expressions/compile-expression';
import { compileFieldPath } from '../expressions/field-path';
import { stringifyJson } from '../json/stringify-json';
import { canonicalKey } from '../operators/canonical-key';
import type { DataRecord } from '../record';
import { duration } from '../sources/http/duration';
import {
  compareCursorValues,
  CURSOR_EXPECTED,
  type CursorKind,
  cursorOrderKey,
  type CursorValue,
  fromCursorText,
  instantBefore,
  toCursorValue,
} from './cursor-value';
import type { CursorState } from './state-document';

const fieldPath = z.string().refine(isPlainPath, { error: 'expected a field path such as createdAt or meta.updatedAt (not a JSONata expression)' });

export const incrementalConfig = z
  .strictObject({
    field: fieldPath.meta({
      description: `Field whose highest value is the cursor, read from each record as the API sends it (before transforms): ${CURSOR_EXPECTED}, compared as instants or numbers.`,
      examples: ['createdAt', 'meta.updated_at'],
    }),
    param: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Query parameter that asks the API for records after the cursor (minus `lookback`): sent on the first request and kept on next links.', examples: ['created_after'] }),
    start: z
      .union([z.string(), z.number()])
      .refine((value) => toCursorValue(value) !== undefined, { error: `expected ${CURSOR_EXPECTED}` })
      .optional()
      .meta({ description: 'Lower bound of the first run (no cursor yet): sent as `param`; records before it are dropped.', examples: ['2024-01-01T00:00:00Z'] }),
    lookback: duration.prefault('0s').meta({
      description: 'Re-read this much before the cursor, for records that appear late with an earlier timestamp; re-read records already exported are dropped. Timestamps only.',
      examples: ['0s', '15m'],
    }),
    key: fieldPath
      .optional()
      .meta({ description: 'Field that identifies a record (e.g. `id`), to tell records already exported from new ones at the same cursor value. Default: the whole record as the API sent it.', examples: ['id'] }),
  })
  .meta({ description: 'Export only the records added since the last successful run; needs a top-level `state`.' });

export type IncrementalOptions = z.input<typeof incrementalConfig>;
export type IncrementalSettings = z.output<typeof incrementalConfig>;

/** Records at one cursor value that the window keeps: identities known, and records not digested yet. */
interface SeenGroup {
  readonly value: CursorValue;
  keys?: Set<string>;
  pending: DataRecord[];
}

/** Records held undigested, across groups, before they are digested in one go. */
const MAX_PENDING = 10_000;

/**
 * Decides, record by record, what an incremental run exports, and works out the next cursor.
 *
 * Boundary rule: the cursor is the highest value read; the next run drops a record when its value is
 * before the cursor minus `lookback`, or at or before the cursor and already exported. "Already
 * exported" is known from the identities the state keeps of every record read at or after the
 * cursor minus `lookback` (with `lookback: 0s`, those sharing the cursor's value): a digest of the
 * value and of the `key` field (default: the whole record as sent). So records that share the
 * boundary value, or arrive late within `lookback`, are exported once: neither lost nor repeated.
 *
 * Records are identified as the source emitted them; digests are taken lazily, so operators must not
 * change records in place (none of pageflow's do).
 */
export class IncrementalTracker {
  /** The cursor this run started from. */
  readonly from?: CursorValue;
  /** Records before this are dropped unseen: the cursor minus `lookback`, or `start` on a first run. */
  readonly lowerBound?: CursorValue;
  private kind?: CursorKind;
  private max?: CursorValue;
  /** Records from here on are remembered: the highest value read, minus `lookback` for instants (in ms and ns). */
  private window?: { readonly top: CursorValue; readonly ms?: number; readonly ns?: number };
  private readonly readValue: (record: DataRecord) => unknown;
  private readonly readKey?: (record: DataRecord) => unknown;
  private readonly exported = new Set<string>();
  /** The records at the highest value read so far: most runs remember only these. */
  private latest?: SeenGroup;
  /** The others the window keeps, by `cursorOrderKey`: saved by the last run, or within `lookback`. */
  private readonly groups = new Map<string, SeenGroup>();
  private pending = 0;
  private pruneAt = 64;

  constructor(
    private readonly settings: IncrementalSettings,
    saved: CursorState | undefined,
    location: string,
  ) {
    this.readValue = compileFieldPath(settings.field.split('.'));
    this.readKey = settings.key === undefined ? undefined : compileFieldPath(settings.key.split('.'));
    if (saved) {
      if (saved.field !== settings.field) {
        throw new StateError(location, `holds a cursor on field "${saved.field}", but source.incremental.field is "${settings.field}": reset the state (pageflow state --reset) to start over`);
      }
      const read = (text: string) => {
        const value = fromCursorText(saved.kind, text);
        if (!value) throw new StateError(location, `holds a cursor value ${JSON.stringify(text)} that is not ${saved.kind === 'instant' ? 'an instant' : 'a number'}`);
        return value;
      };
      this.from = read(saved.value);
      this.kind = saved.kind;
      this.lowerBound = this.before(this.from);
      for (const group of saved.seen) {
        const value = read(group.value);
        this.groups.set(cursorOrderKey(value), { value, keys: new Set(group.keys), pending: [] });
        for (const key of group.keys) this.exported.add(key);
      }
    } else if (settings.start !== undefined) {
      this.lowerBound = toCursorValue(settings.start);
      this.kind = this.lowerBound?.kind;
    }
  }

  /** The query parameter for the first request: `param` = the lower bound, when both are known. */
  params(): Record<string, string> {
    return this.settings.param && this.lowerBound ? { [this.settings.param]: this.lowerBound.text } : {};
  }

  /** Whether to export `record`; throws when its field holds neither an instant nor a number. `where` names the record. */
  accept(record: DataRecord, where: () => string): boolean {
    const raw = this.readValue(record);
    const value = toCursorValue(raw);
    if (!value) throw this.problem(where(), `has ${describeValue(raw)}, expected ${CURSOR_EXPECTED}`);
    if (this.kind !== value.kind) {
      if (this.kind !== undefined) throw this.problem(where(), `has ${describeValue(raw)}, but the cursor is ${this.kind === 'instant' ? 'an instant' : 'a number'}`);
      this.kind = value.kind;
    }
    if (value.kind === 'number' && this.settings.lookback > 0) throw this.problem(where(), 'holds numbers: lookback applies to timestamps only (set lookback: 0s)');

    let keep = true;
    if (this.lowerBound && compareCursorValues(value, this.lowerBound) < 0) keep = false;
    else if (this.from && compareCursorValues(value, this.from) <= 0 && this.exported.has(this.identity(value, record))) keep = false;
    this.remember(value, record);
    return keep;
  }

  /** The cursor after this run: the highest value read (or the one it started from), and the identities the next run needs. */
  result(): CursorState | undefined {
    const top = this.max && (!this.from || compareCursorValues(this.max, this.from) > 0) ? this.max : this.from;
    if (!top || !this.kind) return undefined;
    if (this.latest) this.file(this.latest);
    this.moveWindow(top);
    this.prune();
    const seen = [...this.groups.values()]
      .sort((a, b) => compareCursorValues(a.value, b.value))
      .map((group) => ({ value: group.value.text, keys: [...this.digest(group)].sort() }));
    return { field: this.settings.field, kind: this.kind, value: top.text, seen };
  }

  /**
   * Goes on from a checkpoint of this run: `progress` is what `result()` said there (the highest value
   * read and the identities in its window). The cursor the run started from stays the saved one.
   */
  resumeFrom(progress: CursorState, location: string): void {
    const read = (text: string) => {
      const value = fromCursorText(progress.kind, text);
      if (!value) throw new StateError(location, `holds a checkpoint cursor value ${JSON.stringify(text)} that is not ${progress.kind === 'instant' ? 'an instant' : 'a number'}`);
      return value;
    };
    this.kind = progress.kind;
    for (const group of progress.seen) {
      const value = read(group.value);
      this.groups.set(cursorOrderKey(value), { value, keys: new Set(group.keys), pending: [] });
    }
    const top = read(progress.value);
    if (this.from && compareCursorValues(top, this.from) <= 0) return;
    this.max = top;
    this.moveWindow(top);
    const orderKey = cursorOrderKey(top);
    this.latest = this.groups.get(orderKey) ?? { value: top, pending: [] };
    this.groups.delete(orderKey);
  }

  private remember(value: CursorValue, record: DataRecord): void {
    const order = this.max ? compareCursorValues(value, this.max) : 1;
    if (order === 0) {
      this.latest!.pending.push(record);
    } else if (order > 0) {
      // With no lookback the records below the highest value are out of the window at once.
      if (this.latest && this.settings.lookback > 0) this.file(this.latest);
      else if (this.latest) this.pending -= this.latest.pending.length;
      this.max = value;
      this.moveWindow(value);
      this.latest = { value, pending: [record] };
    } else {
      if (this.settings.lookback === 0 || this.beforeWindow(value)) return;
      this.file({ value, pending: [record] });
    }
    this.pending += 1;
    if (this.pending > MAX_PENDING) {
      for (const group of [this.latest!, ...this.groups.values()]) this.digest(group);
      this.pending = 0;
    }
  }

  /** Puts a group's records with the others at its value. */
  private file(group: SeenGroup): void {
    const orderKey = cursorOrderKey(group.value);
    const same = this.groups.get(orderKey);
    if (same) {
      same.pending.push(...group.pending);
      for (const key of group.keys ?? []) (same.keys ??= new Set()).add(key);
      return;
    }
    this.groups.set(orderKey, group);
    if (this.groups.size > this.pruneAt) {
      this.prune();
      this.pruneAt = Math.max(64, 2 * this.groups.size);
    }
  }

  /** The group's identities, its pending records digested. */
  private digest(group: SeenGroup): Set<string> {
    const keys = (group.keys ??= new Set());
    for (const record of group.pending) keys.add(this.identity(group.value, record));
    group.pending = [];
    return keys;
  }

  /** Drops the groups below the window: all but the highest value's without `lookback`. */
  private prune(): void {
    for (const [orderKey, group] of this.groups) {
      if (this.beforeWindow(group.value)) {
        this.pending -= group.pending.length;
        this.groups.delete(orderKey);
      }
    }
  }

  /** Plain numbers, not a `CursorValue` with its text: this runs for every new highest value. */
  private moveWindow(top: CursorValue): void {
    this.window = top.kind === 'instant' ? { top, ms: top.ms! - this.settings.lookback, ns: top.ns } : { top };
  }

  private beforeWindow(value: CursorValue): boolean {
    const { top, ms, ns } = this.window!;
    // Numbers have no lookback: their window is the highest value.
    if (ms === undefined) return compareCursorValues(value, top) < 0;
    return value.ms! < ms || (value.ms === ms && value.ns! < ns!);
  }

  private before(value: CursorValue): CursorValue {
    return value.kind === 'instant' ? instantBefore(value, this.settings.lookback) : value;
  }

  /** 128 bits of SHA-256 over the value and the record's key (or whole record): never the record itself. */
  private identity(value: CursorValue, record: DataRecord): string {
    const key = this.readKey?.(record);
    const material = key === undefined || key === null ? `r${stringifyJson(record)}` : `k${canonicalKey(key)}`;
    return createHash('sha256').update(cursorOrderKey(value)).update('\0').update(material).digest('base64url').slice(0, 22);
  }

  private problem(where: string, what: string): PageflowError {
    return new PageflowError(`source.incremental.field "${this.settings.field}": ${where} ${what}`, { code: 'PF_INCREMENTAL_VALUE' });
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'no value';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'an object';
  return `the ${typeof value} ${String(value)}`;
}
