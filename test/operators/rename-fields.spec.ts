import { from, lastValueFrom, toArray } from 'rxjs';
import { RecordShapeError } from '../../src/operators/record-fields';
import { renameFields } from '../../src/operators/rename-fields';
import type { DataRecord } from '../../src/record';
import { operatorBattery } from './battery';
import { configProblems, recordingLogger, runSteps } from './steps';

const a = { id: 1, name: 'Ada', address: { city: 'Utrecht', zip: '1000AB' } };
const b = { id: 2, name: 'Bo', address: { city: 'Zwolle' }, legacyId: 'L2' };
const renameAll = (records: DataRecord[], ...args: Parameters<typeof renameFields>) => lastValueFrom(from(records).pipe(renameFields(...args), toArray()));

describe('renameFields', () => {
  operatorBattery({
    make: () => renameFields({ id: 'customerId' }),
    input: { a, b },
    output: { marble: '-x-y-|', values: { x: { customerId: 1, name: 'Ada', address: a.address }, y: { customerId: 2, name: 'Bo', address: b.address, legacyId: 'L2' } } },
    failing: {
      make: () => renameFields({ id: 'customerId', legacyId: 'customerId' }),
      marble: '-x-#',
      error: expect.objectContaining({
        name: 'RecordShapeError',
        message: expect.stringContaining('rename: cannot rename "legacyId" to "customerId": the record has a field "customerId" already'),
      }),
    },
  });

  it('keeps a renamed field in its place, and moves one to another object', async () => {
    const [output] = await renameAll([a], { name: 'company', 'address.city': 'city', 'address.zip': 'address.postcode' });
    expect(output).toEqual({ id: 1, company: 'Ada', address: { postcode: '1000AB' }, city: 'Utrecht' });
    expect(Object.keys(output)).toEqual(['id', 'company', 'address', 'city']);
    expect(a.address).toEqual({ city: 'Utrecht', zip: '1000AB' });
  });

  it('leaves a record without the field as it is, and renames a field holding null or undefined', async () => {
    expect(await renameAll([{ id: 1 }, { name: null }, { name: undefined }], { name: 'company' })).toEqual([{ id: 1 }, { company: null }, { company: undefined }]);
  });

  it('fails naming the record when the target is inside something that is not an object', async () => {
    const failing = renameAll([{ id: 1, tags: ['a'] }], { id: 'tags.id' });
    await expect(failing).rejects.toThrow(RecordShapeError);
    await expect(failing).rejects.toThrow('rename: cannot rename "id" to "tags.id": "tags" holds a list, not an object (record {"id":1,"tags":["a"]})');
  });

  it('renames own fields named like inherited ones, and nothing inherited', async () => {
    const records = [JSON.parse('{"constructor":"c","__proto__":"p"}'), { id: 1 }];
    const [first, second] = await renameAll(records, JSON.parse('{"constructor":"kind","__proto__":"proto"}'));
    expect(first).toEqual({ kind: 'c', proto: 'p' });
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(second).toBe(records[1]);
  });

  it('warns once about a field none of the records has', async () => {
    const logger = recordingLogger();
    await renameAll([a, b], { nmae: 'company' }, { logger });
    expect(logger.lines.map(({ message }) => message)).toEqual(['rename: none of the 2 records has a field "nmae"; is it spelled right?']);
  });
});

describe('the `rename` transform', () => {
  it('builds from old → new dot paths in a pipeline file', async () => {
    expect(await runSteps('  - rename: { id: customerId, address.city: city }', [a])).toEqual([{ customerId: 1, name: 'Ada', address: { zip: '1000AB' }, city: 'Utrecht' }]);
  });

  it.each([
    { step: '  - rename: {}', problem: 'transforms[0].rename: expected at least one field to rename' },
    { step: '  - rename: { a: x, b: x }', problem: 'transforms[0].rename: two fields are renamed to the same name' },
    { step: '  - rename: { a: "x." }', problem: 'transforms[0].rename.a: expected a field path such as address.city, got "x."' },
  ])('reports $step', ({ step, problem }) => {
    expect(configProblems(step)).toEqual([`6: ${problem}`]);
  });
});
