import { map, type MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { defineField, isPlainObject, RecordShapeError } from './record-fields';

export interface FlattenOptions {
  /** Between the names of a nested field's parents and its own: `address_city`. @default '_' */
  readonly separator?: string;
}

/**
 * Turns nested objects into top-level fields, for flat outputs such as CSV: `{ address: { city } }`
 * becomes `{ address_city }`, at any depth, in the order of the fields. Arrays are values and stay as
 * they are (CSV writes them as JSON; `explodeField` makes a record per element); so do empty objects
 * (written `{}`), numbers kept exact, and everything that is not an object.
 *
 * Two fields that would get the same name (`address_city` and `address.city`) end the stream with a
 * `RecordShapeError` naming the record: one of them would be lost.
 *
 * @example
 * records$.pipe(flattenRecord({ separator: '.' }))
 */
export function flattenRecord({ separator = '_' }: FlattenOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  if (typeof separator !== 'string') throw new TypeError('flattenRecord: separator must be a string');
  return map((record) => {
    // Most records have no nested object: they pass as they are.
    if (!Object.keys(record).some((key) => isNestedObject(record[key]))) return record;
    const output: DataRecord = {};
    flattenInto(output, record, '', separator, record);
    return output;
  });
}

function isNestedObject(value: unknown): value is DataRecord {
  return isPlainObject(value) && Object.keys(value).length > 0;
}

function flattenInto(output: DataRecord, object: DataRecord, prefix: string, separator: string, record: DataRecord): void {
  for (const key of Object.keys(object)) {
    const name = prefix + key;
    const value = object[key];
    if (isNestedObject(value)) {
      flattenInto(output, value, name + separator, separator, record);
      continue;
    }
    if (Object.hasOwn(output, name)) throw new RecordShapeError('flatten', name, record, `name two fields "${name}"`);
    defineField(output, name, value);
  }
}

export const flattenOperator = defineOperator({
  type: 'flatten',
  summary: 'Turns nested objects into top-level fields (`address_city`); arrays stay values.',
  config: z
    .strictObject({
      separator: z.string().default('_').meta({ description: 'Between a nested field\'s parent names and its own: `address_city`.', examples: ['_', '.'] }),
    })
    .meta({ examples: [{ separator: '_' }, {}] }),
  create: ({ separator }) => flattenRecord({ separator }),
});
