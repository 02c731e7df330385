import { concat, from, lastValueFrom, mergeMap, Observable, of, Subject, take, tap, throwError, timer, toArray } from 'rxjs';
import { mapFields, mapOperator } from '../../src/operators/map-fields';
import { RejectRouter } from '../../src/pipeline/reject-router';
import { RunMetrics } from '../../src/pipeline/run-metrics';
import { silentLogger } from '../../src/logger';
import type { DataRecord } from '../../src/record';
import { createTestScheduler } from '../helpers/test-scheduler';
import { operatorBattery } from './battery';
import { buildSteps, configProblems, recordingLogger, recordingRejects, runSteps } from './steps';

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
      rejects: new RejectRouter(),
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

describe('mapFields in batches, with budgets and rejects', () => {
  const records = [
    { id: 1, name: 'a' },
    { id: 2, name: 'b' },
  ];

  operatorBattery({
    make: () => mapFields({ id: 'id', upper: '$uppercase(name)' }),
    input: { a: records[0], b: records[1] },
    output: { marble: '-x-y-|', values: { x: { id: 1, upper: 'A' }, y: { id: 2, upper: 'B' } } },
    failing: {
      make: () => mapFields({ id: 'id', upper: 'id = 2 ? $error("no upper for 2") : $uppercase(name)' }),
      marble: '-x-#',
      error: expect.objectContaining({ name: 'ExpressionError', step: 'map', field: 'upper', recordNumber: 2, reason: 'no upper for 2' }),
    },
    producedBeforeStop: 50,
  });

  it('evaluates a whole page in one batch and keeps record numbers across batches', async () => {
    const many = Array.from({ length: 2500 }, (_, index) => ({ id: index + 1 }));
    const failing = lastValueFrom(from(many).pipe(mapFields({ n: 'id = 2345 ? $error("stop") : id * 2' }), toArray()));
    await expect(failing).rejects.toMatchObject({ recordNumber: 2345, record: { id: 2345 } });
    expect(await lastValueFrom(from(many).pipe(mapFields({ n: 'id * 2' }), toArray()))).toEqual(many.map(({ id }) => ({ n: id * 2 })));
  });

  it('sends a record an expression fails on to the rejects, with the error naming it', async () => {
    const rejects = recordingRejects();
    const mapped = await lastValueFrom(
      from([{ total: '1' }, { total: 'x' }, { total: '3' }]).pipe(mapFields({ total: '$number(total)' }, { onError: 'reject', rejects }), toArray()),
    );
    expect(mapped).toEqual([{ total: 1 }, { total: 3 }]);
    expect(rejects.rejected).toHaveLength(1);
    expect(rejects.rejected[0]).toMatchObject({ record: { total: 'x' }, step: 'map' });
    expect(String(rejects.rejected[0].error)).toContain('map, field "total": "$number(total)" failed on record 2 ({"total":"x"}): Unable to cast value to a number: "x"');
  });

  it('fails the run on a budget overrun even with onError: reject', async () => {
    const rejects = recordingRejects();
    const recursing = mapFields({ n: '($f := function($x) { $f($x) + 1 }; $f(1))' }, { onError: 'reject', rejects, budget: { timeoutMs: 1000, maxDepth: 50 } });
    await expect(lastValueFrom(from(records).pipe(recursing))).rejects.toMatchObject({
      code: 'PF_EXPRESSION_BUDGET',
      budget: 'depth',
      message: expect.stringContaining('map, field "n": "($f := function($x) { $f($x) + 1 }; $f(1))" failed on record 1 ({"id":1,"name":"a"}): nested deeper than 50'),
    });
    expect(rejects.rejected).toEqual([]);
  });

  it('warns about a field path only when none of the first 1,000 records has it', async () => {
    const logger = recordingLogger();
    const late = [...Array.from({ length: 1000 }, (_, index) => ({ id: index })), { id: 1000, late: 'x' }];
    await lastValueFrom(from(late).pipe(mapFields({ id: 'id', late: 'late', nmae: 'customer.nmae' }, { logger }), toArray()));
    expect(logger.lines).toEqual([
      { level: 'warn', message: 'map: none of the first 1,000 records has a field "late"; is it spelled right?' },
      { level: 'warn', message: 'map: none of the first 1,000 records has a field "customer.nmae" (for "nmae"); is it spelled right?' },
    ]);
  });

  it('warns again in a second run: the watch is per subscription', async () => {
    const logger = recordingLogger();
    const mapped$ = from([{ id: 1 }]).pipe(mapFields({ x: 'missing' }, { logger }));
    await lastValueFrom(mapped$);
    await lastValueFrom(mapped$);
    expect(logger.lines).toHaveLength(2);
  });
});

describe('the `map` transform', () => {
  it('builds from { fields, onError } and takes the pipeline\'s expression budget', async () => {
    const rejects = recordingRejects();
    expect(await runSteps('  - map:\n      fields: { n: $number(n) }\n      onError: reject', [{ n: '1' }, { n: 'x' }], { rejects })).toEqual([{ n: 1 }]);
    expect(rejects.rejected).toHaveLength(1);
    const steps = buildSteps('  - map: { n: "($f := function($x) { $f($x) + 1 }; $f(1))" }', {}, 'expressions: { timeout: 2s, maxDepth: 40 }\n');
    await expect(lastValueFrom(of({ id: 1 }).pipe(steps[0]))).rejects.toThrow('nested deeper than 40 (expressions.maxDepth)');
  });

  it.each([
    { top: 'expressions: { timeout: 0s }\n', problem: 'expressions.timeout: expected a time longer than 0' },
    { top: 'expressions: { maxDepth: 2 }\n', problem: 'expressions.maxDepth: Too small: expected number to be >=10' },
    { top: 'expressions: { timeout: soon }\n', problem: 'expressions.timeout: expected a duration such as 500ms, 2s or 1m, got "soon"' },
  ])('reports a bad expression budget: $problem', ({ top, problem }) => {
    expect(configProblems('  - map: { id: id }', top).join('\n')).toContain(problem);
  });
});
