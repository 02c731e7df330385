import type { OperatorFunction } from 'rxjs';
import { z } from 'zod';
import { expressionSchema, type RecordFunction } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { type ExpressionStepOptions, expressionStep, onErrorConfig, stepOptions } from './expression-step';
import { defineField } from './record-fields';

/**
 * Builds a new record per input record: each output field is an expression over the input.
 *
 * Field paths and functions are read directly; JSONata expressions are evaluated synchronously, a
 * batch of records per sandbox call, within the time and depth budget of `options.budget`. A record
 * an expression fails on ends the stream with an `ExpressionError`, or goes to `options.rejects`.
 * Output keys are taken as they are (`"address.city"` is one flat key): see `setFields` for paths.
 *
 * @example
 * records$.pipe(mapFields({ id: 'id', company: 'companyName', groups: '$join(customerGroups, ";")' }))
 * @see {@link setFields}
 */
export function mapFields(fields: Readonly<Record<string, RecordFunction<unknown>>>, options: ExpressionStepOptions = {}): OperatorFunction<DataRecord, DataRecord> {
  const names = Object.keys(fields);
  if (names.length === 0) throw new RangeError('mapFields needs at least one field');
  return expressionStep(
    'map',
    names.map((field) => ({ field, expression: fields[field] })),
    options,
    () => (_record, values) => {
      const output: DataRecord = {};
      names.forEach((name, index) => defineField(output, name, values[index]));
      return output;
    },
  );
}

/** Output field → expression: the value of `map` and `set` (and their `fields`). */
export const fieldExpressions = z
  .record(z.string().min(1), expressionSchema)
  .refine((fields) => Object.keys(fields).length > 0, 'expected at least one output field');

const longForm = z.strictObject({ fields: fieldExpressions.meta({ description: 'Output field → expression.' }), onError: onErrorConfig });

export const mapOperator = defineOperator({
  type: 'map',
  summary: 'Shapes each record: an object of output field → expression (or `{ fields, onError }`).',
  config: z.union([longForm, fieldExpressions]).meta({
    examples: [{ id: 'id', company: 'companyName', groups: '$join(customerGroups, ";")' }, { fields: { id: 'id', amount: '$number(amount)' }, onError: 'reject' }],
  }),
  usesRejects: (config) => 'onError' in config && config.onError === 'reject',
  create: (config, context) =>
    isLongForm(config) ? mapFields(config.fields, stepOptions(context, config.onError)) : mapFields(config, stepOptions(context)),
});

/** `{ fields, onError }` rather than a plain field map: its `fields` is an object (a field map's values are expression texts). */
export function isLongForm<T extends { fields: object }>(config: T | Readonly<Record<string, string>>): config is T {
  return typeof (config as { fields?: unknown }).fields === 'object';
}
