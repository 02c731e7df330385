import { createNdjsonEncoder as createEncoder } from '../../src/formats/ndjson';
import type { DataRecord } from '../../src/record';

/** The NDJSON encoder, with its bytes read as text. */
const createNdjsonEncoder = () => {
  const encoder = createEncoder();
  return { encode: (records: DataRecord[]) => Buffer.from(encoder.encode(records)).toString('utf8'), end: () => Buffer.from(encoder.end()).toString('utf8') };
};

describe('createNdjsonEncoder', () => {
  it('writes one JSON document per line', () => {
    expect(createNdjsonEncoder().encode([{ a: 1 }, { b: 'x,"y"' }])).toBe('{"a":1}\n{"b":"x,\\"y\\""}\n');
  });

  it('escapes newlines inside values, so every record stays on one line', () => {
    const text = createNdjsonEncoder().encode([{ address: 'Teststreet 1\nunit B\r\n' }]);
    expect(text).toBe('{"address":"Teststreet 1\\nunit B\\r\\n"}\n');
    expect(text.split('\n')).toHaveLength(2);
  });

  it('keeps non-ASCII as it is and nested values as JSON', () => {
    expect(createNdjsonEncoder().encode([{ name: 'Müller Großhandel 🚚', groups: ['cug_1'], address: { city: null }, active: false }])).toBe(
      '{"name":"Müller Großhandel 🚚","groups":["cug_1"],"address":{"city":null},"active":false}\n',
    );
  });

  it('leaves out undefined fields, as JSON does', () => {
    expect(createNdjsonEncoder().encode([{ id: 1, missing: undefined }])).toBe('{"id":1}\n');
  });

  it('writes a record’s own __proto__ key as a field', () => {
    expect(createNdjsonEncoder().encode([JSON.parse('{"__proto__":{"x":1},"constructor":2}') as DataRecord])).toBe('{"__proto__":{"x":1},"constructor":2}\n');
  });

  it('writes nothing for an empty batch or at the end', () => {
    const encoder = createNdjsonEncoder();
    expect(encoder.encode([])).toBe('');
    expect(encoder.end()).toBe('');
  });
});
