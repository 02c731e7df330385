import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import { expressionSchema, type RecordFunction, toExpression } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { filterAsync } from './filter-async';

/**
 * Keeps the records for which the predicate is truthy.
 *
 * @example
 * records$.pipe(filterWhere('integration = "acumulus"'))
 */
export function filterWhere(predicate: RecordFunction<unknown>): MonoTypeOperatorFunction<DataRecord> {
  const expression = toExpression(predicate);
  if (!expression.async) return filter((record) => Boolean(expression.evaluate(record)));
  return filterAsync(async (record) => Boolean(await expression.evaluate(record)));
}

export const filterOperator = defineOperator({
  type: 'filter',
  summary: 'Keeps the records for which an expression is true.',
  config: expressionSchema.meta({ examples: ['integration = "acumulus"', 'active'] }),
  create: (predicate) => filterWhere(predicate),
});
