import { from, lastValueFrom, toArray } from 'rxjs';
import { dedupBy, dedupOperator } from '../../src/operators/dedup-by';
import { canonicalKey } from '../../src/operators/canonical-key';
import { CompactKeySet } from '../../src/operators/compact-key-set';
import { HashedKeySet } from '../../src/operators/hashed-key-set';
import { silentLogger } from '../../src/logger';
import { RejectRouter } from '../../src/pipeline/reject-router';
import { RunMetrics } from '../../src/pipeline/run-metrics';
import type { DataRecord } from '../../src/record';
import { createTestScheduler } from '../helpers/test-scheduler';

const dedupe = (records: readonly DataRecord[], key: string | ((record: DataRecord) => unknown) = 'id') =>
  lastValueFrom(from(records).pipe(dedupBy(key, { hash: true }), toArray()));

describe('dedupBy with hash: true', () => {
  it('drops records whose key was already seen and keeps the first', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: { id: 'cst_1', n: 1 }, b: { id: 'cst_2', n: 2 }, c: { id: 'cst_1', n: 3 }, d: { id: 'cst_3', n: 4 } };
      const source = cold('-a-b-c-d-|', values);
      expectObservable(source.pipe(dedupBy('id', { hash: true }))).toBe('-a-b---d-|', values);
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('keeps the same records as the exact dedup for every kind of key', async () => {
    const keys: unknown[] = ['1', 1, -0, 0, NaN, NaN, true, 'true', null, 'null', undefined, '', '\0', '\0n1', [1, 2], [1, 2], { a: 1 }, '{"a":1}', 10n, '10'];
    const records = keys.map((key, index) => ({ key, index }));
    const exact = await lastValueFrom(from(records).pipe(dedupBy((record) => record.key), toArray()));
    const hashed = await dedupe(records, (record) => record.key);
    expect(hashed.map((record) => record.index)).toEqual(exact.map((record) => record.index));
    // 1 and "1" differ, -0 and 0 are one key, NaN equals NaN, objects compare by their JSON text (but never equal a string).
    expect(hashed.map((record) => record.index)).toEqual([0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19]);
  });

  it('tells apart strings that differ only in a lone surrogate', async () => {
    const kept = await dedupe([{ id: 'a\uD800' }, { id: 'a\uD801' }, { id: 'a\uFFFD' }, { id: 'a\uD800' }, { id: '😀' }, { id: '😀' }]);
    expect(kept.map((record) => record.id)).toEqual(['a\uD800', 'a\uD801', 'a\uFFFD', '😀']);
  });

  it('stays exact while the table grows far past its first size', async () => {
    const records = Array.from({ length: 20_000 }, (_, index) => ({ id: `cst_${index % 15_000}` }));
    const kept = await dedupe(records);
    expect(kept).toHaveLength(15_000);
    expect(kept.at(-1)).toEqual({ id: 'cst_14999' });
  });

  it('keeps keys per subscription, so two runs never share them', async () => {
    const deduped$ = from([{ id: 1 }, { id: 1 }]).pipe(dedupBy('id', { hash: true }));
    expect(await lastValueFrom(deduped$.pipe(toArray()))).toEqual([{ id: 1 }]);
    expect(await lastValueFrom(deduped$.pipe(toArray()))).toEqual([{ id: 1 }]);
  });

  it('is chosen in a pipeline file with { key, hash: true }, and counts the duplicates', async () => {
    const config = dedupOperator.config.parse({ key: 'id', hash: true });
    const metrics = new RunMetrics();
    const operator = dedupOperator.create(config, { metrics, logger: silentLogger, startedAt: new Date(), pipelineDir: process.cwd(), rejects: new RejectRouter() });
    const kept = await lastValueFrom(from([{ id: 'x' }, { id: 'x' }, { id: 'y' }]).pipe(operator, toArray()));
    expect(kept).toEqual([{ id: 'x' }, { id: 'y' }]);
    expect(metrics.duplicates).toBe(1);
  });

  it('rejects a hash option that is not a boolean', () => {
    expect(dedupOperator.config.safeParse({ key: 'id', hash: 'yes' }).success).toBe(false);
  });
});

describe('HashedKeySet', () => {
  it('holds 16 bytes per slot and at most 43 bytes per key, however long the keys are', () => {
    const set = new HashedKeySet();
    const long = 'x'.repeat(200);
    let added = 0;
    for (let index = 0; index < 50_000; index += 1) if (set.add(`${long}${index}`)) added += 1;
    expect(added).toBe(50_000);
    expect(set.size).toBe(50_000);
    expect(set.byteLength / set.size).toBeLessThanOrEqual(43);
    expect(set.byteLength / set.size).toBeGreaterThanOrEqual(16);
    expect(set.add(`${long}49999`)).toBe(false);
  });
});

describe('CompactKeySet (the exact dedup)', () => {
  it('finds every duplicate among keys of all lengths and scripts', () => {
    const set = new CompactKeySet();
    const keys = Array.from({ length: 20_000 }, (_, index) => `${'é'.repeat(index % 300)}${index}😀`);
    expect(keys.filter((key) => set.add(key))).toHaveLength(20_000);
    expect(keys.filter((key) => set.add(key))).toHaveLength(0);
    expect(set.size).toBe(20_000);
  });

  it('holds each key as its length and its UTF-8 bytes, short ASCII keys as much as long and non-ASCII ones', () => {
    const keys = ['cst_0001', 'x'.repeat(64), 'y'.repeat(65), 'café', `${'z'.repeat(63)}é`, ''];
    const set = new CompactKeySet();
    for (const key of keys) set.add(key);
    const expected = keys.map((key) => {
      const bytes = Buffer.from(canonicalKey(key), 'utf8');
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    });
    expect(set.save()).toEqual(Buffer.concat(expected));
  });

  it('stays exact when every key hashes alike: keys are compared byte for byte', () => {
    const set = new CompactKeySet();
    Object.defineProperty(set, 'hash', { value: () => 7 });
    expect(['ab', 'ba', 'a', 'ab', '', 'b', 'ba', ''].map((key) => set.add(key))).toEqual([true, true, true, false, true, true, false, false]);
  });

  it('keeps keys exact across the chunks of its arena (60,000 ids fill five), a key larger than a chunk included; save and takeAdded give every entry in order', () => {
    const set = new CompactKeySet();
    const keys = [...Array.from({ length: 60_000 }, (_, index) => `cst_${String(index).padStart(13, '0')}`), 'k'.repeat(2 ** 20 + 10), 'after the big one'];
    const entry = (key: string) => {
      const bytes = Buffer.from(canonicalKey(key), 'utf8');
      const length: number[] = [];
      for (let rest = bytes.length; ; rest = Math.floor(rest / 128)) {
        length.push(rest >= 0x80 ? (rest & 0x7f) | 0x80 : rest);
        if (rest < 0x80) break;
      }
      return Buffer.concat([Buffer.from(length), bytes]);
    };
    const half = 40_000;
    keys.slice(0, half).forEach((key) => set.add(key));
    const first = set.takeAdded();
    expect(keys.slice(half).every((key) => set.add(key))).toBe(true);
    expect(keys.every((key) => !set.add(key))).toBe(true);
    const added = set.takeAdded();
    // Buffer#equals: Jest's toEqual walks a 2 MB buffer byte by byte for seconds.
    expect(Buffer.concat([first, added]).equals(Buffer.concat(keys.map(entry)))).toBe(true);
    expect(set.save().equals(Buffer.concat([first, added]))).toBe(true);
    const restored = new CompactKeySet();
    restored.restore(set.save());
    expect(restored.size).toBe(keys.length);
    expect(keys.every((key) => !restored.add(key))).toBe(true);
    expect(restored.add('new')).toBe(true);
  });

  it('holds a 17-character id in under 45 bytes', () => {
    const set = new CompactKeySet();
    for (let index = 0; index < 100_000; index += 1) set.add(`cst_${String(index).padStart(13, '0')}`);
    expect(set.byteLength / set.size).toBeLessThan(45);
  });
});
