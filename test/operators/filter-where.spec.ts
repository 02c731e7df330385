import { concat, from, lastValueFrom, mergeMap, Observable, of, Subject, take, tap, throwError, timer, toArray } from 'rxjs';
import { filterOperator, filterWhere } from '../../src/operators/filter-where';
import { RejectRouter } from '../../src/pipeline/reject-router';
import { RunMetrics } from '../../src/pipeline/run-metrics';
import { silentLogger } from '../../src/logger';
import type { DataRecord } from '../../src/record';
import { createTestScheduler } from '../helpers/test-scheduler';
import { configProblems, recordingRejects, runSteps } from './steps';

const values = {
  a: { id: 1, integration: 'acumulus', active: true, address: { city: 'Utrecht' } },
  b: { id: 2, integration: 'moneybird', active: false, address: { city: 'Zwolle' } },
  c: { id: 3, integration: 'acumulus', active: 1, address: { city: 'Utrecht' } },
  d: { id: 4, integration: 'moneybird', address: null },
};

describe('filterWhere', () => {
  describe('with a plain field path or a function (synchronous)', () => {
    it('keeps the records whose field is truthy', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-d-|', values);
        expectObservable(source.pipe(filterWhere('active'))).toBe('-a---c---|', values);
        expectSubscriptions(source.subscriptions).toBe('^--------!');
      });
    });

    it('reads nested paths and treats a missing parent as falsy', () => {
      const cities = { a: { address: { city: 'Utrecht' } }, b: { address: null }, c: {} };
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('abc|', cities).pipe(filterWhere('address.city'))).toBe('a--|', cities);
      });
    });

    it('completes without emitting for an empty source', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<DataRecord>('---|').pipe(filterWhere('active'))).toBe('---|');
      });
    });

    it('passes an upstream error through', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b-#', values, new Error('boom')).pipe(filterWhere('active'))).toBe('-a---#', values, new Error('boom'));
      });
    });

    it('errors when the predicate throws, and unsubscribes from the source', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', values);
        const predicate = (record: DataRecord) => {
          if (record.id === 2) throw new TypeError('bad record');
          return true;
        };
        expectObservable(source.pipe(filterWhere(predicate))).toBe('-a-#', values, new TypeError('bad record'));
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('unsubscribes from the source when the subscriber does', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', values);
        expectObservable(source.pipe(filterWhere(() => true)), '^---!').toBe('-a-b-', values);
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
    });

    it('stops a synchronous source when the subscriber has enough', () => {
      const produced: number[] = [];
      const synchronous$ = new Observable<DataRecord>((subscriber) => {
        for (let id = 0; !subscriber.closed && id < 10; id += 1) {
          produced.push(id);
          subscriber.next({ id });
        }
      });
      synchronous$.pipe(filterWhere((record) => Number(record.id) % 2 === 1), take(2)).subscribe();
      expect(produced).toEqual([0, 1, 2, 3]);
    });
  });

  describe('with a JSONata expression (in batches)', () => {
    const all = [values.a, values.b, values.c, values.d];

    it('keeps the matching records, in order', async () => {
      await expect(lastValueFrom(from(all).pipe(filterWhere('integration = "acumulus"'), toArray()))).resolves.toEqual([values.a, values.c]);
    });

    it('treats a missing field as false', async () => {
      await expect(lastValueFrom(from(all).pipe(filterWhere('address.city = "Utrecht" and active'), toArray()))).resolves.toEqual([values.a, values.c]);
    });

    it('errors with a message naming the expression when it fails on a record', async () => {
      const failing$ = from(all).pipe(filterWhere('id + integration > 1'));
      await expect(lastValueFrom(failing$)).rejects.toThrow(/^filter: "id \+ integration > 1" failed on record 1 \(\{"id":1,.*\): .*"\+" operator/);
    });

    it('passes an upstream error through after the records before it', async () => {
      const seen: DataRecord[] = [];
      const failing$ = concat(of(values.a, values.b), timer(5).pipe(mergeMap(() => throwError(() => new Error('page 2 failed')))));
      await expect(lastValueFrom(failing$.pipe(filterWhere('integration = "acumulus"'), tap((record) => seen.push(record))))).rejects.toThrow('page 2 failed');
      expect(seen).toEqual([values.a]);
    });

    it('completes for an empty source', async () => {
      await expect(lastValueFrom(from([] as DataRecord[]).pipe(filterWhere('active = true'), toArray()))).resolves.toEqual([]);
    });

    it('stops evaluating when unsubscribed', async () => {
      const input = new Subject<DataRecord>();
      const received: DataRecord[] = [];
      const subscription = input.pipe(filterWhere('$exists(id)')).subscribe((record) => received.push(record));
      input.next(values.a);
      await new Promise((resolve) => setImmediate(resolve));
      subscription.unsubscribe();
      input.next(values.b);
      await new Promise((resolve) => setImmediate(resolve));
      expect(received).toEqual([values.a]);
      expect(input.observed).toBe(false);
    });
  });

  it('builds from the `filter` transform config', async () => {
    const operator = filterOperator.create(filterOperator.config.parse('integration = "moneybird"'), {
      metrics: new RunMetrics(),
      logger: silentLogger,
      startedAt: new Date(),
      pipelineDir: process.cwd(),
      rejects: new RejectRouter(),
    });
    await expect(lastValueFrom(from(Object.values(values)).pipe(operator, toArray()))).resolves.toEqual([values.b, values.d]);
  });
});

describe('the `filter` transform with { where, onError }', () => {
  it('keeps what the condition keeps and sends the records it fails on to the rejects', async () => {
    const rejects = recordingRejects();
    const kept = await runSteps('  - filter: { where: "$number(total) > 2", onError: reject }', [{ total: '3' }, { total: 'x' }, { total: '1' }], { rejects });
    expect(kept).toEqual([{ total: '3' }]);
    expect(rejects.rejected.map(({ record, step }) => [record, step])).toEqual([[{ total: 'x' }, 'filter']]);
    expect(filterOperator.usesRejects?.(filterOperator.config.parse({ where: 'a', onError: 'reject' }))).toBe(true);
    expect(filterOperator.usesRejects?.(filterOperator.config.parse('a'))).toBe(false);
  });

  it('reports an unknown option', () => {
    expect(configProblems('  - filter: { where: active, onErorr: reject }').join('\n')).toContain('transforms[0].filter');
  });
});
