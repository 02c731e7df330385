import { diffRecords } from '../../src/cli/pipeline-test/record-diff';

const records = (...ids: number[]) => ids.map((id) => ({ id, name: `n${id}` }));

describe('diffRecords', () => {
  it('finds no difference between equal records, whatever the order of their fields', () => {
    expect(diffRecords([{ id: 1, name: 'a' }], [{ name: 'a', id: 1 }])).toBeUndefined();
    expect(diffRecords([], [])).toBeUndefined();
  });

  it('treats a field left undefined as absent, as the JSON written would', () => {
    expect(diffRecords([{ id: 1 }], [{ id: 1, city: undefined }])).toBeUndefined();
  });

  it('shows a changed record with the fields that differ', () => {
    expect(diffRecords([{ id: 1, name: 'a', city: 'x' }], [{ id: 1, name: 'b', extra: true }])).toEqual([
      '1 record expected, 1 record received:',
      '  ~ record 1 differs: name: expected "a", received "b"; city: expected "x", missing; extra: not expected, received true',
      '      expected {"id":1,"name":"a","city":"x"}',
      '      received {"id":1,"name":"b","extra":true}',
    ]);
  });

  it('aligns the records, so that one missing record is one line', () => {
    expect(diffRecords(records(1, 2, 3, 4), records(1, 3, 4, 5))).toEqual([
      '4 records expected, 4 records received:',
      '  - missing (expected record 2): {"id":2,"name":"n2"}',
      '  + not expected (record 4): {"id":5,"name":"n5"}',
    ]);
  });

  it('shows the first ten differences and counts the rest', () => {
    const lines = diffRecords(records(...Array.from({ length: 15 }, (_, index) => index)), [])!;
    expect(lines[0]).toBe('15 records expected, 0 records received:');
    expect(lines).toHaveLength(1 + 10 + 1);
    expect(lines.at(-1)).toBe('  … and 5 more differences');
  });
});
