import { concatMap, filter, from, map, type MonoTypeOperatorFunction } from 'rxjs';

/** `filter` for a promise-returning predicate; records are checked one at a time, so order is kept. */
export function filterAsync<T>(predicate: (value: T) => Promise<boolean>): MonoTypeOperatorFunction<T> {
  return concatMap((value) =>
    from(predicate(value)).pipe(
      filter(Boolean),
      map(() => value),
    ),
  );
}
