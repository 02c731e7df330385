import type { MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import { expressionSchema, type RecordFunction } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { type ExpressionStepOptions, expressionStep, onErrorConfig, SKIP, stepOptions } from './expression-step';

/**
 * Keeps the records for which the predicate is truthy. A JSONata predicate is evaluated a batch of
 * records at a time, synchronously, within its budget (see `mapFields`).
 *
 * @example
 * records$.pipe(filterWhere('integration = "acumulus"'))
 */
export function filterWhere(predicate: RecordFunction<unknown>, options: ExpressionStepOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  return expressionStep('filter', [{ expression: predicate }], options, () => (record, values) => (values[0] ? record : SKIP), 'filter');
}

export const filterOperator = defineOperator({
  type: 'filter',
  summary: 'Keeps the records for which an expression is true.',
  config: z
    .union([
      expressionSchema,
      z.strictObject({ where: expressionSchema.meta({ description: 'The condition: a field path or a JSONata expression.' }), onError: onErrorConfig }),
    ])
    .meta({ examples: ['integration = "acumulus"', 'active', { where: '$number(total) > 100', onError: 'reject' }] }),
  usesRejects: (config) => typeof config !== 'string' && config.onError === 'reject',
  create: (config, context) =>
    typeof config === 'string' ? filterWhere(config, stepOptions(context)) : filterWhere(config.where, stepOptions(context, config.onError)),
});
