import { concatMap, map, type OperatorFunction } from 'rxjs';
import { z } from 'zod';
import { expressionSchema, type RecordFunction, toExpression } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';

/**
 * Builds a new record per input record: each output field is an expression over the input.
 * Field paths are read directly; when any field is a JSONata expression the records are
 * evaluated one after another, so order is kept.
 *
 * @example
 * records$.pipe(mapFields({ id: 'id', company: 'companyName', groups: '$join(customerGroups, ";")' }))
 */
export function mapFields(fields: Readonly<Record<string, RecordFunction<unknown>>>): OperatorFunction<DataRecord, DataRecord> {
  const entries = Object.entries(fields).map(([name, fn]) => ({ name, expression: toExpression(fn) }));
  if (entries.length === 0) throw new RangeError('mapFields needs at least one field');
  if (entries.every(({ expression }) => !expression.async)) {
    return map((record) => {
      const output: DataRecord = {};
      for (const { name, expression } of entries) output[name] = expression.evaluate(record);
      return output;
    });
  }
  return concatMap(async (record) => {
    const output: DataRecord = {};
    for (const { name, expression } of entries) output[name] = await expression.evaluate(record);
    return output;
  });
}

export const mapOperator = defineOperator({
  type: 'map',
  summary: 'Shapes each record: an object of output field → expression.',
  config: z
    .record(z.string().min(1), expressionSchema)
    .refine((fields) => Object.keys(fields).length > 0, 'expected at least one output field')
    .meta({ examples: [{ id: 'id', company: 'companyName', groups: '$join(customerGroups, ";")' }] }),
  create: (fields) => mapFields(fields),
});
