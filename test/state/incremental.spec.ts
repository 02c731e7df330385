import { PageflowError } from '../../src/errors/pageflow-error';
import { StateError } from '../../src/errors/state-error';
import type { DataRecord } from '../../src/record';
import { incrementalConfig, IncrementalTracker, type IncrementalOptions } from '../../src/state/incremental';
import type { CursorState } from '../../src/state/state-document';

/** One run: the records the tracker keeps, and the cursor it leaves. */
function run(options: IncrementalOptions, saved: CursorState | undefined, records: readonly DataRecord[]) {
  const tracker = new IncrementalTracker(incrementalConfig.parse(options), saved, 'state.json');
  const kept = records.filter((record, index) => tracker.accept(record, () => `record ${index + 1}`));
  return { kept: kept.map((record) => record.id), cursor: tracker.result(), params: tracker.params() };
}

const at = (id: string | number, createdAt: unknown, extra: DataRecord = {}): DataRecord => ({ id, createdAt, ...extra });
const byCreatedAt = { field: 'createdAt', param: 'created_after' };

describe('IncrementalTracker', () => {
  it('exports everything the first time and keeps the highest value as the cursor', () => {
    const first = run(byCreatedAt, undefined, [at(1, '2024-05-01T08:00:00Z'), at(2, '2024-05-01T10:00:00Z'), at(3, '2024-05-01T09:00:00Z')]);
    expect(first.params).toEqual({});
    expect(first.kept).toEqual([1, 2, 3]);
    expect(first.cursor).toMatchObject({ field: 'createdAt', kind: 'instant', value: '2024-05-01T10:00:00Z', seen: [{ value: '2024-05-01T10:00:00Z', keys: [expect.any(String)] }] });
  });

  it('next time asks from the cursor, drops what it exported, and keeps new records sharing the boundary value', () => {
    const boundary = '2024-05-01T10:00:00Z';
    const { cursor } = run(byCreatedAt, undefined, [at(1, '2024-05-01T08:00:00Z'), at(2, boundary), at(3, boundary)]);
    // The API overlaps (returns the boundary again) and has new records, two of them at the boundary value,
    // one written with another offset.
    const second = run(byCreatedAt, cursor, [
      at(1, '2024-05-01T08:00:00Z'),
      at(2, boundary),
      at(3, boundary),
      at(4, boundary),
      at(5, '2024-05-01T12:00:00+02:00'),
      at(6, '2024-05-01T10:00:00.001Z'),
    ]);
    expect(second.params).toEqual({ created_after: boundary });
    expect(second.kept).toEqual([4, 5, 6]);
    expect(second.cursor?.value).toBe('2024-05-01T10:00:00.001Z');
    // A third run sees nothing new.
    const third = run(byCreatedAt, second.cursor, [at(4, boundary), at(5, '2024-05-01T12:00:00+02:00'), at(6, '2024-05-01T10:00:00.001Z')]);
    expect(third.kept).toEqual([]);
    expect(third.cursor).toEqual(second.cursor);
  });

  it('tells records at the boundary apart by their whole content, or by `key` when given', () => {
    const boundary = '2024-05-01T10:00:00Z';
    const first = run(byCreatedAt, undefined, [at(1, boundary, { name: 'Old BV' })]);
    expect(run(byCreatedAt, first.cursor, [at(1, boundary, { name: 'New BV' })]).kept).toEqual([1]);
    const keyed = run({ ...byCreatedAt, key: 'id' }, undefined, [at(1, boundary, { name: 'Old BV' })]);
    expect(run({ ...byCreatedAt, key: 'id' }, keyed.cursor, [at(1, boundary, { name: 'New BV' }), at(2, boundary)]).kept).toEqual([2]);
  });

  it('with lookback, asks from before the cursor and exports late arrivals once', () => {
    const options = { ...byCreatedAt, lookback: '15m' };
    const first = run(options, undefined, [at(1, '2024-05-01T09:40:00Z'), at(2, '2024-05-01T09:50:00Z'), at(3, '2024-05-01T10:00:00Z')]);
    expect(first.cursor?.seen.map((group) => group.value)).toEqual(['2024-05-01T09:50:00Z', '2024-05-01T10:00:00Z']);
    const second = run(options, first.cursor, [
      at(1, '2024-05-01T09:40:00Z'), // before the window: the API ignored the parameter
      at(2, '2024-05-01T09:50:00Z'),
      at(7, '2024-05-01T09:55:00Z'), // late: created before the cursor, visible only now
      at(3, '2024-05-01T10:00:00Z'),
      at(8, '2024-05-01T10:05:00Z'),
    ]);
    expect(second.params).toEqual({ created_after: '2024-05-01T09:45:00.000Z' });
    expect(second.kept).toEqual([7, 8]);
    const third = run(options, second.cursor, [at(7, '2024-05-01T09:55:00Z'), at(3, '2024-05-01T10:00:00Z'), at(8, '2024-05-01T10:05:00Z')]);
    expect(third.kept).toEqual([]);
  });

  it('starts the first run at `start`', () => {
    const first = run({ ...byCreatedAt, start: '2024-01-01T00:00:00Z' }, undefined, [at(1, '2023-12-31T23:59:59Z'), at(2, '2024-01-01T00:00:00Z')]);
    expect(first.params).toEqual({ created_after: '2024-01-01T00:00:00Z' });
    expect(first.kept).toEqual([2]);
  });

  it('compares numbers as numbers', () => {
    const first = run({ field: 'seq' }, undefined, [{ id: 1, seq: 9 }, { id: 2, seq: 10 }]);
    expect(first.cursor).toMatchObject({ kind: 'number', value: '10' });
    expect(run({ field: 'seq' }, first.cursor, [{ id: 1, seq: 9 }, { id: 2, seq: 10 }, { id: 3, seq: 11 }, { id: 4, seq: 100 }]).kept).toEqual([3, 4]);
  });

  it('leaves the cursor where it was after a run that read nothing', () => {
    const { cursor } = run(byCreatedAt, undefined, [at(1, '2024-05-01T10:00:00Z')]);
    expect(run(byCreatedAt, cursor, []).cursor).toEqual(cursor);
    expect(run(byCreatedAt, undefined, []).cursor).toBeUndefined();
  });

  it('remembers only the records at the highest value, however many came before', () => {
    const records = Array.from({ length: 5000 }, (_, i) => at(i, new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()));
    const { cursor } = run(byCreatedAt, undefined, [...records, at('last-twin', records[4999].createdAt)]);
    expect(cursor?.seen).toEqual([{ value: records[4999].createdAt, keys: [expect.any(String), expect.any(String)] }]);
  });

  it('with lookback, remembers the records within it of the highest value, and no more', () => {
    const records = Array.from({ length: 5000 }, (_, i) => at(i, new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()));
    const { cursor } = run({ ...byCreatedAt, lookback: '1m' }, undefined, records);
    // 4939 … 4999: the highest value and the 60 seconds before it.
    expect(cursor?.seen.map((group) => group.value)).toEqual(records.slice(4939).map((record) => record.createdAt));
  });

  it('tells apart thousands of records sharing one value', () => {
    const same = '2024-05-01T10:00:00Z';
    const records = Array.from({ length: 2500 }, (_, i) => at(i, same));
    const { cursor } = run(byCreatedAt, undefined, records);
    expect(cursor?.seen[0].keys).toHaveLength(2500);
    expect(run(byCreatedAt, cursor, [...records, at('new', same)]).kept).toEqual(['new']);
  });

  it.each([
    { name: 'a missing field', record: { id: 1 }, message: 'source.incremental.field "createdAt": record 1 has no value, expected an ISO-8601 timestamp' },
    { name: 'no offset', record: at(1, '2024-05-01T10:00:00'), message: 'record 1 has the string "2024-05-01T10:00:00", expected an ISO-8601 timestamp with a UTC offset' },
    { name: 'a number as text', record: at(1, '1714552200'), message: 'record 1 has the string "1714552200", expected' },
    { name: 'a boolean', record: at(1, true), message: 'record 1 has the boolean true, expected' },
  ])('fails the run on $name, naming the record', ({ record, message }) => {
    const error = (() => {
      try {
        run(byCreatedAt, undefined, [record]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PageflowError);
    expect((error as PageflowError).code).toBe('PF_INCREMENTAL_VALUE');
    expect((error as PageflowError).message).toContain(message);
  });

  it('fails on a number where the cursor is an instant, and on lookback with numbers', () => {
    const { cursor } = run(byCreatedAt, undefined, [at(1, '2024-05-01T10:00:00Z')]);
    expect(() => run(byCreatedAt, cursor, [at(2, 1714552200)])).toThrow('record 1 has the number 1714552200, but the cursor is an instant');
    expect(() => run({ field: 'seq', lookback: '1m' }, undefined, [{ seq: 1 }])).toThrow('record 1 holds numbers: lookback applies to timestamps only');
  });

  it('refuses a saved cursor on another field', () => {
    const { cursor } = run(byCreatedAt, undefined, [at(1, '2024-05-01T10:00:00Z')]);
    expect(() => run({ field: 'updatedAt' }, cursor, [])).toThrow(StateError);
    expect(() => run({ field: 'updatedAt' }, cursor, [])).toThrow('holds a cursor on field "createdAt", but source.incremental.field is "updatedAt"');
  });

  it.each([
    { options: { field: '$max(createdAt)' }, message: 'expected a field path such as createdAt' },
    { options: { field: 'createdAt', start: 'yesterday' }, message: 'expected an ISO-8601 timestamp with a UTC offset' },
    { options: { field: 'createdAt', lookback: '15 minutes' }, message: 'expected a duration such as 500ms, 2s or 1m' },
    { options: { field: 'createdAt', since: 'x' }, message: 'Unrecognized key: "since"' },
  ])('config: $message', ({ options, message }) => {
    const result = incrementalConfig.safeParse(options);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toContain(message);
  });
});

describe('IncrementalTracker.resumeFrom', () => {
  it.each([{ lookback: '0s' }, { lookback: '2h' }])('goes on from a checkpoint as if the run had never stopped (lookback $lookback)', ({ lookback }) => {
    const options = { ...byCreatedAt, key: 'id', lookback };
    const saved = run(options, undefined, [at(1, '2024-05-01T08:00:00Z'), at(2, '2024-05-01T10:00:00Z')]).cursor;
    const records = [at(2, '2024-05-01T10:00:00Z'), at(3, '2024-05-01T11:00:00Z'), at(4, '2024-05-01T11:00:00Z'), at(5, '2024-05-01T09:30:00Z'), at(6, '2024-05-01T11:00:00Z'), at(7, '2024-05-01T12:00:00Z'), at(8, '2024-05-01T11:30:00Z')];
    const whole = run(options, saved, records);

    const settings = incrementalConfig.parse(options);
    const before = new IncrementalTracker(settings, saved, 'state.json');
    const keptBefore = records.slice(0, 4).filter((record) => before.accept(record, () => 'record'));
    const progress = JSON.parse(JSON.stringify(before.result())) as CursorState;
    const after = new IncrementalTracker(settings, saved, 'state.json');
    after.resumeFrom(progress, 'state.json');
    const keptAfter = records.slice(4).filter((record) => after.accept(record, () => 'record'));

    expect([...keptBefore, ...keptAfter].map((record) => record.id)).toEqual(whole.kept);
    expect(after.result()).toEqual(whole.cursor);
  });
});
