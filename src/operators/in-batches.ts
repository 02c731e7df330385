import { asapScheduler, Observable, type OperatorFunction, type Subscription, takeWhile } from 'rxjs';

/** How many records a batch holds at most. @default 1000 */
export const MAX_BATCH = 1000;

/**
 * Hands the values that arrive together to `process` as one batch: a source emits a page's records in
 * one synchronous burst, so the batch is taken on the next microtask (`asapScheduler`), when
 * `maxBatch` values wait, or when the source ends. `process` emits its results, in order, and may
 * throw after emitting some; the error then goes downstream and the source is unsubscribed.
 *
 * Values still arrive in order and in the same microtask turn as the page, so a sink's page
 * boundary (`demand`, a macrotask later) sees all of them. A synchronous source runs up to `maxBatch`
 * values (and one more) ahead of a subscriber that stops early.
 *
 * @param process Takes one batch and emits its results; called with batches in order, never re-entered.
 */
export function inBatches<T, R>(process: (batch: T[], emit: (value: R) => void) => void, maxBatch = MAX_BATCH): OperatorFunction<T, R> {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a whole number above 0, got ${maxBatch}`);
  return (source) =>
    new Observable<R>((subscriber) => {
      let batch: T[] = [];
      let scheduled: Subscription | undefined;
      const emit = (value: R) => subscriber.next(value);
      // Returns false when `process` threw: the error has gone downstream.
      const flush = (): boolean => {
        scheduled?.unsubscribe();
        scheduled = undefined;
        while (batch.length > 0 && !subscriber.closed) {
          const taken = batch;
          batch = [];
          try {
            process(taken, emit);
          } catch (error) {
            subscriber.error(error);
            return false;
          }
        }
        return true;
      };
      // The upstream subscription exists only once `subscribe` returns, too late for a synchronous
      // source: `takeWhile` stops it at its next value after the subscriber has closed.
      const upstream = source.pipe(takeWhile(() => !subscriber.closed)).subscribe({
        next(value) {
          batch.push(value);
          if (batch.length >= maxBatch) flush();
          else
            scheduled ??= asapScheduler.schedule(() => {
              scheduled = undefined;
              flush();
            });
        },
        error(error: unknown) {
          if (flush()) subscriber.error(error);
        },
        complete() {
          if (flush()) subscriber.complete();
        },
      });
      return () => {
        upstream.unsubscribe();
        scheduled?.unsubscribe();
        batch = [];
      };
    });
}
