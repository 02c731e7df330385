import { from, lastValueFrom, toArray } from 'rxjs';
import { RecordShapeError } from '../../src/operators/record-fields';
import { setFields, setOperator } from '../../src/operators/set-fields';
import type { DataRecord } from '../../src/record';
import { operatorBattery } from './battery';
import { configProblems, recordingLogger, recordingRejects, runSteps } from './steps';

const a = { id: 1, name: 'Ada', address: { city: 'Utrecht' } };
const b = { id: 2, name: 'Bo', address: { city: 'Zwolle' } };
const setAll = (records: DataRecord[], ...args: Parameters<typeof setFields>) => lastValueFrom(from(records).pipe(setFields(...args), toArray()));

describe('setFields', () => {
  describe('with field paths and functions', () => {
    operatorBattery({
      make: () => setFields({ label: (record) => `#${record.id}`, city: 'address.city' }),
      input: { a, b },
      output: { marble: '-x-y-|', values: { x: { ...a, label: '#1', city: 'Utrecht' }, y: { ...b, label: '#2', city: 'Zwolle' } } },
      failing: {
        make: () =>
          setFields({
            label: (record) => {
              if (record.id === 2) throw new Error('no label for 2');
              return `#${record.id}`;
            },
            city: 'address.city',
          }),
        marble: '-x-#',
        error: new Error('no label for 2'),
      },
    });
  });

  describe('with JSONata (in batches)', () => {
    operatorBattery({
      make: () => setFields({ name: '$uppercase(name)' }),
      input: { a, b },
      output: { marble: '-x-y-|', values: { x: { ...a, name: 'ADA' }, y: { ...b, name: 'BO' } } },
      failing: {
        make: () => setFields({ name: 'id = 2 ? $error("two") : $uppercase(name)' }),
        marble: '-x-#',
        error: expect.objectContaining({ name: 'ExpressionError', step: 'set', field: 'name', recordNumber: 2 }),
      },
      producedBeforeStop: 50,
    });
  });

  it('keeps the other fields in place, a replaced one where it was, new ones last, and leaves the input alone', async () => {
    const input = { id: 1, name: 'Ada', active: true };
    const [output] = await setAll([input], { name: '$uppercase(name)', added: '"x"' });
    expect(Object.keys(output)).toEqual(['id', 'name', 'active', 'added']);
    expect(output).toEqual({ id: 1, name: 'ADA', active: true, added: 'x' });
    expect(input).toEqual({ id: 1, name: 'Ada', active: true });
  });

  it('evaluates every expression on the record as it came in', async () => {
    expect(await setAll([{ n: 1 }], { n: 'n + 1', m: 'n' })).toEqual([{ n: 2, m: 1 }]);
  });

  it('writes dot paths into nested objects, creating them, without changing the input', async () => {
    const input = { id: 1, address: { city: 'Utrecht' } };
    const [output] = await setAll([input], { 'address.country': '"NL"', 'meta.source.name': '"mkp"' });
    expect(output).toEqual({ id: 1, address: { city: 'Utrecht', country: 'NL' }, meta: { source: { name: 'mkp' } } });
    expect(input.address).toEqual({ city: 'Utrecht' });
  });

  it('fails naming the record when a parent on the path is not an object', async () => {
    const failing = setAll([{ id: 7, address: 'Teststreet 1' }], { 'address.country': '"NL"' });
    await expect(failing).rejects.toThrow(RecordShapeError);
    await expect(failing).rejects.toThrow('set: cannot write "address.country": "address" holds a string, not an object (record {"id":7,"address":"Teststreet 1"})');
  });

  it('writes a field named __proto__ as a field, not the prototype', async () => {
    const [output] = await setAll([{ id: 1 }], JSON.parse('{"__proto__":"id"}'));
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, '__proto__')?.value).toBe(1);
  });

  it('sends a record an expression fails on to the rejects with onError: reject, and goes on', async () => {
    const rejects = recordingRejects();
    const output = await setAll([{ total: '12' }, { total: 'x' }, { total: '3' }], { total: '$number(total)' }, { onError: 'reject', rejects });
    expect(output).toEqual([{ total: 12 }, { total: 3 }]);
    expect(rejects.rejected).toEqual([{ record: { total: 'x' }, step: 'set', error: expect.objectContaining({ code: 'PF_EXPRESSION_FAILED', recordNumber: 2 }) }]);
  });

  it('needs a rejects channel for onError: reject', () => {
    expect(() => setFields({ x: 'id' }, { onError: 'reject' })).toThrow('set: onError "reject" needs a rejects channel');
  });

  it('rejects an empty field list and an empty path part when created', () => {
    expect(() => setFields({})).toThrow(RangeError);
    expect(() => setFields({ 'address..city': 'id' })).toThrow('"address..city" is not a field path');
  });

  it('warns once about a field path none of the records has', async () => {
    const logger = recordingLogger();
    await setAll([{ customer: { name: 'x' } }, { customer: { name: 'y' } }], { name: 'customer.nmae', id: 'id2' }, { logger });
    expect(logger.lines).toEqual([
      { level: 'warn', message: 'set: none of the 2 records has a field "customer.nmae" (for "name"); is it spelled right?' },
      { level: 'warn', message: 'set: none of the 2 records has a field "id2" (for "id"); is it spelled right?' },
    ]);
  });
});

describe('the `set` transform', () => {
  it('builds from a field map and from { fields, onError } in a pipeline file', async () => {
    const rejects = recordingRejects();
    const records = [{ id: 1, total: '5' }, { id: 2, total: 'x' }];
    expect(await runSteps('  - set: { source: \'"mkp"\', address.country: \'"NL"\' }', [{ id: 1 }])).toEqual([{ id: 1, source: 'mkp', address: { country: 'NL' } }]);
    expect(await runSteps('  - set:\n      fields: { total: $number(total) }\n      onError: reject', records, { rejects })).toEqual([{ id: 1, total: 5 }]);
    expect(rejects.rejected.map(({ record, step }) => [record, step])).toEqual([[{ id: 2, total: 'x' }, 'set']]);
  });

  it('says which configurations send records to the rejects', () => {
    expect(setOperator.usesRejects?.(setOperator.config.parse({ fields: { a: 'b' }, onError: 'reject' }))).toBe(true);
    expect(setOperator.usesRejects?.(setOperator.config.parse({ fields: { a: 'b' } }))).toBe(false);
    expect(setOperator.usesRejects?.(setOperator.config.parse({ onError: 'b' }))).toBe(false);
  });

  it('takes a field named onError or fields as a field when its value is an expression', async () => {
    expect(await runSteps('  - set: { onError: id, fields: id }', [{ id: 3 }])).toEqual([{ id: 3, onError: 3, fields: 3 }]);
  });

  it.each([
    { name: 'an empty map', step: '  - set: {}', problem: 'transforms[0].set: expected at least one output field' },
    { name: 'a JSONata syntax error', step: '  - set: { x: "$join(a" }', problem: 'transforms[0].set.x: invalid JSONata expression' },
    { name: 'a list', step: '  - set: [a]', problem: 'transforms[0].set: Invalid input' },
  ])('reports $name at its line', ({ step, problem }) => {
    expect(configProblems(step).join('\n')).toContain(problem);
  });

  it('needs a rejects sink in the pipeline file for onError: reject', () => {
    expect(configProblems('  - set: { fields: { a: b }, onError: reject }', '', { rejects: false })).toEqual([
      '6: transforms[0].set: sends records to the rejects, but the pipeline has no rejects sink: add one, e.g. rejects: { type: file, path: out/rejects.ndjson }',
    ]);
  });
});
