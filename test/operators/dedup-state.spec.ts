import { from, lastValueFrom, toArray } from 'rxjs';
import { CompactKeySet } from '../../src/operators/compact-key-set';
import { dedupBy } from '../../src/operators/dedup-by';
import { HashedKeySet } from '../../src/operators/hashed-key-set';
import { OperatorState } from '../../src/pipeline/operator-state';

describe.each([
  { kind: 'CompactKeySet', make: () => new CompactKeySet() },
  { kind: 'HashedKeySet', make: () => new HashedKeySet() },
])('$kind save/restore', ({ make }) => {
  it('restores every key saved, through base64, and still tells new keys from seen ones', () => {
    const keys = ['a', 'é', 'x'.repeat(300), 42, { nested: [1, 2] }, ...Array.from({ length: 2000 }, (_, index) => `id-${index}`)];
    const set = make();
    for (const key of keys) expect(set.add(key)).toBe(true);
    const restored = make();
    restored.restore(Buffer.from(set.save().toString('base64'), 'base64'));
    expect(restored.size).toBe(keys.length);
    for (const key of keys) expect(restored.add(key)).toBe(false);
    expect(restored.add('id-2000')).toBe(true);
  });
});

describe('dedupBy with an operator state', () => {
  it('saves the keys seen, and a run restored from them drops those keys', async () => {
    const first = new OperatorState();
    const run = (state: OperatorState, ids: number[]) => lastValueFrom(from(ids.map((id) => ({ id }))).pipe(dedupBy('id', { state }), toArray()));
    expect(await run(first, [1, 2, 2, 3])).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const saved = JSON.parse(JSON.stringify(first.save())) as Record<string, unknown>;
    expect(Object.keys(saved)).toEqual(['dedup#1']);
    const resumed = new OperatorState();
    resumed.resumeFrom(saved);
    expect(await run(resumed, [3, 4, 1, 5])).toEqual([{ id: 4 }, { id: 5 }]);
  });
});
