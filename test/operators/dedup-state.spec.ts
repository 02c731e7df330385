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

  it('hands out each added key once through takeAdded; the pieces one after another restore the set', () => {
    const set = make();
    const pieces: Uint8Array[] = [];
    for (const [from, to] of [[0, 300], [300, 300], [300, 1000]]) {
      for (let index = from; index < to; index += 1) set.add(`id-${index}`);
      set.add('id-0'); // a duplicate adds nothing
      pieces.push(set.takeAdded());
    }
    expect(pieces[1]).toHaveLength(0);
    const restored = make();
    restored.restore(Buffer.concat(pieces));
    expect(restored.size).toBe(1000);
    for (let index = 0; index < 1000; index += 1) expect(restored.add(`id-${index}`)).toBe(false);
  });

  it('after a restore, takeAdded gives only what was added since', () => {
    const first = make();
    for (let index = 0; index < 500; index += 1) first.add(`id-${index}`);
    const journal = [first.takeAdded()];
    const resumed = make();
    resumed.restore(journal[0]);
    for (let index = 500; index < 700; index += 1) resumed.add(`id-${index}`);
    journal.push(resumed.takeAdded());
    const again = make();
    again.restore(Buffer.concat(journal));
    expect(again.size).toBe(700);
    const onlyNew = make();
    for (let index = 500; index < 700; index += 1) onlyNew.add(`id-${index}`);
    expect(journal[1].length).toBe(onlyNew.takeAdded().length);
  });
});

describe('dedupBy with an operator state', () => {
  it('saves the keys seen, and a run restored from them drops those keys', async () => {
    const first = new OperatorState();
    const run = (state: OperatorState, ids: number[]) => lastValueFrom(from(ids.map((id) => ({ id }))).pipe(dedupBy('id', { state }), toArray()));
    expect(await run(first, [1, 2, 2, 3])).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const saved = first.save();
    expect(Object.keys(saved)).toEqual(['dedup#1']);
    const resumed = new OperatorState();
    resumed.resumeFrom(saved);
    expect(await run(resumed, [3, 4, 1, 5])).toEqual([{ id: 4 }, { id: 5 }]);
  });
});
