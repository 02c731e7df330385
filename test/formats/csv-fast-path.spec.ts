import { type CastingContext, type Options, stringify } from 'csv-stringify/sync';
import { createCsvEncoder } from '../../src/formats/csv';
import { ExactNumber } from '../../src/json/exact-number';
import { stringifyJson } from '../../src/json/stringify-json';
import type { DataRecord } from '../../src/record';

/**
 * The encoder joins rows that need no quoting itself: its output must stay byte-identical to plain
 * csv-stringify given the records as objects and the casts the encoder had before it cast cells itself.
 */
function plainCsvStringify(records: readonly DataRecord[], columns: string[], escapeFormulas: readonly string[] = []): string {
  const escaped = new Set(escapeFormulas);
  const cast: Options['cast'] = {
    boolean: (value: boolean) => (value ? 'true' : 'false'),
    object: (value: object) => stringifyJson(value),
    date: (value: Date) => value.toISOString(),
    string: (value: string, context: CastingContext) =>
      typeof context.column === 'string' && escaped.has(context.column) && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value,
  };
  return stringify(records as DataRecord[], { columns, header: true, cast, quoted_empty: columns.length === 1 });
}

function encoded(batches: readonly (readonly DataRecord[])[], options: Parameters<typeof createCsvEncoder>[0] = {}): string {
  const encoder = createCsvEncoder(options);
  return batches.map((batch) => Buffer.from(encoder.encode(batch)).toString('utf8')).join('') + Buffer.from(encoder.end()).toString('utf8');
}

const TRICKY: readonly [string, unknown][] = [
  ['plain', 'Test Company BV'],
  ['quote', 'say "hi"'],
  ['only quotes', '""'],
  ['comma', 'Springfield, IL'],
  ['newline', 'line 1\nline 2'],
  ['CR', 'a\rb'],
  ['CRLF', 'a\r\nb'],
  ['equals', '=SUM(A1:A2)'],
  ['plus', '+31 6 1234'],
  ['minus', '-12'],
  ['at', '@handle'],
  ['tab first', '\tx'],
  ['CR first', '\rx'],
  ['unicode', 'Zoë 北京 🚀 ＝1'],
  ['empty', ''],
  ['space', ' '],
  ['null', null],
  ['undefined', undefined],
  ['true', true],
  ['false', false],
  ['zero', 0],
  ['negative', -1.5],
  ['large float', 1e21],
  ['bigint', 12345678901234567890n],
  ['object', { a: 1, b: 'x,"y"' }],
  ['array', [1, 'two', null]],
  ['empty array', []],
  ['exact integer', new ExactNumber('123456789012345678901234567890')],
  ['exact exponent', new ExactNumber('1e400')],
  ['object with exact', { id: new ExactNumber('98765432109876543210') }],
  ['date', new Date(Date.UTC(2026, 11, 2, 6, 30, 0, 5))],
];

describe('the CSV fast path against plain csv-stringify', () => {
  it.each(TRICKY)('a %s value in a single column, in the middle column and in the last column', (_name, value) => {
    for (const escapeFormulas of [[], ['v']]) {
      const single = [{ v: value }, { v: 'x' }, { v: value }];
      expect(encoded([single], { escapeFormulas })).toBe(plainCsvStringify(single, ['v'], escapeFormulas));
      const wide = [{ a: 'first', v: value, z: 1 }, { a: 'x', v: 'y', z: 2 }, { a: value, v: value, z: value }];
      expect(encoded([wide], { escapeFormulas })).toBe(plainCsvStringify(wide, ['a', 'v', 'z'], escapeFormulas));
    }
  });

  it('every tricky value in one batch and across batches, plain rows between quoted ones, formulas escaped on one column only', () => {
    const records: DataRecord[] = TRICKY.map(([name, value], index) => ({ name, value, same: index % 3 === 0 ? value : 'plain', n: index }));
    const expected = plainCsvStringify(records, ['name', 'value', 'same', 'n'], ['value']);
    expect(encoded([records], { escapeFormulas: ['value'] })).toBe(expected);
    const batches = [records.slice(0, 5), records.slice(5, 6), [], records.slice(6, 20), records.slice(20)];
    expect(encoded(batches, { escapeFormulas: ['value'] })).toBe(expected);
  });

  it('header names that need quoting, with explicit columns and missing fields', () => {
    const records = [{ 'a,b': 'x', 'q"uote': 'y\nz' }, { 'a,b': '' }, {}];
    const columns = ['a,b', 'q"uote', 'missing'];
    expect(encoded([records], { columns })).toBe(plainCsvStringify(records, columns));
  });

  it('a header alone when no record came, as csv-stringify writes it', () => {
    expect(encoded([[]], { columns: ['id', 'a,b'] })).toBe(plainCsvStringify([], ['id', 'a,b']));
  });
});
