import { concat, from, lastValueFrom, mergeMap, Observable, of, Subject, take, tap, throwError, timer, toArray } from 'rxjs';
import { mapFields, mapOperator } from '../../src/operators/map-fields';
import { RunMetrics } from '../../src/pipeline/run-metrics';
import { silentLogger } from '../../src/logger';
import type { DataRecord } from '../../src/record';
import { createTestScheduler } from '../helpers/test-scheduler';

const customer = (id: number, overrides: DataRecord = {}): DataRecord => ({
  id: `cst_${id}`,
  companyName: `Company ${id}`,
  primaryEmail: `info${id}@example.nl`,
  address: { street: 'Teststreet 1', city: 'Utrecht' },
  customerGroups: ['cug_1', 'cug_2'],
  ...overrides,
});

describe('mapFields', () => {
  describe('with plain field paths or functions (synchronous)', () => {
    it('builds one record per input record, fields in the order given', () => {
      const input = { a: customer(1), b: customer(2) };
      const output = {
        x: { company: 'Company 1', id: 'cst_1', city: 'Utrecht' },
        y: { company: 'Company 2', id: 'cst_2', city: 'Utrecht' },
      };
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a--b-|', input);
        expectObservable(source.pipe(mapFields({ company: 'companyName', id: 'id', city: 'address.city' }))).toBe('-x--y-|', output);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
      expect(Object.keys(mapFieldsOnce(customer(1), { company: 'companyName', id: 'id' }))).toEqual(['company', 'id']);
    });

    it('sets a missing field to undefined, which the encoders write as empty', () => {
      expect(mapFieldsOnce({ id: 1 }, { id: 'id', city: 'address.city', name: 'name' })).toEqual({ id: 1, city: undefined, name: undefined });
    });

    it('accepts functions from code', () => {
      expect(mapFieldsOnce(customer(7), { domain: (record) => String(record.primaryEmail).split('@')[1], id: 'id' })).toEqual({
        domain: 'example.nl',
        id: 'cst_7',
      });
    });

    it('completes without emitting for an empty source', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<DataRecord>('--|').pipe(mapFields({ id: 'id' }))).toBe('--|');
      });
    });

    it('passes an upstream error through', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        const values = { a: { id: 1 }, x: { key: 1 } };
        expectObservable(cold('-a-#', values, new Error('boom')).pipe(mapFields({ key: 'id' }))).toBe('-x-#', values, new Error('boom'));
      });
    });

    it('errors when a field function throws, and unsubscribes from the source', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const values = { a: { id: 1 }, b: { id: 2 }, x: { key: 1 } };
        const source = cold('-a-b-|', values);
        const key = (record: DataRecord) => {
          if (record.id === 2) throw new Error('cannot map 2');
          return record.id;
        };
        expectObservable(source.pipe(mapFields({ key }))).toBe('-x-#', values, new Error('cannot map 2'));
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('unsubscribes from the source when the subscriber does', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const values = { a: { id: 1 }, b: { id: 2 }, x: { key: 1 } };
        const source = cold('-a-b-|', values);
        expectObservable(source.pipe(mapFields({ key: 'id' })), '^-!').toBe('-x-', values);
        expectSubscriptions(source.subscriptions).toBe('^-!');
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
      synchronous$.pipe(mapFields({ key: 'id' }), take(3)).subscribe();
      expect(produced).toEqual([0, 1, 2]);
    });

    it('rejects an empty field list when it is created', () => {
      expect(() => mapFields({})).toThrow(RangeError);
    });
  });

  describe('with JSONata expressions (in batches)', () => {
    it('evaluates each field, mixed with plain paths, keeping record order', async () => {
      const records = [1, 2, 3, 4, 5].map((id) => customer(id, id === 3 ? { customerGroups: [] } : {}));
      const mapped = await lastValueFrom(
        from(records).pipe(mapFields({ id: 'id', groups: '$join(customerGroups, ";")', upper: '$uppercase(companyName)' }), toArray()),
      );
      expect(mapped).toEqual([
        { id: 'cst_1', groups: 'cug_1;cug_2', upper: 'COMPANY 1' },
        { id: 'cst_2', groups: 'cug_1;cug_2', upper: 'COMPANY 2' },
        { id: 'cst_3', groups: '', upper: 'COMPANY 3' },
        { id: 'cst_4', groups: 'cug_1;cug_2', upper: 'COMPANY 4' },
        { id: 'cst_5', groups: 'cug_1;cug_2', upper: 'COMPANY 5' },
      ]);
    });

    it('gives undefined for a field missing from the record', async () => {
      await expect(lastValueFrom(of({ id: 1 }).pipe(mapFields({ id: 'id', groups: '$join(customerGroups, ";")' })))).resolves.toEqual({
        id: 1,
        groups: undefined,
      });
    });

    it('errors with a message naming the expression when it fails on a record', async () => {
      const failing$ = of(customer(1), customer(2, { companyName: 42 })).pipe(mapFields({ upper: '$uppercase(companyName)' }));
      await expect(lastValueFrom(failing$.pipe(toArray()))).rejects.toThrow(
        /^map, field "upper": "\$uppercase\(companyName\)" failed on record 2 \(\{"id":"cst_2","companyName":42,.*\): Argument 1 of function "uppercase"/,
      );
    });

    it('passes an upstream error through after the records before it', async () => {
      const seen: DataRecord[] = [];
      const failing$ = concat(of(customer(1)), timer(5).pipe(mergeMap(() => throwError(() => new Error('page 2 failed')))));
      await expect(lastValueFrom(failing$.pipe(mapFields({ n: '$length(companyName)' }), tap((record) => seen.push(record))))).rejects.toThrow(
        'page 2 failed',
      );
      expect(seen).toEqual([{ n: 9 }]);
    });

    it('completes for an empty source', async () => {
      await expect(lastValueFrom(from([] as DataRecord[]).pipe(mapFields({ n: '$count(customerGroups)' }), toArray()))).resolves.toEqual([]);
    });

    it('stops evaluating when unsubscribed', async () => {
      const input = new Subject<DataRecord>();
      const received: DataRecord[] = [];
      const subscription = input.pipe(mapFields({ n: '$count(customerGroups)' })).subscribe((record) => received.push(record));
      input.next(customer(1));
      await new Promise((resolve) => setImmediate(resolve));
      subscription.unsubscribe();
      input.next(customer(2));
      await new Promise((resolve) => setImmediate(resolve));
      expect(received).toEqual([{ n: 2 }]);
      expect(input.observed).toBe(false);
    });
  });

  it('builds from the `map` transform config', async () => {
    const operator = mapOperator.create(mapOperator.config.parse({ id: 'id', groups: '$join(customerGroups, ";")' }), {
      metrics: new RunMetrics(),
      logger: silentLogger,
      startedAt: new Date(),
      pipelineDir: process.cwd(),
    });
    await expect(lastValueFrom(of(customer(9)).pipe(operator))).resolves.toEqual({ id: 'cst_9', groups: 'cug_1;cug_2' });
  });
});

/** Runs a synchronous mapFields over one record. */
function mapFieldsOnce(record: DataRecord, fields: Parameters<typeof mapFields>[0]): DataRecord {
  let output: DataRecord | undefined;
  of(record)
    .pipe(mapFields(fields))
    .subscribe((value) => (output = value));
  if (!output) throw new Error('mapFields did not emit synchronously');
  return output;
}
