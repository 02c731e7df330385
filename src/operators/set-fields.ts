import type { MonoTypeOperatorFunction } from 'rxjs';
import type { RecordFunction } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { type ExpressionStepOptions, expressionStep, stepOptions } from './expression-step';
import { fieldMap, fieldMapConfig } from './map-fields';
import { defineField, PathProblem, RecordShapeError, splitPath, writePath } from './record-fields';

/**
 * Adds or replaces fields and keeps every other field of the record: each key is the dot path of the
 * field to write (`address.country` writes into the nested object, created when missing), each value
 * an expression over the input record, as `mapFields` has. Every expression sees the record as it
 * came in, not the fields set before it. A replaced field keeps its place; new ones come last. The
 * input record is not changed.
 *
 * A parent on a path that is not an object (`address` holds a string) ends the stream with a
 * `RecordShapeError` naming the record.
 *
 * @example
 * records$.pipe(setFields({ source: '"mkp"', 'address.country': '"NL"', groups: '$join(customerGroups, ";")' }))
 * @see {@link mapFields}
 */
export function setFields(fields: Readonly<Record<string, RecordFunction<unknown>>>, options: ExpressionStepOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  const targets = Object.keys(fields).map((field) => ({ field, parts: splitPath(field) }));
  if (targets.length === 0) throw new RangeError('setFields needs at least one field');
  const empty = targets.find(({ parts }) => parts.includes(''));
  if (empty) throw new RangeError(`setFields: "${empty.field}" is not a field path (an empty name between dots)`);
  return expressionStep(
    'set',
    targets.map(({ field }) => ({ field, expression: fields[field] })),
    options,
    () => (record, values) => {
      let output: DataRecord = { ...record };
      targets.forEach(({ field, parts }, index) => {
        if (parts.length === 1) return defineField(output, field, values[index]);
        try {
          output = writePath(output, parts, values[index]);
        } catch (error) {
          if (error instanceof PathProblem) throw new RecordShapeError('set', field, record, `write "${field}": ${error.message}`);
          throw error;
        }
      });
      return output;
    },
  );
}

export const setOperator = defineOperator({
  type: 'set',
  summary: 'Adds or replaces fields (dot paths → expressions) and keeps the rest of each record.',
  config: fieldMapConfig('Dot path of the field to write → expression.', {
    description: 'Field path → expression, or `{ fields, onError }`. Keys are dot paths: `address.country` writes into `address`.',
    examples: [{ source: '"mkp"', groups: '$join(customerGroups, ";")' }, { 'address.country': '"NL"' }, { fields: { total: '$number(total)' }, onError: 'reject' }],
  }),
  usesRejects: (config) => fieldMap(config).onError === 'reject',
  create: (config, context) => {
    const { fields, onError } = fieldMap(config);
    return setFields(fields, stepOptions(context, onError));
  },
});
