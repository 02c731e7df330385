import { Observable, of, take } from 'rxjs';
import { inBatches } from '../../src/operators/in-batches';
import { createTestScheduler } from '../helpers/test-scheduler';

/** Emits each value of a batch doubled, and records the batches it was given. */
function doubling(batches: number[][] = [], failOn?: number) {
  return inBatches<number, number>((batch, emit) => {
    batches.push(batch);
    for (const value of batch) {
      if (value === failOn) throw new Error(`cannot take ${value}`);
      emit(value * 2);
    }
  });
}

describe('inBatches', () => {
  it('hands the values that arrive together to one batch, and keeps their order', () => {
    const batches: number[][] = [];
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-(abc)-d-|', { a: 1, b: 2, c: 3, d: 4 });
      expectObservable(source.pipe(doubling(batches))).toBe('-(xyz)-w-|', { x: 2, y: 4, z: 6, w: 8 });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('takes a batch as soon as maxBatch values wait', () => {
    const batches: number[][] = [];
    of(1, 2, 3, 4, 5)
      .pipe(inBatches<number, number>((batch, emit) => (batches.push(batch), batch.forEach(emit)), 2))
      .subscribe();
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('completes without a batch for an empty source', () => {
    const batches: number[][] = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<number>('--|').pipe(doubling(batches))).toBe('--|');
    });
    expect(batches).toEqual([]);
  });

  it('passes an upstream error through after the values before it', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-(b#)', { a: 1, b: 2 }, new Error('page 2 failed')).pipe(doubling())).toBe('-x-(y#)', { x: 2, y: 4 }, new Error('page 2 failed'));
    });
  });

  it('errors when the batch function throws, after what it emitted, and unsubscribes from the source', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-(ab)-c-|', { a: 1, b: 2, c: 3 });
      expectObservable(source.pipe(doubling([], 2))).toBe('-(x#)', { x: 2 }, new Error('cannot take 2'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('unsubscribes from the source when the subscriber does, and drops what was waiting', () => {
    const batches: number[][] = [];
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: 1, b: 2 });
      expectObservable(source.pipe(doubling(batches)), '^--!').toBe('-x-', { x: 2 });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(batches).toEqual([[1]]);
  });

  it('stops a synchronous source one batch ahead of a subscriber that has enough', () => {
    const produced: number[] = [];
    const synchronous$ = new Observable<number>((subscriber) => {
      for (let value = 0; !subscriber.closed && value < 100; value += 1) {
        produced.push(value);
        subscriber.next(value);
      }
    });
    synchronous$.pipe(inBatches<number, number>((batch, emit) => batch.forEach(emit), 3), take(2)).subscribe();
    // The batch of three, and the value that finds the subscriber gone.
    expect(produced).toEqual([0, 1, 2, 3]);
  });

  it('rejects a batch size that is not a whole number above 0', () => {
    expect(() => inBatches(() => {}, 0)).toThrow(RangeError);
    expect(() => inBatches(() => {}, 1.5)).toThrow('maxBatch must be a whole number above 0, got 1.5');
  });
});
