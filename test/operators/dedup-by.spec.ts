import { concat, from, lastValueFrom, mergeMap, Observable, of, Subject, take, tap, throwError, timer, toArray } from 'rxjs';
import { dedupBy, dedupOperator } from '../../src/operators/dedup-by';
import { RejectRouter } from '../../src/pipeline/reject-router';
import { RunMetrics } from '../../src/pipeline/run-metrics';
import { silentLogger } from '../../src/logger';
import type { DataRecord } from '../../src/record';
import { ExactNumber } from '../../src/json/exact-number';
import { parseJson } from '../../src/json/parse-json';
import { createTestScheduler } from '../helpers/test-scheduler';
import { recordingLogger } from './steps';

const values = {
  a: { id: 1, email: 'A@example.nl' },
  b: { id: 2, email: 'b@example.nl' },
  c: { id: 1, email: 'a@example.nl' },
  d: { id: 3, email: 'a@EXAMPLE.nl' },
};

describe('dedupBy', () => {
  describe('with a plain field path (synchronous)', () => {
    it('drops records whose key was already seen and keeps the first', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-d-|', values);
        expectObservable(source.pipe(dedupBy('id'))).toBe('-a-b---d-|', values);
        expectSubscriptions(source.subscriptions).toBe('^--------!');
      });
    });

    it('keeps every record whose key is missing, since none can be told a duplicate', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        const keyless = { e: { name: 'x' }, f: { name: 'y' }, g: { id: null }, a: values.a, c: values.c };
        expectObservable(cold('-e-f-g-a-c-|', keyless).pipe(dedupBy('id'))).toBe('-e-f-g-a---|', keyless);
      });
    });

    it('completes without emitting for an empty source', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<DataRecord>('--|').pipe(dedupBy('id'))).toBe('--|');
      });
    });

    it('passes an upstream error through', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-c-#', values, new Error('page 3 failed')).pipe(dedupBy('id'))).toBe('-a---#', values, new Error('page 3 failed'));
      });
    });

    it('errors when the key function throws, and unsubscribes from the source', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', values);
        const failing = dedupBy((record) => {
          if (record.id === 2) throw new Error('no key');
          return record.id;
        });
        expectObservable(source.pipe(failing)).toBe('-a-#', values, new Error('no key'));
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('unsubscribes from the source when the subscriber does', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-d-|', values);
        expectObservable(source.pipe(dedupBy('id')), '^--!').toBe('-a-', values);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('stops a synchronous source when the subscriber has enough', () => {
      const produced: number[] = [];
      const synchronous$ = new Observable<DataRecord>((subscriber) => {
        for (let id = 0; !subscriber.closed && id < 10; id += 1) {
          produced.push(id);
          subscriber.next({ id: id % 2 });
        }
      });
      synchronous$.pipe(dedupBy('id'), take(2)).subscribe();
      expect(produced).toEqual([0, 1]);
    });

    it('keeps keys per subscription, so two runs never share them', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        const deduped = cold('-a-c-b-|', values).pipe(dedupBy('id'));
        expectObservable(deduped).toBe('-a---b-|', values);
        expectObservable(deduped).toBe('-a---b-|', values);
      });
    });

    it('reads nested keys by dot path', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        const nested = { a: { owner: { id: 'x' } }, b: { owner: { id: 'y' } }, c: { owner: { id: 'x' } } };
        expectObservable(cold('abc|', nested).pipe(dedupBy('owner.id'))).toBe('ab-|', nested);
      });
    });

    it('reports each dropped record', () => {
      const dropped: DataRecord[] = [];
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('abca|', values).pipe(dedupBy('id', { onDuplicate: (record) => dropped.push(record) }))).toBe('ab--|', values);
      });
      expect(dropped).toEqual([values.c, values.a]);
    });
  });

  describe('with a JSONata expression (in batches)', () => {
    it('drops duplicates by the computed key, in order', async () => {
      const records = [values.a, values.b, values.c, values.d];
      await expect(lastValueFrom(from(records).pipe(dedupBy('$lowercase(email)'), toArray()))).resolves.toEqual([values.a, values.b]);
    });

    it('compares composite keys by value', async () => {
      const records = [
        { id: 1, region: 'nl' },
        { id: 1, region: 'be' },
        { id: 1, region: 'nl' },
      ];
      await expect(lastValueFrom(from(records).pipe(dedupBy('[id, region]'), toArray()))).resolves.toEqual(records.slice(0, 2));
    });

    it('keeps keys per subscription', async () => {
      const deduped$ = from([values.a, values.c]).pipe(dedupBy('$string(id)'));
      await expect(lastValueFrom(deduped$.pipe(toArray()))).resolves.toEqual([values.a]);
      await expect(lastValueFrom(deduped$.pipe(toArray()))).resolves.toEqual([values.a]);
    });

    it('errors when the expression fails on a record', async () => {
      const records = [{ id: '1' }, { id: 'x' }, { id: '3' }];
      await expect(lastValueFrom(from(records).pipe(dedupBy('id = "x" ? $error("no key for x") : id'), toArray()))).rejects.toThrow('no key for x');
    });

    it('passes an upstream error through after the records before it', async () => {
      const seen: DataRecord[] = [];
      // The error comes a little later, as a failing page does: an error passes through at once and drops records still being evaluated.
      const failing$ = concat(of(values.a, values.c, values.b), timer(5).pipe(mergeMap(() => throwError(() => new Error('page 2 failed')))));
      await expect(lastValueFrom(failing$.pipe(dedupBy('$string(id)'), tap((record) => seen.push(record))))).rejects.toThrow('page 2 failed');
      expect(seen).toEqual([values.a, values.b]);
    });

    it('completes for an empty source', async () => {
      await expect(lastValueFrom(from([] as DataRecord[]).pipe(dedupBy('$string(id)'), toArray()))).resolves.toEqual([]);
    });

    it('stops evaluating when unsubscribed', async () => {
      const input = new Subject<DataRecord>();
      const received: DataRecord[] = [];
      const subscription = input.pipe(dedupBy('$string(id)')).subscribe((record) => received.push(record));
      input.next(values.a);
      await new Promise((resolve) => setImmediate(resolve));
      subscription.unsubscribe();
      input.next(values.b);
      await new Promise((resolve) => setImmediate(resolve));
      expect(received).toEqual([values.a]);
      expect(input.observed).toBe(false);
    });
  });

  describe('as the `dedup` transform', () => {
    const context = () => ({ metrics: new RunMetrics(), logger: silentLogger, startedAt: new Date(), pipelineDir: process.cwd(), rejects: new RejectRouter() });

    it.each([{ config: 'id' }, { config: { key: 'id' } }])('accepts $config and counts what it dropped in the run metrics', async ({ config }) => {
      const build = context();
      const operator = dedupOperator.create(dedupOperator.config.parse(config), build);
      await expect(lastValueFrom(from([values.a, values.b, values.c, values.a]).pipe(operator, toArray()))).resolves.toEqual([values.a, values.b]);
      expect(build.metrics.duplicates).toBe(2);
    });
  });
});

describe('dedupBy and what records hold', () => {
  const dedupe = (records: DataRecord[], key: string) => lastValueFrom(from(records).pipe(dedupBy(key), toArray()));

  it('keeps apart exact numbers that a JavaScript number would take for one', async () => {
    const records = parseJson('[{"id":9007199254740993},{"id":9007199254740992},{"id":9007199254740993},{"id":12345678901234567890}]') as DataRecord[];
    expect((await dedupe(records, 'id')).map((record) => String(record.id))).toEqual(['9007199254740993', '9007199254740992', '12345678901234567890']);
  });

  it('keeps exact numbers in composite keys apart from strings of the same digits', async () => {
    const records = [{ id: new ExactNumber('12345678901234567890') }, { id: '12345678901234567890' }];
    expect(await lastValueFrom(from(records).pipe(dedupBy((record) => [record.id]), toArray()))).toEqual(records);
  });

  it('keeps every record that has no own field of the key, whatever its name', async () => {
    const records = [{ id: 1 }, { id: 2 }];
    expect(await dedupe(records, 'constructor')).toEqual(records);
    expect(await dedupe(records, 'toString')).toEqual(records);
    expect(await dedupe(records, '__proto__')).toEqual(records);
  });

  it('deduplicates by an own field named like an inherited one', async () => {
    const records = JSON.parse('[{"constructor":"a","__proto__":1},{"constructor":"a","__proto__":2},{"constructor":"b","__proto__":1}]') as DataRecord[];
    expect(await dedupe(records, 'constructor')).toEqual([records[0], records[2]]);
    expect(await dedupe(records, '__proto__')).toEqual([records[0], records[1]]);
  });

  it('warns once when none of the records has the key field', async () => {
    const logger = recordingLogger();
    await lastValueFrom(from([{ id: 1 }, { id: 2 }]).pipe(dedupBy('ID', { logger }), toArray()));
    expect(logger.lines.map(({ message }) => message)).toEqual(['dedup: none of the 2 records has a field "ID"; is it spelled right?']);
  });
});
