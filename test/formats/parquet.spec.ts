import { writeFile } from 'node:fs/promises';
import { RecordEncodeError } from '../../src/formats/encoder';
import { dateDays, inferColumnType, instantMicros } from '../../src/formats/parquet-column-types';
import { createParquetEncoder } from '../../src/formats/parquet';
import { ExactNumber } from '../../src/json/exact-number';
import type { DataRecord } from '../../src/record';
import { readParquetFile } from '../contract/read-output';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(20_000); // DuckDB's first load takes seconds on a busy machine

const page = (index: number) => ({ describe: (record: number) => `record ${record + 1} of page ${index}` });

let dir: TmpDir;
beforeAll(async () => {
  dir = await createTmpDir();
});
afterAll(() => dir.remove());

let files = 0;
/** Encodes the batches into a file and reads it back with DuckDB. */
async function roundTrip(batches: DataRecord[][], options: Parameters<typeof createParquetEncoder>[0] = {}) {
  const encoder = createParquetEncoder(options);
  const chunks = batches.map((batch, index) => encoder.encode(batch, page(index + 1)));
  chunks.push(encoder.end());
  const file = dir.resolve(`file-${(files += 1)}.parquet`);
  await writeFile(file, Buffer.concat(chunks));
  return { ...(await readParquetFile(file)), chunks };
}

describe('inferColumnType', () => {
  it.each([
    { name: 'strings', values: ['a', null, 'b'], type: 'string' },
    { name: 'integers', values: [1, -2, undefined, 9007199254740991], type: 'int64' },
    { name: 'exact integers within int64', values: [1, new ExactNumber('9007199254740993')], type: 'int64' },
    { name: 'numbers with fractions', values: [1, 2.5], type: 'double' },
    { name: 'integers beyond 2^53 held as numbers', values: [1e20], type: 'double' },
    { name: 'booleans', values: [true, false], type: 'boolean' },
    { name: 'Date objects', values: [new Date(0)], type: 'timestamp' },
    { name: 'date-like strings (never guessed)', values: ['2024-01-01T00:00:00Z'], type: 'string' },
    { name: 'objects and arrays', values: [{ a: 1 }, [1]], type: 'json' },
    { name: 'a mix of kinds', values: ['1', 1], type: 'json' },
    { name: 'no value at all', values: [null, undefined], type: 'json' },
    { name: 'an exact number that does not fit int64', values: [new ExactNumber('1e400')], type: 'json' },
  ])('$name → $type', ({ values, type }) => {
    expect(inferColumnType(values)).toBe(type);
  });
});

describe('instantMicros and dateDays', () => {
  it.each([
    ['2024-04-28T21:00:00+02:00', Date.UTC(2024, 3, 28, 19) * 1000],
    ['2024-04-28T19:00:00Z', Date.UTC(2024, 3, 28, 19) * 1000],
    ['2024-04-28T19:00:00.123456Z', Date.UTC(2024, 3, 28, 19) * 1000 + 123456],
    ['2024-04-28 19:00Z', Date.UTC(2024, 3, 28, 19) * 1000],
    ['0050-01-01T00:00:00Z', new Date('0050-01-01T00:00:00Z').getTime() * 1000],
  ])('reads %s', (text, micros) => {
    expect(instantMicros(text)).toBe(BigInt(micros));
  });

  it.each(['2024-04-28T19:00:00', '2024-02-30T00:00:00Z', '2024-04-28T24:00:00Z', '2024-04-28T19:00:00.1234567Z', 'yesterday'])('refuses %s', (text) => {
    expect(instantMicros(text)).toBeUndefined();
  });

  it('reads calendar dates and refuses the rest', () => {
    expect(dateDays('1970-01-02')).toBe(1);
    expect(dateDays('2024-02-30')).toBeUndefined();
    expect(dateDays('2024-02-01T00:00:00Z')).toBeUndefined();
  });
});

describe('createParquetEncoder', () => {
  it('infers the columns and their types from the first page, nested values as JSON text', async () => {
    const { rows, types, convertedTypes } = await roundTrip([
      [
        { id: 'a', n: 1, price: 2.5, ok: true, tags: ['x', 'y'] },
        { id: 'b', n: 2, price: 3, ok: false, address: { city: 'Utrecht', zip: null } },
      ],
      [{ id: 'c', n: 3, price: 4 }],
    ]);
    expect(types).toEqual({ id: 'VARCHAR', n: 'BIGINT', price: 'DOUBLE', ok: 'BOOLEAN', tags: 'VARCHAR', address: 'VARCHAR' });
    expect(convertedTypes).toMatchObject({ tags: 'JSON', address: 'JSON' });
    expect(rows).toEqual([
      { id: 'a', n: 1n, price: 2.5, ok: true, tags: '["x","y"]', address: null },
      { id: 'b', n: 2n, price: 3, ok: false, tags: null, address: '{"city":"Utrecht","zip":null}' },
      { id: 'c', n: 3n, price: 4, ok: null, tags: null, address: null },
    ]);
  });

  it('writes exact integers to int64 columns with every digit', async () => {
    const { rows } = await roundTrip([[{ id: new ExactNumber('9223372036854775807') }, { id: new ExactNumber('-9007199254740993') }]], { columns: [{ name: 'id', type: 'int64' }] });
    expect(rows).toEqual([{ id: 9223372036854775807n }, { id: -9007199254740993n }]);
  });

  it('fails on a value that does not fit its column, naming the record, the column and the value', () => {
    const encoder = createParquetEncoder({ columns: [{ name: 'id', type: 'string' }, { name: 'createdAt', type: 'timestamp' }] });
    encoder.encode([{ id: 'a', createdAt: '2024-01-01T00:00:00Z' }], page(1));
    expect(() => encoder.encode([{ id: 'b', createdAt: '2024-01-01T00:00:00Z' }, { id: 'c', createdAt: 'next tuesday' }], page(2))).toThrow(
      new RecordEncodeError(
        'record 2 of page 2: column "createdAt" is timestamp, and "next tuesday" does not fit it: declare the column\'s type under columns: ({ name: createdAt, type: … }), or set onTypeMismatch: null to write such values as null',
      ),
    );
  });

  it('fails on an integer beyond int64 and on a fraction in an inferred int64 column', () => {
    const encoder = createParquetEncoder();
    encoder.encode([{ n: 1 }], page(1));
    expect(() => encoder.encode([{ n: new ExactNumber('9223372036854775808') }], page(2))).toThrow(/record 1 of page 2: column "n" is int64, and 9223372036854775808 does not fit it/);
    expect(() => encoder.encode([{ n: 1.5 }], page(3))).toThrow(/record 1 of page 3: column "n" is int64, and 1.5 does not fit it/);
  });

  it('writes values that do not fit as null, counted, with onTypeMismatch: null', async () => {
    const counters = { mismatchedValues: 0 };
    const { rows } = await roundTrip([[{ n: 1, d: '2024-01-31' }], [{ n: 'two', d: '31/01/2024' }, { n: 3, d: '2024-02-01' }]], {
      columns: ['n', { name: 'd', type: 'date' }],
      onTypeMismatch: 'null',
      counters,
    });
    expect(rows.map((row) => [row.n, row.d === null ? null : String(row.d)])).toEqual([
      [1n, '2024-01-31'],
      [null, null],
      [3n, '2024-02-01'],
    ]);
    expect(counters.mismatchedValues).toBe(2);
  });

  it('fails on a field outside the first page’s columns, or drops it with unknownColumns: drop', () => {
    const failing = createParquetEncoder();
    failing.encode([{ id: 'a' }], page(1));
    expect(() => failing.encode([{ id: 'b', email: 'x' }], page(2))).toThrow(/record 1 of page 2 has a field "email" that is not a column/);
    const counters = { droppedValues: 0 };
    const dropping = createParquetEncoder({ unknownColumns: 'drop', counters });
    dropping.encode([{ id: 'a' }], page(1));
    dropping.encode([{ id: 'b', email: 'x' }], page(2));
    expect(counters.droppedValues).toBe(1);
  });

  it('streams: a row group leaves the encoder as soon as it is full, the footer at the end', async () => {
    const records = Array.from({ length: 2500 }, (_, index) => ({ id: `r${index}`, n: index }));
    const { rows, chunks } = await roundTrip([records.slice(0, 1000), records.slice(1000, 2000), records.slice(2000)], { rowGroupSize: 1000 });
    // Each full batch is a row group out at once; the last 500 rows and the footer come with end().
    expect(chunks.map((chunk) => chunk.length > 0)).toEqual([true, true, false, true]);
    expect(Buffer.from(chunks[0]).subarray(0, 4).toString()).toBe('PAR1');
    expect(rows).toEqual(records.map((record) => ({ id: record.id, n: BigInt(record.n) })));
  });

  it.each(['gzip', 'none'] as const)('compresses with %s when asked', async (compression) => {
    const { rows } = await roundTrip([[{ id: 'a' }, { id: 'b' }]], { compression });
    expect(rows).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('writes a file DuckDB reads for an export without records', async () => {
    const { rows, types } = await roundTrip([], { columns: [{ name: 'id', type: 'string' }, { name: 'n', type: 'int64' }] });
    expect(rows).toEqual([]);
    expect(types).toEqual({ id: 'VARCHAR', n: 'BIGINT' });
  });

  it('reads only a record’s own properties', async () => {
    const { rows } = await roundTrip([[JSON.parse('{"constructor":"c","__proto__":"p"}') as DataRecord, {}]]);
    expect(rows).toEqual([
      { constructor: 'c', __proto__: 'p' },
      { constructor: null, __proto__: null },
    ].map((row) => Object.fromEntries(Object.entries(row))));
  });
});
