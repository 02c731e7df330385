import type { OperatorFunction } from 'rxjs';
import { z } from 'zod';
import { expressionSchema, type RecordFunction } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { OnError } from '../expressions/record-expressions';
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
      for (let index = 0; index < names.length; index += 1) defineField(output, names[index], values[index]);
      return output;
    },
  );
}

/** Output field → expression: the value of `map` and `set` (and their `fields`). */
export const fieldExpressions = z
  .record(z.string().min(1), expressionSchema)
  .refine((fields) => Object.keys(fields).length > 0, 'expected at least one output field');

/**
 * The config of `map` and `set`: a field map, or `{ fields, onError }` (told apart by `fields` holding
 * an object; a field map's values are expression texts). A plain union would report a bad field map
 * as "Invalid input" at the step; checking the field map after the union keeps the message at the
 * field (`map.id: expected string, received number`). No transform: it would drop the `transforms`
 * default from the JSON Schema.
 */
export function fieldMapConfig(fieldsDescription: string, meta: { description?: string; examples: unknown[] }) {
  const longForm = z.strictObject({ fields: fieldExpressions.meta({ description: fieldsDescription }), onError: onErrorConfig });
  // Checked below; to editors and the reference each value is an expression text.
  const anyFieldMap = z.record(z.string(), z.unknown().meta({ type: 'string' }));
  return z
    .union([longForm, anyFieldMap])
    .meta(meta)
    .superRefine((config, context) => {
      if (longForm.safeParse(config).success) return;
      for (const issue of fieldExpressions.safeParse(config).error?.issues ?? []) context.addIssue({ ...issue });
    });
}

/** Either form of a `map`/`set` config (already validated) as `{ fields, onError }`. */
export function fieldMap(config: Readonly<Record<string, unknown>>): { fields: Record<string, string>; onError: OnError } {
  const long = z.strictObject({ fields: fieldExpressions, onError: onErrorConfig }).safeParse(config);
  return long.success ? long.data : { fields: fieldExpressions.parse(config), onError: 'fail' };
}

export const mapOperator = defineOperator({
  type: 'map',
  summary: 'Shapes each record: an object of output field → expression (or `{ fields, onError }`).',
  config: fieldMapConfig('Output field → expression.', {
    examples: [{ id: 'id', company: 'companyName', groups: '$join(customerGroups, ";")' }, { fields: { id: 'id', amount: '$number(amount)' }, onError: 'reject' }],
  }),
  usesRejects: (config) => fieldMap(config).onError === 'reject',
  create: (config, context) => {
    const { fields, onError } = fieldMap(config);
    return mapFields(fields, stepOptions(context, onError));
  },
});
