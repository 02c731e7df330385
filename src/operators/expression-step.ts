import { defer, filter, finalize, map, type Observable, type OperatorFunction } from 'rxjs';
import { z } from 'zod';
import type { ExpressionOptions } from '../expressions/compile-expression';
import { type OnError, RecordExpressions, type NamedExpression } from '../expressions/record-expressions';
import type { Logger } from '../logger';
import type { BuildContext, RejectChannel } from '../pipeline/component';
import type { DataRecord } from '../record';
import { inBatches } from './in-batches';

/** Options of the steps that evaluate expressions (`map`, `set`, `filter`, `dedup`), in code. */
export interface ExpressionStepOptions extends ExpressionOptions {
  /** What a record an expression fails on does: end the run, or go to `rejects`. @default 'fail' */
  readonly onError?: OnError;
  /** Where rejected records go; required with `onError: 'reject'`. */
  readonly rejects?: RejectChannel;
  /** Warned at about field paths that none of the first records has (a typo?). */
  readonly logger?: Logger;
}

/** Returned by a projection for a record that yields no output (filtered out, a duplicate). */
export const SKIP: unique symbol = Symbol('skip');

/**
 * The operator of a step that evaluates `expressions` on each record and makes at most one output of
 * it: `project(record, values)` gives the output, or `SKIP`; `projection` makes one `project` per
 * subscription, so that state such as dedup's keys is never shared by two runs. A `filter`-shaped step
 * only keeps or drops: its `project` gives the record itself or `SKIP`.
 *
 * Without JSONata every record is evaluated as it comes, in one RxJS `map` or `filter`; with JSONata
 * records are evaluated in batches, each batch in one call to the sandbox (see `inBatches`).
 * Evaluation is synchronous either way: no promise per record, and order is kept.
 */
export function expressionStep<R>(
  step: string,
  entries: readonly NamedExpression[],
  options: ExpressionStepOptions,
  projection: () => (record: DataRecord, values: unknown[]) => R | typeof SKIP,
  shape: 'map' | 'filter' = 'map',
): OperatorFunction<DataRecord, R> {
  const { onError = 'fail', rejects, logger } = options;
  if (onError === 'reject' && !rejects) throw new TypeError(`${step}: onError "reject" needs a rejects channel (a \`rejects:\` sink in the pipeline)`);
  const expressions = new RecordExpressions(entries, { step, budget: options.budget });
  return (records$) =>
    defer(() => {
      const project = projection();
      const watch = expressions.watch(logger);
      // `finalize` adds nothing per record (a `tap` would): it also reports on a run cut short (`--limit`).
      const ended = <T>(output$: Observable<T>): Observable<T> => (watch ? output$.pipe(finalize(() => watch.end())) : output$);
      if (!expressions.batched) {
        // One array per subscription, filled anew for each record: `project` reads it and keeps nothing of it.
        const values: unknown[] = [];
        const evaluated = (record: DataRecord): unknown[] => {
          expressions.evaluate(record, values);
          watch?.see(values);
          return values;
        };
        if (onError === 'fail') {
          if (shape === 'filter') return records$.pipe(filter((record) => project(record, evaluated(record)) !== SKIP), ended) as Observable<R>;
          return records$.pipe(map((record) => project(record, evaluated(record)) as R), ended);
        }
        return records$.pipe(
          map((record) => {
            try {
              evaluated(record);
            } catch (error) {
              rejects!.reject(record, step, error);
              return SKIP;
            }
            return project(record, values);
          }),
          filter((output): output is R => output !== SKIP),
          ended,
        );
      }
      let seen = 0;
      return records$.pipe(
        inBatches<DataRecord, R>((batch, emit) => {
          const { rows, rejected, failure } = expressions.evaluateBatch(batch, seen + 1, onError);
          seen += batch.length;
          const errors = new Map(rejected.map(({ index, error }) => [index, error]));
          rows.forEach((values, index) => {
            if (values === undefined) return rejects!.reject(batch[index], step, errors.get(index));
            watch?.see(values);
            const output = project(batch[index], values);
            if (output !== SKIP) emit(output);
          });
          if (failure !== undefined) throw failure;
        }),
        ended,
      );
    });
}

/** `onError:` of `map`, `set` and `filter` in pipeline files. */
export const onErrorConfig = z
  .enum(['fail', 'reject'])
  .default('fail')
  .meta({ description: 'A record an expression fails on: `fail` ends the run; `reject` sends it to the pipeline\'s `rejects:` sink and goes on.' });

/** The expression options a step gets from the pipeline it is built in. */
export function stepOptions(context: BuildContext, onError: OnError = 'fail'): ExpressionStepOptions {
  return { budget: context.expressionBudget, rejects: context.rejects, logger: context.logger, onError };
}
