import { z } from 'zod';
import { knownKeys, schemaAt, secretMode, valueKinds } from '../../src/pipeline/field-schema';

const auth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: z.string() }),
  z.strictObject({ type: z.literal('basic'), username: z.string().meta({ secret: false }), password: z.string() }),
]);
const schema = z.strictObject({
  url: z.url().meta({ secret: 'url', description: 'the first page' }),
  auth: auth.optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  timeout: z.union([z.number(), z.string()]).transform(String).meta({ secret: false }).prefault('30s').meta({ description: 'wrapped after marking' }),
  retry: z.strictObject({ attempts: z.int().default(5) }).prefault({}),
  format: z.enum(['csv', 'ndjson']).optional(),
  columns: z.array(z.string()).optional(),
});

describe('schemaAt', () => {
  it('walks objects, records, arrays and wrappers', () => {
    expect(valueKinds(schemaAt(schema, {}, ['retry', 'attempts'])!)).toEqual(['number']);
    expect(valueKinds(schemaAt(schema, {}, ['params', 'per_page'])!)).toEqual(['string', 'number']);
    expect(valueKinds(schemaAt(schema, {}, ['columns', 0])!)).toEqual(['string']);
    expect(schemaAt(schema, {}, ['nothing'])).toBeUndefined();
    expect(schemaAt(schema, {}, ['columns', 'x'])).toBeUndefined();
  });

  it('picks the option of a discriminated union that the value names', () => {
    const value = { auth: { type: 'basic', username: 'u', password: 'p' } };
    expect(secretMode(schemaAt(schema, value, ['auth', 'username']))).toBe('public');
    expect(secretMode(schemaAt(schema, value, ['auth', 'password']))).toBe('secret');
    expect(schemaAt(schema, { auth: { type: 'bearer' } }, ['auth', 'username'])).toBeUndefined();
  });
});

describe('secretMode', () => {
  it.each([
    { path: ['url'], mode: 'url' },
    { path: ['timeout'], mode: 'public' }, // the marker survives wrapping and later .meta()
    { path: ['retry', 'attempts'], mode: 'public' }, // numbers are never credentials
    { path: ['format'], mode: 'public' }, // nor are fixed choices
    { path: ['params', 'key'], mode: 'secret' }, // text is, unless marked
    { path: ['columns', 0], mode: 'secret' },
    { path: ['nothing'], mode: 'secret' }, // unknown: the safe side
  ])('$path is $mode', ({ path, mode }) => {
    expect(secretMode(schemaAt(schema, {}, path))).toBe(mode);
  });
});

describe('knownKeys', () => {
  it('lists the keys of an object, and of the union option the value picks', () => {
    expect(knownKeys(schemaAt(schema, {}, ['retry']), {})).toEqual(['attempts']);
    expect(knownKeys(schemaAt(schema, {}, ['auth']), { type: 'basic' })).toEqual(['type', 'username', 'password']);
    expect(knownKeys(schemaAt(schema, {}, ['columns']), [])).toEqual([]);
  });
});
