import { createEncoder, formatFromPath } from '../../src/formats/format';

describe('formatFromPath', () => {
  it.each([
    ['out/customers.csv', { format: 'csv', gzip: false }],
    ['out/customers.CSV', { format: 'csv', gzip: false }],
    ['out/customers.ndjson', { format: 'ndjson', gzip: false }],
    ['out/customers.jsonl', { format: 'ndjson', gzip: false }],
    ['out/customers.csv.gz', { format: 'csv', gzip: true }],
    ['out/customers.ndjson.GZ', { format: 'ndjson', gzip: true }],
    ['exports/2024-05-01/customers.jsonl.gz', { format: 'ndjson', gzip: true }],
    ['s3-key/with.dots/customers.csv', { format: 'csv', gzip: false }],
    ['out/customers.json', { format: undefined, gzip: false }],
    ['out/customers.txt', { format: undefined, gzip: false }],
    ['out/customers', { format: undefined, gzip: false }],
    ['out.csv/customers', { format: undefined, gzip: false }],
    ['out/customers.gz', { format: undefined, gzip: true }],
    ['lake/part-00000.parquet', { format: 'parquet', gzip: false }],
  ])('reads %s', (path, expected) => {
    expect(formatFromPath(path)).toEqual(expected);
  });
});

describe('createEncoder', () => {
  it('creates a CSV encoder with its options', () => {
    const encoder = createEncoder('csv', { columns: ['b'] });
    expect(Buffer.from(encoder.encode([{ a: 1, b: 2 }])).toString()).toBe('b\n2\n');
  });

  it('creates an NDJSON encoder', () => {
    expect(Buffer.from(createEncoder('ndjson').encode([{ a: 1 }])).toString()).toBe('{"a":1}\n');
  });
});
