import { from, lastValueFrom, toArray } from 'rxjs';
import { explodeField } from '../../src/operators/explode-field';
import type { DataRecord } from '../../src/record';
import { operatorBattery } from './battery';
import { configProblems, recordingLogger, runSteps } from './steps';

const a = { id: 1, groups: ['x', 'y'] };
const b = { id: 2, groups: ['z'], tag: 'plain' };
const explodeAll = (records: DataRecord[], ...args: Parameters<typeof explodeField>) => lastValueFrom(from(records).pipe(explodeField(...args), toArray()));

describe('explodeField', () => {
  operatorBattery({
    make: () => explodeField('groups'),
    // One element each: a group of several takes more frames than the marble has between records (tested below).
    input: { a: { id: 1, groups: ['x'] }, b },
    output: { marble: '-x-z-|', values: { x: { id: 1, groups: 'x' }, z: { id: 2, groups: 'z', tag: 'plain' } } },
    failing: {
      make: () => explodeField('groups', { as: 'tag.name' }),
      marble: '-x-#',
      values: { x: { id: 1, tag: { name: 'x' } } },
      error: expect.objectContaining({ name: 'RecordShapeError', message: expect.stringContaining('explode: cannot write "tag.name": "tag" holds a string, not an object') }),
    },
  });

  it('puts the element under `as` and removes the array', async () => {
    expect(await explodeAll([a], 'groups', { as: 'group' })).toEqual([
      { id: 1, group: 'x' },
      { id: 1, group: 'y' },
    ]);
  });

  it('keeps a record whose array is empty, missing or null once, with null, unless told to drop it', async () => {
    const records = [{ id: 1, groups: [] }, { id: 2 }, { id: 3, groups: null }];
    expect(await explodeAll(records, 'groups')).toEqual([
      { id: 1, groups: null },
      { id: 2, groups: null },
      { id: 3, groups: null },
    ]);
    expect(await explodeAll(records, 'groups', { empty: 'drop' })).toEqual([]);
  });

  it('takes a single value for an array of one', async () => {
    expect(await explodeAll([{ id: 1, groups: 'solo' }], 'groups', { as: 'group' })).toEqual([{ id: 1, group: 'solo' }]);
  });

  it('explodes a nested array by its dot path, without changing the input', async () => {
    const order = { id: 1, order: { lines: [{ sku: 'a' }, { sku: 'b' }], total: 3 } };
    expect(await lastValueFrom(from([order]).pipe(explodeField('order.lines', { as: 'line' }), toArray()))).toEqual([
      { id: 1, order: { total: 3 }, line: { sku: 'a' } },
      { id: 1, order: { total: 3 }, line: { sku: 'b' } },
    ]);
    expect(await lastValueFrom(from([order]).pipe(explodeField('order.lines'), toArray()))).toEqual([
      { id: 1, order: { lines: { sku: 'a' }, total: 3 } },
      { id: 1, order: { lines: { sku: 'b' }, total: 3 } },
    ]);
    expect(order.order.lines).toHaveLength(2);
  });

  it('reads only an own field: a record without `constructor` has no such array', async () => {
    expect(await lastValueFrom(from([{ id: 1 }]).pipe(explodeField('constructor', { empty: 'drop' }), toArray()))).toEqual([]);
    expect(await lastValueFrom(from([{ id: 1, constructor: [1, 2] }]).pipe(explodeField('constructor'), toArray()))).toEqual([
      { id: 1, constructor: 1 },
      { id: 1, constructor: 2 },
    ]);
  });

  it('warns once about an array field none of the records has', async () => {
    const logger = recordingLogger();
    await explodeAll([{ id: 1 }], 'groups', { logger });
    expect(logger.lines.map(({ message }) => message)).toEqual(['explode: the only record has no field "groups"; is it spelled right?']);
  });

  it('rejects a wrong `empty` when created', () => {
    expect(() => explodeField('groups', { empty: 'skip' as 'drop' })).toThrow('explodeField: empty must be "keep" or "drop", got "skip"');
  });
});

describe('the `explode` transform', () => {
  it('builds from a field path and from { field, as, empty }', async () => {
    expect(await runSteps('  - explode: groups', [b])).toEqual([{ id: 2, groups: 'z', tag: 'plain' }]);
    expect(await runSteps('  - explode: { field: groups, as: group, empty: drop }', [a, { id: 3, groups: [] }])).toEqual([
      { id: 1, group: 'x' },
      { id: 1, group: 'y' },
    ]);
  });

  it('reports a wrong `empty`', () => {
    expect(configProblems('  - explode: { field: groups, empty: skip }').join('\n')).toContain('transforms[0].explode');
  });
});
