import type { MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import { expressionSchema, type RecordFunction } from '../expressions/compile-expression';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { CompactKeySet } from './compact-key-set';
import { type ExpressionStepOptions, expressionStep, SKIP, stepOptions } from './expression-step';
import { HashedKeySet } from './hashed-key-set';
import type { OperatorState } from '../pipeline/operator-state';

export interface DedupOptions extends Omit<ExpressionStepOptions, 'onError' | 'rejects'> {
  /** Called with each record dropped as a duplicate (the run's summary counts them this way). */
  readonly onDuplicate?: (record: DataRecord) => void;
  /**
   * Remember a 128-bit hash of each key instead of the key: a fixed 21–43 bytes per key whatever
   * its length, exact unless two keys' SHA-256 digests collide (see `HashedKeySet`). @default false
   */
  readonly hash?: boolean;
  /** Where a checkpoint saves the keys seen so far, and a resumed run restores them. */
  readonly state?: OperatorState;
}

/**
 * Emits a record only the first time its key is seen in this subscription; later ones are dropped.
 *
 * Keys are compared by value: strings and numbers as they are, exact numbers (`ExactNumber`) by their
 * digits, arrays and objects by their JSON text. Records whose key is missing (undefined or null; only
 * a record's own fields count) are always kept.
 * Memory grows with the number of distinct keys: every key seen is held, outside the JavaScript
 * heap, until the run ends: its length in UTF-8 + 1 bytes (+ up to half as much arena slack) plus
 * 11–21 bytes of table, e.g. 46 bytes per 17-character id (see `CompactKeySet`). With `hash: true`
 * each key costs 21–43 bytes, however long.
 *
 * @example
 * records$.pipe(dedupBy('id'))
 */
export function dedupBy(key: RecordFunction<unknown>, options: DedupOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  const { onDuplicate, hash = false, state } = options;
  return expressionStep('dedup', [{ expression: key }], options, () => {
    const seen = hash ? new HashedKeySet() : new CompactKeySet();
    state?.register(hash ? 'dedup-hashed' : 'dedup', seen);
    return (record, values) => {
      const value = values[0];
      // A record without a key cannot be told a duplicate: keep it rather than lose data.
      if (value === undefined || value === null || seen.add(value)) return record;
      onDuplicate?.(record);
      return SKIP;
    };
  }, 'filter');
}

export const dedupOperator = defineOperator({
  type: 'dedup',
  summary: 'Drops records whose key was already seen in this run (keeps the first).',
  config: z
    .union([
      expressionSchema,
      z.strictObject({
        key: expressionSchema,
        hash: z.boolean().default(false).meta({
          description:
            'Remember a 128-bit SHA-256 hash of each key instead of the key: 21–43 bytes per key however long the keys are. ' +
            'Exact unless two keys collide, a chance below n²/2¹²⁸ for n keys (3·10⁻²¹ for a billion).',
        }),
      }),
    ])
    .meta({ examples: ['id', { key: 'id' }, { key: 'id', hash: true }] }),
  create: (config, context) =>
    dedupBy(typeof config === 'string' ? config : config.key, {
      ...stepOptions(context),
      hash: typeof config !== 'string' && config.hash,
      state: context.operatorState,
      onDuplicate: () => {
        context.metrics.duplicates += 1;
      },
    }),
});
