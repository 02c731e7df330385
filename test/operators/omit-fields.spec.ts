import { from, lastValueFrom, toArray } from 'rxjs';
import { omitFields } from '../../src/operators/omit-fields';
import type { DataRecord } from '../../src/record';
import { operatorBattery } from './battery';
import { configProblems, recordingLogger, runSteps } from './steps';

const a = { id: 1, secret: 's1', address: { city: 'Utrecht', zip: '1000AB' } };
const b = { id: 2, address: { city: 'Zwolle' } };
const omitAll = (records: DataRecord[], ...args: Parameters<typeof omitFields>) => lastValueFrom(from(records).pipe(omitFields(...args), toArray()));

describe('omitFields', () => {
  operatorBattery({
    make: () => omitFields(['secret', 'address.zip']),
    input: { a, b },
    output: { marble: '-x-y-|', values: { x: { id: 1, address: { city: 'Utrecht' } }, y: b } },
  });

  it('leaves the input records alone and passes a record without the fields as it is', async () => {
    const input = { ...a, address: { ...a.address } };
    const [output] = await omitAll([input], ['address.zip', 'missing', 'id.x']);
    expect(output).toEqual({ id: 1, secret: 's1', address: { city: 'Utrecht' } });
    expect(input.address.zip).toBe('1000AB');
    const untouched = { id: 3 };
    expect((await omitAll([untouched], ['secret']))[0]).toBe(untouched);
  });

  it('removes an own field named like an inherited one, and never an inherited one', async () => {
    const record = JSON.parse('{"id":1,"constructor":"c","__proto__":{"x":1}}');
    const [output] = await omitAll([record, { id: 2 }], ['constructor', '__proto__', 'toString']);
    expect(Object.getOwnPropertyNames(output)).toEqual(['id']);
    expect(typeof output.toString).toBe('function');
  });

  it('warns once about a field none of the records has', async () => {
    const logger = recordingLogger();
    await omitAll([a, b], ['secret', 'secrte'], { logger });
    expect(logger.lines.map(({ message }) => message)).toEqual(['omit: none of the 2 records has a field "secrte"; is it spelled right?']);
  });

  it('rejects an empty list and an empty path part when created', () => {
    expect(() => omitFields([])).toThrow(RangeError);
    expect(() => omitFields(['.x'])).toThrow('omitFields: ".x" is not a field path');
  });
});

describe('the `omit` transform', () => {
  it('builds from a list of dot paths in a pipeline file', async () => {
    expect(await runSteps('  - omit: [secret, address.zip]', [a])).toEqual([{ id: 1, address: { city: 'Utrecht' } }]);
  });

  it.each([
    { step: '  - omit: []', problem: 'transforms[0].omit: expected at least one field' },
    { step: '  - omit: secret', problem: 'transforms[0].omit: Invalid input: expected array, received string' },
    { step: '  - omit: [address..zip]', problem: 'transforms[0].omit[0]: expected a field path such as address.city, got "address..zip"' },
  ])('reports $step', ({ step, problem }) => {
    expect(configProblems(step)).toEqual([`6: ${problem}`]);
  });
});
