import { lastValueFrom, Observable, type OperatorFunction, take, toArray } from 'rxjs';
import type { DataRecord } from '../../src/record';
import { createTestScheduler } from '../helpers/test-scheduler';

export interface BatteryCase {
  readonly make: () => OperatorFunction<DataRecord, DataRecord>;
  /** Two input records: the source is `-a-b-|`. */
  readonly input: { readonly a: DataRecord; readonly b: DataRecord };
  /** What `-a-b-|` becomes: e.g. `-x-y-|`, or `-(xy)-z-|` for a step making several records of one. */
  readonly output: { readonly marble: string; readonly values: Readonly<Record<string, DataRecord>> };
  /** The step made to fail on record b: the output up to the error, and the error (a matcher will do). */
  readonly failing?: {
    readonly make: () => OperatorFunction<DataRecord, DataRecord>;
    readonly marble: string;
    readonly error: unknown;
    /** What the failing step makes of record a, when not what the step itself does. */
    readonly values?: Readonly<Record<string, DataRecord>>;
  };
  /** How many records a synchronous source gets to emit before a `take(1)` stops it (a batch, for JSONata). @default 1 */
  readonly producedBeforeStop?: number;
}

/** The RxJS battery every step gets: empty source, error passthrough, a throwing callback, early and synchronous unsubscribe, subscription lifetime. */
export function operatorBattery({ make, input, output, failing, producedBeforeStop = 1 }: BatteryCase): void {
  it('maps -a-b-| and holds the source for its whole lifetime', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', input);
      expectObservable(source.pipe(make())).toBe(output.marble, output.values);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('completes without emitting for an empty source', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<DataRecord>('--|').pipe(make())).toBe('--|');
    });
  });

  it('passes an upstream error through', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<DataRecord>('--#', {}, new Error('page 2 failed')).pipe(make())).toBe('--#', {}, new Error('page 2 failed'));
    });
  });

  if (failing) {
    it('errors on the record it cannot take, after the ones before, and unsubscribes from the source', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', input);
        expectObservable(source.pipe(failing.make())).toBe(failing.marble, failing.values ?? output.values, failing.error);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });
  }

  it('unsubscribes from the source when the subscriber does', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', input);
      expectObservable(source.pipe(make()), '^-!').toBe(output.marble.slice(0, output.marble.indexOf('-', 1)), output.values);
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('stops a synchronous source when the subscriber has enough', async () => {
    const produced: number[] = [];
    const synchronous$ = new Observable<DataRecord>((subscriber) => {
      for (let index = 0; !subscriber.closed && index < 50; index += 1) {
        produced.push(index);
        subscriber.next(index % 2 ? input.b : input.a);
      }
    });
    const taken = await lastValueFrom(synchronous$.pipe(make(), take(1), toArray()));
    expect(taken).toHaveLength(1);
    expect(produced).toHaveLength(producedBeforeStop);
  });
}
