import { z } from 'zod';
import { type InterpolateOptions, interpolateEnv } from '../../src/pipeline/interpolate-env';
import { schemaAt } from '../../src/pipeline/field-schema';

// A small file shape standing in for a pipeline's: fields of every kind the loader treats differently.
const fileSchema = z.object({
  token: z.string(),
  name: z.string().meta({ secret: false }),
  url: z.url().meta({ secret: 'url' }),
  concurrency: z.int().optional(),
  enabled: z.boolean().optional(),
  mixed: z.union([z.string(), z.number()]).optional(),
  format: z.enum(['csv', 'ndjson']).optional(),
  nested: z.object({ list: z.array(z.string().meta({ secret: false })) }).optional(),
});

const interpolate = (value: unknown, env: Record<string, string | undefined>, options: Partial<InterpolateOptions> = {}) =>
  interpolateEnv(value, { env, schemaAt: (segments) => schemaAt(fileSchema, value, segments), ...options });

describe('interpolateEnv', () => {
  it.each([
    ['a whole value', '${TOKEN}', { TOKEN: 'abc' }, 'abc'],
    ['part of a value', '${BASE}/v1/customers', { BASE: 'http://127.0.0.1:8080' }, 'http://127.0.0.1:8080/v1/customers'],
    ['several variables', '${A}-${B}', { A: 'x', B: 'y' }, 'x-y'],
    ['the default of an unset variable', '${BASE:-https://api.mijnklantportaal.nl}/v1', {}, 'https://api.mijnklantportaal.nl/v1'],
    ['the default of an empty variable', '${BASE:-fallback}', { BASE: '' }, 'fallback'],
    ['the value over the default', '${BASE:-fallback}', { BASE: 'set' }, 'set'],
    ['an empty default', 'a${SUFFIX:-}b', {}, 'ab'],
    ['text without placeholders', 'plain $HOME {x}', { HOME: '/root' }, 'plain $HOME {x}'],
    ['a value that looks like a placeholder, once', '${A}', { A: '${B}', B: 'no' }, '${B}'],
  ])('replaces %s', (_name, text, env, expected) => {
    const result = interpolate({ token: text }, env);
    expect(result.value).toEqual({ token: expected });
    expect(result.issues).toEqual([]);
  });

  it('replaces in nested objects and arrays, and leaves other scalars alone', () => {
    const file = { url: '${BASE}/x', concurrency: 2, nested: { list: ['out/${NAME}.csv', 'b'] }, nothing: null };
    expect(interpolate(file, { BASE: 'http://h', NAME: 'customers' }).value).toEqual({
      url: 'http://h/x',
      concurrency: 2,
      nested: { list: ['out/customers.csv', 'b'] },
      nothing: null,
    });
  });

  describe('typing a whole placeholder by its field', () => {
    it.each([
      { field: 'concurrency', text: '${CONC:-4}', env: {}, value: 4 },
      { field: 'concurrency', text: '${CONC:-4}', env: { CONC: '8' }, value: 8 },
      { field: 'enabled', text: '${ON:-false}', env: {}, value: false },
      { field: 'enabled', text: '${ON}', env: { ON: 'true' }, value: true },
      { field: 'mixed', text: '${PER_PAGE:-100}', env: {}, value: '100' }, // takes text: stays text
      { field: 'token', text: '${T:-123}', env: {}, value: '123' },
      { field: 'concurrency', text: '${CONC:-four}', env: {}, value: 'four' }, // left for the schema to reject
      { field: 'concurrency', text: 'x${CONC:-4}', env: {}, value: 'x4' }, // not the whole value
    ])('$field: $text → $value', ({ field, text, env, value }) => {
      expect(interpolate({ [field]: text }, env).value).toEqual({ [field]: value });
    });
  });

  describe('secrets', () => {
    const secrets = (file: Record<string, unknown>, env: Record<string, string | undefined>) => [...interpolate(file, env).secrets];

    it('takes every value from the environment as a secret in an unmarked field', () => {
      expect(secrets({ token: 'Bearer ${TOKEN}' }, { TOKEN: 'tok-1234-secret' })).toEqual(['tok-1234-secret']);
    });

    it('takes none from a field marked not secret, nor from number, boolean or choice fields', () => {
      const file = { name: '${NAME}', concurrency: '${CONC}', enabled: '${ON}', format: '${FORMAT}', nested: { list: ['${COLUMN}'] } };
      expect(secrets(file, { NAME: 'nightly', CONC: '4000', ON: 'true', FORMAT: 'csv', COLUMN: 'company' })).toEqual([]);
    });

    it.each([
      { name: 'the host of a URL is not secret', url: '${BASE}/v1/customers', env: { BASE: 'https://api.example.nl' }, secrets: [] },
      { name: 'a path segment is not secret', url: 'https://api.example.nl/${TENANT}/items', env: { TENANT: 'acme-corp' }, secrets: [] },
      { name: 'a query value is', url: 'https://host/items?api_key=${KEY}', env: { KEY: 'k3y-v4lue' }, secrets: ['k3y-v4lue'] },
      { name: 'a password is', url: 'https://svc:${PASS}@host/items', env: { PASS: 'p@ss/w+rd' }, secrets: ['p@ss/w+rd'] },
      { name: 'a fragment is', url: 'https://host/items#${FRAG}', env: { FRAG: 'fr4gment' }, secrets: ['fr4gment'] },
      {
        name: 'a whole URL gives only what it hides',
        url: '${API_URL}',
        env: { API_URL: 'https://host/items?sig=s1gn4ture&page=1' },
        secrets: ['s1gn4ture', '1'],
      },
    ])('$name', ({ url, env, secrets: expected }) => {
      expect(secrets({ url }, env)).toEqual(expected);
    });

    it('never puts a value from the environment in a message', () => {
      const result = interpolate({ token: '${MKP_TOKEN}', name: '${MISSING}' }, { MKP_TOKEN: 'tok-1234-secret' });
      expect(JSON.stringify(result.issues)).not.toContain('tok-1234-secret');
    });
  });

  describe('unset variables', () => {
    it('reports one without default by name and path; the hint for a secret is to set it', () => {
      const result = interpolate({ token: '${MKP_TOKEN}', name: 'out/${DIR}/a.csv' }, {});
      expect(result.issues).toEqual([
        { segments: ['token'], path: 'token', message: 'environment variable MKP_TOKEN is not set: set it in the environment or in a file given with --env-file' },
        {
          segments: ['name'],
          path: 'name',
          message: 'environment variable DIR is not set and has no default: set it in the environment or in a file given with --env-file, or give a default in the file: ${DIR:-…}',
        },
      ]);
      expect([...result.unset]).toEqual(['MKP_TOKEN', 'DIR']);
    });

    it('treats an empty variable without default as unset', () => {
      expect(interpolate({ token: '${MKP_TOKEN}' }, { MKP_TOKEN: '' }).issues).toHaveLength(1);
    });

    it('with stand-ins, warns instead and puts in a value the field accepts', () => {
      const result = interpolate({ token: '${T}', name: 'n', url: '${BASE}/v1/customers', concurrency: '${CONC}', enabled: '${ON}' }, {}, { unset: 'stand-in' });
      expect(result.issues).toEqual([]);
      expect(result.warnings.map((warning) => warning.path)).toEqual(['token', 'url', 'concurrency', 'enabled']);
      expect(result.warnings[0].message).toBe('environment variable T is not set (pageflow run will need it: set it in the environment or in a file given with --env-file)');
      expect(result.value).toEqual({ token: '${T}', name: 'n', url: 'https://base.invalid/v1/customers', concurrency: 1, enabled: true });
      expect(fileSchema.safeParse(result.value).success).toBe(true);
      expect(result.standIns).toEqual(new Map([['${T}', '${T}'], ['https://base.invalid', '${BASE}']]));
    });
  });
});
