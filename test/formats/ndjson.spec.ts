import { createNdjsonEncoder } from '../../src/formats/ndjson';

describe('createNdjsonEncoder', () => {
  it('writes one JSON document per line', () => {
    expect(createNdjsonEncoder().encode([{ a: 1 }, { b: 'x,"y"' }])).toBe('{"a":1}\n{"b":"x,\\"y\\""}\n');
  });
});
