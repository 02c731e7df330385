import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import { expressionSchema, type RecordFunction, toExpression } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { filterAsync } from './filter-async';

export interface DedupOptions {
  /** Called with each record dropped as a duplicate (the run's summary counts them this way). */
  readonly onDuplicate?: (record: DataRecord) => void;
}

/**
 * Emits a record only the first time its key is seen in this subscription; later ones are dropped.
 *
 * Memory grows with the number of distinct keys: every key seen is held until the run ends
 * (about 50–100 bytes per short string key).
 *
 * @example
 * records$.pipe(dedupBy('id'))
 */
export function dedupBy(key: RecordFunction<unknown>, { onDuplicate }: DedupOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  const expression = toExpression(key);
  return (records$) =>
    defer(() => {
      const seen = new Set<unknown>();
      const isFirst = (record: DataRecord, value: unknown): boolean => {
        if (!seen.has(value)) {
          seen.add(value);
          return true;
        }
        onDuplicate?.(record);
        return false;
      };
      if (!expression.async) return records$.pipe(filter((record) => isFirst(record, expression.evaluate(record))));
      return records$.pipe(filterAsync(async (record) => isFirst(record, await expression.evaluate(record))));
    });
}

export const dedupOperator = defineOperator({
  type: 'dedup',
  summary: 'Drops records whose key was already seen in this run (keeps the first).',
  config: z.union([expressionSchema, z.strictObject({ key: expressionSchema })]).meta({ examples: ['id', { key: 'id' }] }),
  create: (config, { metrics }) =>
    dedupBy(typeof config === 'string' ? config : config.key, {
      onDuplicate: () => {
        metrics.duplicates += 1;
      },
    }),
});
