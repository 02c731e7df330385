import { defer, mergeMap, type OperatorFunction, tap } from 'rxjs';
import { z } from 'zod';
import { watchPaths } from '../expressions/unmatched-paths';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { checkedPath, type FieldStepOptions, fieldPathConfig } from './omit-fields';
import { PathProblem, readPath, RecordShapeError, removePath, writePath } from './record-fields';

export interface ExplodeOptions extends FieldStepOptions {
  /** Dot path the element is written to; the array field is then removed. @default the array's own path */
  readonly as?: string;
  /** What a record whose array is empty (or missing, or null) becomes: one record with null for the element, or none. @default 'keep' */
  readonly empty?: 'keep' | 'drop';
}

/**
 * One record per element of an array field: each a copy of the record with the element in place of
 * the array (or under `as`, the array removed), in the array's order. A record whose array is empty,
 * missing or null is kept with `null` for the element, or dropped (`empty: 'drop'`); a field that
 * holds a single value, not an array, counts as an array of that one value.
 *
 * @example
 * records$.pipe(explodeField('customerGroups', { as: 'group' }))
 */
export function explodeField(field: string, options: ExplodeOptions = {}): OperatorFunction<DataRecord, DataRecord> {
  const { as = field, empty = 'keep', logger } = options;
  if (empty !== 'keep' && empty !== 'drop') throw new RangeError(`explodeField: empty must be "keep" or "drop", got ${JSON.stringify(empty)}`);
  const source = checkedPath('explodeField', field);
  const target = checkedPath('explodeField', as);
  const moved = as !== field;
  return (records$) =>
    defer(() => {
      const watch = watchPaths([{ index: 0, text: field }], 'explode', logger);
      return records$.pipe(
        mergeMap((record) => {
          const value = readPath(record, source);
          watch?.see([value]);
          const elements = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
          if (elements.length === 0 && empty === 'drop') return [];
          const base = moved ? removePath(record, source) : record;
          try {
            return (elements.length === 0 ? [null] : elements).map((element) => writePath(base, target, element));
          } catch (error) {
            if (error instanceof PathProblem) throw new RecordShapeError('explode', as, record, `write "${as}": ${error.message}`);
            throw error;
          }
        }),
        tap({ complete: () => watch?.end() }),
      );
    });
}

export const explodeOperator = defineOperator({
  type: 'explode',
  summary: 'Makes one record per element of an array field (the element in its place, or under `as`).',
  config: z
    .union([
      fieldPathConfig,
      z.strictObject({
        field: fieldPathConfig.meta({ description: 'Dot path of the array field.' }),
        as: fieldPathConfig.optional().meta({ description: 'Dot path the element goes to; the array field is removed. Default: the array\'s own place.' }),
        empty: z
          .enum(['keep', 'drop'])
          .default('keep')
          .meta({ description: 'A record whose array is empty, missing or null: `keep` it once with null for the element, or `drop` it.' }),
      }),
    ])
    .meta({ description: 'The array field\'s dot path, or `{ field, as, empty }`.', examples: ['customerGroups', { field: 'customerGroups', as: 'group', empty: 'drop' }] }),
  create: (config, { logger }) => (typeof config === 'string' ? explodeField(config, { logger }) : explodeField(config.field, { ...config, logger })),
});
