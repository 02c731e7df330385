import { defer, map, type MonoTypeOperatorFunction, tap } from 'rxjs';
import { z } from 'zod';
import { ownValue } from '../expressions/field-path';
import { watchPaths } from '../expressions/unmatched-paths';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { checkedPath, type FieldStepOptions, fieldPathConfig } from './omit-fields';
import { defineField, isPlainObject, PathProblem, readPath, RecordShapeError, removePath, writePath } from './record-fields';

/**
 * Renames fields: each key is the dot path of a field, its value the dot path it moves to
 * (`{ id: customerId }`, `{ 'address.city': city }` lifts it out of `address`). Renames apply in the
 * order given; a field renamed within its object keeps its place there. A record without the field
 * is left as it is. The input record is not changed.
 *
 * A target that the record already has would lose that field's value: the stream ends with a
 * `RecordShapeError` naming the record instead (remove it first with `omitFields`).
 *
 * @example
 * records$.pipe(renameFields({ id: 'customerId', 'address.city': 'city' }))
 */
export function renameFields(renames: Readonly<Record<string, string>>, { logger }: FieldStepOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  const moves = Object.entries(renames).map(([from, to]) => ({ from, to, source: checkedPath('renameFields', from), target: checkedPath('renameFields', to) }));
  if (moves.length === 0) throw new RangeError('renameFields needs at least one field');
  return (records$) =>
    defer(() => {
      const watch = watchPaths(moves.map(({ from }, index) => ({ index, text: from })), 'rename', logger);
      return records$.pipe(
        map((record) => {
          watch?.see(moves.map(({ source }) => readPath(record, source)));
          return moves.reduce((output, move) => renamed(output, move, record), record);
        }),
        tap({ complete: () => watch?.end() }),
      );
    });
}

function renamed(record: DataRecord, { from, to, source, target }: { from: string; to: string; source: string[]; target: string[] }, original: DataRecord): DataRecord {
  const value = readPath(record, source);
  if (value === undefined && !hasPath(record, source)) return record;
  if (hasPath(record, target)) throw new RecordShapeError('rename', to, original, `rename "${from}" to "${to}": the record has a field "${to}" already`);
  // Within one object the key keeps its place: rebuild that object's keys in order.
  if (source.length === target.length && source.slice(0, -1).every((part, index) => part === target[index])) {
    return replaceKey(record, source, target[target.length - 1]);
  }
  try {
    return writePath(removePath(record, source), target, value);
  } catch (error) {
    if (error instanceof PathProblem) throw new RecordShapeError('rename', to, original, `rename "${from}" to "${to}": ${error.message}`);
    throw error;
  }
}

/** Whether the record has an own field at the path (even one holding undefined). */
function hasPath(record: DataRecord, parts: readonly string[]): boolean {
  const parent = parts.length === 1 ? record : readPath(record, parts.slice(0, -1));
  return isPlainObject(parent) && Object.hasOwn(parent, parts[parts.length - 1]);
}

function replaceKey(record: DataRecord, parts: readonly string[], newKey: string): DataRecord {
  const [first, ...rest] = parts;
  const copy: DataRecord = {};
  for (const key of Object.keys(record)) {
    if (key !== first) defineField(copy, key, record[key]);
    else if (rest.length === 0) defineField(copy, newKey, record[key]);
    else defineField(copy, key, replaceKey(ownValue(record, key) as DataRecord, rest, newKey));
  }
  return copy;
}

export const renameOperator = defineOperator({
  type: 'rename',
  summary: 'Renames fields (dot path → new dot path) and keeps the rest of each record.',
  config: z
    .record(fieldPathConfig, fieldPathConfig)
    .refine((renames) => Object.keys(renames).length > 0, 'expected at least one field to rename')
    .refine((renames) => new Set(Object.values(renames)).size === Object.values(renames).length, 'two fields are renamed to the same name')
    .meta({
      description: 'Old dot path → new dot path: `address.city: city` moves the nested field to the top.',
      examples: [{ id: 'customerId', companyName: 'company' }, { 'address.city': 'city' }],
    }),
  create: (renames, { logger }) => renameFields(renames, { logger }),
});
