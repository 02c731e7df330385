import { PageflowError } from '../errors/pageflow-error';
import { previewRecord } from '../expressions/expression-error';
import { ownValue } from '../expressions/field-path';
import { ExactNumber } from '../json/exact-number';
import type { DataRecord } from '../record';

/**
 * Sets an own property. Plain assignment would do, except for a key named `__proto__`, where it would
 * set the object's prototype instead (and the field would vanish).
 */
export function defineField(object: DataRecord, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** An object with fields of its own, as a record's nested objects are (not an array, an `ExactNumber` or a class instance). */
export function isPlainObject(value: unknown): value is DataRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof ExactNumber) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** The parts of a dot path (`address.city`); any text between the dots is a field name. */
export function splitPath(path: string): string[] {
  return path.split('.');
}

/**
 * A record is not shaped as a step needs (a field to write into is a list, two fields flatten to one
 * name). The message names the step, the field and the record.
 */
export class RecordShapeError extends PageflowError {
  override name = 'RecordShapeError';

  constructor(
    readonly step: string,
    readonly field: string,
    readonly record: DataRecord,
    readonly problem: string,
  ) {
    super(`${step}: cannot ${problem} (record ${previewRecord(record)})`, { code: 'PF_RECORD_SHAPE' });
  }
}

/** Thrown by the path helpers; the step turns it into a `RecordShapeError` naming itself and the record. */
export class PathProblem extends Error {
  override name = 'PathProblem';
}

/** The value at `parts`, through nested objects only (own properties); undefined where something is missing. */
export function readPath(record: DataRecord, parts: readonly string[]): unknown {
  let value: unknown = record;
  for (const part of parts) {
    if (!isPlainObject(value)) return undefined;
    value = ownValue(value, part);
  }
  return value;
}

/**
 * A copy of `record` with `value` at `parts`: the objects on the way are copied (the input is never
 * changed), missing ones created; an existing key keeps its place. Throws `PathProblem` when a
 * parent on the way is something other than an object.
 */
export function writePath(record: DataRecord, parts: readonly string[], value: unknown): DataRecord {
  const copy: DataRecord = { ...record };
  const [first, ...rest] = parts;
  if (rest.length === 0) {
    defineField(copy, first, value);
    return copy;
  }
  const child = ownValue(record, first);
  if (child !== undefined && !isPlainObject(child)) throw new PathProblem(`"${first}" holds ${describeValue(child)}, not an object`);
  defineField(copy, first, writePath(child ?? {}, rest, value));
  return copy;
}

/** A copy of `record` without the field at `parts` (objects on the way copied), or `record` itself when it has none. */
export function removePath(record: DataRecord, parts: readonly string[]): DataRecord {
  const [first, ...rest] = parts;
  if (!Object.hasOwn(record, first)) return record;
  const copy: DataRecord = { ...record };
  if (rest.length === 0) {
    delete copy[first];
    return copy;
  }
  const child = ownValue(record, first);
  if (!isPlainObject(child)) return record;
  const without = removePath(child, rest);
  if (without === child) return record;
  defineField(copy, first, without);
  return copy;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return value instanceof ExactNumber ? 'a number' : `a ${typeof value}`;
}
