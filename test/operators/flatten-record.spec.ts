import { from, lastValueFrom, toArray } from 'rxjs';
import { flattenRecord } from '../../src/operators/flatten-record';
import { ExactNumber } from '../../src/json/exact-number';
import type { DataRecord } from '../../src/record';
import { operatorBattery } from './battery';
import { configProblems, runSteps } from './steps';

const a = { id: 1, address: { city: 'Utrecht', geo: { lat: 52.1 } } };
const b = { id: 2, address: { city: 'Zwolle', geo: { lat: 52.5 } }, ab: 1, a: { b: 2 } };
const flattenAll = (records: DataRecord[], ...args: Parameters<typeof flattenRecord>) => lastValueFrom(from(records).pipe(flattenRecord(...args), toArray()));

describe('flattenRecord', () => {
  operatorBattery({
    make: () => flattenRecord(),
    input: { a, b },
    output: { marble: '-x-y-|', values: { x: { id: 1, address_city: 'Utrecht', address_geo_lat: 52.1 }, y: { id: 2, address_city: 'Zwolle', address_geo_lat: 52.5, ab: 1, a_b: 2 } } },
    failing: {
      make: () => flattenRecord({ separator: '' }),
      marble: '-x-#',
      values: { x: { id: 1, addresscity: 'Utrecht', addressgeolat: 52.1 } },
      error: expect.objectContaining({ name: 'RecordShapeError', message: expect.stringContaining('flatten: cannot name two fields "ab"') }),
    },
  });

  it('keeps the fields in order and arrays, empty objects, nulls and exact numbers as values', async () => {
    const big = new ExactNumber('12345678901234567890');
    const [output] = await flattenAll([{ id: big, tags: [{ a: 1 }], meta: {}, address: { city: null, lines: ['x'] }, last: true }]);
    expect(output).toEqual({ id: big, tags: [{ a: 1 }], meta: {}, address_city: null, address_lines: ['x'], last: true });
    expect(Object.keys(output)).toEqual(['id', 'tags', 'meta', 'address_city', 'address_lines', 'last']);
  });

  it('passes a record with nothing nested as it is', async () => {
    const flat = { id: 1, tags: ['a'] };
    expect((await flattenAll([flat]))[0]).toBe(flat);
  });

  it('fails naming the record when two fields would get one name', async () => {
    await expect(flattenAll([{ a_b: 1, a: { b: 2 } }])).rejects.toThrow('flatten: cannot name two fields "a_b" (record {"a_b":1,"a":{"b":2}})');
  });

  it('flattens own fields named like inherited ones and a __proto__ object', async () => {
    const [output] = await flattenAll([JSON.parse('{"__proto__":{"constructor":"c"},"x":{"toString":"t"}}')]);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(output)).toEqual(['__proto___constructor', 'x_toString']);
  });
});

describe('the `flatten` transform', () => {
  it('builds with the default separator and with another', async () => {
    expect(await runSteps('  - flatten: {}', [a])).toEqual([{ id: 1, address_city: 'Utrecht', address_geo_lat: 52.1 }]);
    expect(await runSteps('  - flatten: { separator: "." }', [a])).toEqual([{ id: 1, 'address.city': 'Utrecht', 'address.geo.lat': 52.1 }]);
  });

  it('reports an unknown option', () => {
    expect(configProblems('  - flatten: { seperator: "." }')).toEqual(['6: transforms[0].flatten.seperator: unknown key "seperator" (did you mean "separator"?)']);
  });
});
