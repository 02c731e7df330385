import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { ConfigError } from '../../src/errors/config-error';
import { ExactNumber } from '../../src/json/exact-number';
import { RecordInvalidError, validateOperator, validateRecords } from '../../src/operators/validate-records';
import type { DataRecord } from '../../src/record';
import { operatorBattery } from './battery';
import { buildSteps, configProblems, recordingRejects, runSteps } from './steps';

const schema = { type: 'object', required: ['id', 'email'], properties: { id: { type: 'integer', minimum: 1 }, email: { type: 'string', format: 'email' } } };
const a = { id: 1, email: 'a@example.nl' };
const b = { id: 2, email: 'b@example.nl' };
const bad = { id: 0, email: 'not an address' };
const fixtures = join(__dirname, 'fixtures');
const validateAll = (records: DataRecord[], ...args: Parameters<typeof validateRecords>) => lastValueFrom(from(records).pipe(validateRecords(...args), toArray()));

describe('validateRecords', () => {
  operatorBattery({
    make: () => validateRecords(schema),
    input: { a, b },
    output: { marble: '-a-b-|', values: { a, b } },
    failing: {
      make: () => validateRecords({ ...schema, properties: { ...schema.properties, id: { type: 'integer', maximum: 1 } } }),
      marble: '-a-#',
      values: { a },
      error: expect.objectContaining({ name: 'RecordInvalidError', recordNumber: 2, code: 'PF_RECORD_INVALID' }),
    },
  });

  it('fails naming the record, the schema and what is wrong', async () => {
    const failing = validateAll([a, bad], schema, { schemaName: 'schemas/customer.json' });
    await expect(failing).rejects.toThrow(RecordInvalidError);
    await expect(failing).rejects.toThrow('validate: record 2 ({"id":0,"email":"not an address"}) does not match schemas/customer.json: /id must be >= 1');
  });

  it('drops invalid records with onInvalid: drop', async () => {
    expect(await validateAll([a, bad, b], schema, { onInvalid: 'drop' })).toEqual([a, b]);
  });

  it('sends invalid records to the rejects with onInvalid: reject', async () => {
    const rejects = recordingRejects();
    expect(await validateAll([bad, a], schema, { onInvalid: 'reject', rejects })).toEqual([a]);
    expect(rejects.rejected).toEqual([
      { record: bad, step: 'validate', error: expect.objectContaining({ recordNumber: 1, problems: [{ path: '/id', message: 'must be >= 1' }] }) },
    ]);
  });

  it('checks formats', async () => {
    await expect(validateAll([{ id: 1, email: 'nope' }], schema)).rejects.toThrow('/email must match format "email"');
  });

  it('counts only own properties: a record without `constructor` lacks it', async () => {
    const needsConstructor = { type: 'object', required: ['constructor'] };
    await expect(validateAll([{ id: 1 }], needsConstructor)).rejects.toThrow("the record must have required property 'constructor'");
    expect(await validateAll([{ constructor: 'x' }], needsConstructor)).toEqual([{ constructor: 'x' }]);
  });

  it('checks exact numbers as numbers and passes them on unchanged', async () => {
    const record = { id: new ExactNumber('12345678901234567890'), email: 'a@example.nl' };
    const [output] = await validateAll([record], schema);
    expect(output).toBe(record);
    await expect(validateAll([{ id: new ExactNumber('-12345678901234567890'), email: 'a@example.nl' }], schema)).rejects.toThrow('/id must be >= 1');
  });

  it('follows the draft the schema names', async () => {
    const draft2020 = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', prefixItems: [{ type: 'string' }], properties: { pair: { prefixItems: [{ type: 'string' }] } } };
    await expect(validateAll([{ pair: [1] }], draft2020)).rejects.toThrow('/pair/0 must be string');
  });

  it('throws when created with a schema Ajv cannot use, or reject without a channel', () => {
    expect(() => validateRecords({ type: 'object', requird: ['id'] })).toThrow('unknown keyword: "requird"');
    expect(() => validateRecords(schema, { onInvalid: 'reject' })).toThrow('validate: onInvalid "reject" needs a rejects channel');
  });
});

describe('the `validate` transform', () => {
  it('reads the schema relative to the pipeline file', async () => {
    expect(await runSteps('  - validate: customer.schema.json', [a], { pipelineDir: fixtures })).toEqual([a]);
    const rejects = recordingRejects();
    expect(await runSteps('  - validate: { schema: customer.schema.json, onInvalid: reject }', [bad, b], { pipelineDir: fixtures, rejects })).toEqual([b]);
    expect(rejects.rejected).toHaveLength(1);
  });

  it.each([
    { name: 'a missing file', file: 'missing.json', message: 'cannot read the JSON Schema of validate.schema: there is no such file' },
    { name: 'a file that is not JSON', file: 'broken.schema.json', message: 'the JSON Schema of validate.schema is not valid JSON' },
    { name: 'a schema with a typo', file: 'typo.schema.json', message: 'not a usable JSON Schema: strict mode: unknown keyword: "requird"' },
  ])('reports $name as a config error naming the file', ({ file, message }) => {
    let error: unknown;
    try {
      buildSteps(`  - validate: ${file}`, { pipelineDir: fixtures });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(join(fixtures, file));
    expect((error as ConfigError).message).toContain(`${join(fixtures, file)}: 1 problem`);
    expect((error as ConfigError).message).toContain(message);
  });

  it('says which configurations send records to the rejects', () => {
    expect(validateOperator.usesRejects?.(validateOperator.config.parse({ schema: 'x.json', onInvalid: 'reject' }))).toBe(true);
    expect(validateOperator.usesRejects?.(validateOperator.config.parse({ schema: 'x.json', onInvalid: 'drop' }))).toBe(false);
    expect(validateOperator.usesRejects?.(validateOperator.config.parse('x.json'))).toBe(false);
  });

  it('reports a wrong onInvalid', () => {
    expect(configProblems('  - validate: { schema: x.json, onInvalid: skip }').join('\n')).toContain('transforms[0].validate');
  });
});
