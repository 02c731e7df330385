import { CompactKeySet } from '../../src/operators/compact-key-set';
import { OperatorState } from '../../src/pipeline/operator-state';
import { createFileStateStore } from '../../src/state/file-state-store';
import { OperatorCheckpoints } from '../../src/state/operator-checkpoints';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await createTmpDir('pageflow-operator-checkpoints-');
});
afterAll(() => tmp.remove());

/** A run's dedup keys as an operator state, restored from `saved`, with `keys` added after. */
function run(saved: Record<string, Uint8Array>, keys: string[]): { state: OperatorState; set: CompactKeySet } {
  const state = new OperatorState();
  state.resumeFrom(saved);
  const set = new CompactKeySet();
  state.register('dedup', set);
  for (const key of keys) set.add(key);
  return { state, set };
}

describe('OperatorCheckpoints', () => {
  it('appends only what each checkpoint added, and reads the whole back', async () => {
    const store = createFileStateStore(tmp.resolve('appends', 'state.json'));
    const checkpoints = new OperatorCheckpoints(store, 'run-1');
    const { state, set } = run({}, ['a', 'b']);
    const first = await checkpoints.save(state);
    for (const key of ['c', 'd', 'e']) set.add(key);
    const second = await checkpoints.save(state);
    expect(second['dedup#1']).toEqual({ journal: 'run-1.dedup-1', bytes: expect.any(Number) });
    expect((second['dedup#1'] as { bytes: number }).bytes).toBeGreaterThan((first['dedup#1'] as { bytes: number }).bytes);
    const resumed = run(await new OperatorCheckpoints(store, 'run-1').load(second), []);
    expect(['a', 'b', 'c', 'd', 'e'].map((key) => resumed.set.add(key))).toEqual([false, false, false, false, false]);
  });

  it('moves keys kept whole in the document into the journal, so no later checkpoint loses them', async () => {
    const store = createFileStateStore(tmp.resolve('whole', 'state.json'));
    const old = new CompactKeySet();
    for (const key of ['a', 'b']) old.add(key);
    const checkpoints = new OperatorCheckpoints(store, 'run-1');
    const { state } = run(await checkpoints.load({ 'dedup#1': old.save().toString('base64') }), ['c']);
    const saved = await checkpoints.save(state);
    const resumed = run(await new OperatorCheckpoints(store, 'run-1').load(saved), []);
    expect(['a', 'b', 'c'].map((key) => resumed.set.add(key))).toEqual([false, false, false]);
  });
});
