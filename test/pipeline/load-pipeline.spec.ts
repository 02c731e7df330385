import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { map } from 'rxjs';
import { ConfigError } from '../../src/errors/config-error';
import { createDefaultRegistry } from '../../src/pipeline/builtins';
import { defineOperator } from '../../src/pipeline/component';
import { loadPipeline, parsePipeline } from '../../src/pipeline/load-pipeline';

const FILE = 'pipelines/test.yaml';
const ENV = { MKP_TOKEN: 'tok_9f8e7d6c5b4a' };

/** The error `parsePipeline` throws for `text`, which must be invalid. */
function configError(text: string, env: Record<string, string> = ENV): ConfigError {
  try {
    parsePipeline(text, FILE, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the pipeline to be invalid');
}

const valid = (overrides: { source?: string; transforms?: string; sinks?: string } = {}) =>
  [
    'name: customers',
    overrides.source ?? 'source:\n  type: http\n  url: https://api.example.nl/v1/customers',
    overrides.transforms ?? 'transforms:\n  - dedup: id',
    overrides.sinks ?? 'sinks:\n  - type: stdout',
  ].join('\n');

const registry = createDefaultRegistry();
const expected = (kind: 'source' | 'operator' | 'sink') => `expected one of: ${registry.types(kind).join(', ')}`;

// Quoted from the issue: this exact file must work.
const ISSUE_PIPELINE = `name: customers-to-csv
source:
  type: http
  url: \${MKP_BASE_URL:-https://api.mijnklantportaal.nl}/v1/customers
  params:
    per_page: 100
  auth:
    type: bearer
    token: \${MKP_TOKEN}
transforms:
  - dedup: id
  - map:
      id: id
      company: companyName
      email: primaryEmail
      groups: $join(customerGroups, ";")
sinks:
  - type: file
    path: out/customers.csv
  - type: stdout
`;

describe('the pipeline quoted in the issue', () => {
  it('stays valid as pipelines/customers-to-csv.yaml', async () => {
    const text = await readFile(join(__dirname, '..', '..', 'pipelines', 'customers-to-csv.yaml'), 'utf8');
    expect(parsePipeline(text, 'pipelines/customers-to-csv.yaml', { env: ENV })).toMatchObject({
      name: 'customers-to-csv',
      transforms: [{ type: 'dedup' }, { type: 'map' }],
      sinks: [{ type: 'file', path: 'out/customers.csv' }, { type: 'stdout' }],
    });
  });

  it('validates, with the default base URL and the token from the environment', () => {
    const definition = parsePipeline(ISSUE_PIPELINE, 'pipelines/customers-to-csv.yaml', { env: ENV });
    expect(definition).toEqual({
      name: 'customers-to-csv',
      description: undefined,
      source: expect.objectContaining({
        type: 'http',
        url: 'https://api.mijnklantportaal.nl/v1/customers',
        params: { per_page: 100 },
        auth: { type: 'bearer', token: ENV.MKP_TOKEN },
        records: 'data',
        next: 'next_page_url',
      }),
      transforms: [
        { type: 'dedup', config: 'id' },
        { type: 'map', config: { id: 'id', company: 'companyName', email: 'primaryEmail', groups: '$join(customerGroups, ";")' } },
      ],
      sinks: [expect.objectContaining({ type: 'file', path: 'out/customers.csv' }), expect.objectContaining({ type: 'stdout' })],
    });
  });

  it('takes the base URL from MKP_BASE_URL when it is set', () => {
    const definition = parsePipeline(ISSUE_PIPELINE, 'p.yaml', { env: { ...ENV, MKP_BASE_URL: 'http://127.0.0.1:4000' } });
    expect(definition.source.url).toBe('http://127.0.0.1:4000/v1/customers');
  });

  it('names MKP_TOKEN, its place and the file when the token is not set', () => {
    expect(configError(ISSUE_PIPELINE, {}).message).toBe(
      [
        `${FILE}: 1 problem`,
        '  9:12 source.auth.token: environment variable MKP_TOKEN is not set and has no default (write ${MKP_TOKEN:-default} to give one)',
      ].join('\n'),
    );
  });
});

describe('parsePipeline', () => {
  it('validates pipelines/demo.yaml', async () => {
    const text = await readFile(join(__dirname, '..', '..', 'pipelines', 'demo.yaml'), 'utf8');
    expect(parsePipeline(text, 'pipelines/demo.yaml', { env: {} }).name).toBe('demo-customers-to-csv');
  });

  it('reads JSON as well as YAML', () => {
    const json = JSON.stringify({
      name: 'json',
      source: { type: 'http', url: 'https://api.example.nl/v1/customers' },
      transforms: [{ filter: 'active' }],
      sinks: [{ type: 'file', path: 'out/a.ndjson.gz' }],
    });
    expect(parsePipeline(json, 'p.json', { env: {} })).toMatchObject({ name: 'json', transforms: [{ type: 'filter', config: 'active' }] });
  });

  it('defaults transforms to none', () => {
    expect(parsePipeline(valid({ transforms: '' }), FILE, { env: {} }).transforms).toEqual([]);
  });

  it('lists the source types for an unknown one, with its line and column', () => {
    const error = configError(valid({ source: 'source:\n  type: htp\n  url: https://x' }));
    expect(error.issues).toEqual([{ path: 'source.type', line: 3, column: 9, message: `unknown source type "htp" (${expected('source')})` }]);
  });

  it('reports a missing source type', () => {
    expect(configError(valid({ source: 'source:\n  url: https://x' })).issues).toEqual([
      expect.objectContaining({ path: 'source.type', message: `missing source type (${expected('source')})` }),
    ]);
  });

  it('lists the sink types for an unknown one at sinks[1].type', () => {
    const error = configError(valid({ sinks: 'sinks:\n  - type: stdout\n  - type: s4\n    path: x' }));
    expect(error.issues).toEqual([{ path: 'sinks[1].type', line: 9, column: 11, message: `unknown sink type "s4" (${expected('sink')})` }]);
    expect(error.message).toBe(`${FILE}: 1 problem\n  9:11 sinks[1].type: unknown sink type "s4" (${expected('sink')})`);
  });

  it('lists the transforms for an unknown one', () => {
    expect(configError(valid({ transforms: 'transforms:\n  - dedupe: id' })).issues).toEqual([
      { path: 'transforms[0].dedupe', line: 6, column: 13, message: `unknown transform "dedupe" (${expected('operator')})` },
    ]);
  });

  it('explains a step that is not a single-key mapping', () => {
    expect(configError(valid({ transforms: 'transforms:\n  - dedup\n  - dedup: id\n    map: {a: b}' })).issues).toEqual([
      expect.objectContaining({ path: 'transforms[0]', message: `expected a step like "dedup: id" (one of: dedup, filter, map, set, omit, rename, flatten, explode, validate), got the string "dedup"` }),
      expect.objectContaining({ path: 'transforms[1]', message: 'expected exactly one transform per step (one of: dedup, filter, map, set, omit, rename, flatten, explode, validate), got 2 keys' }),
    ]);
  });

  it('names a missing required key and where it belongs', () => {
    expect(configError(valid({ sinks: 'sinks:\n  - type: file' })).issues).toEqual([
      { path: 'sinks[0].path', line: 8, column: 5, message: 'Invalid input: expected string, received undefined' },
    ]);
  });

  it('names a value of the wrong type and the type expected', () => {
    expect(configError(valid({ transforms: 'transforms:\n  - filter: 3' })).issues).toEqual([
      { path: 'transforms[0].filter', line: 6, column: 13, message: 'Invalid input: expected string | object' },
    ]);
  });

  it('lists the accepted types of a union instead of zod’s bare "Invalid input"', () => {
    const source = 'source:\n  type: http\n  url: https://x.nl\n  params:\n    per_page: [100]';
    expect(configError(valid({ source })).issues).toEqual([
      expect.objectContaining({ path: 'source.params.per_page', message: 'Invalid input: expected string | number | boolean' }),
    ]);
  });

  it('lists the accepted values of an enum', () => {
    expect(configError(valid({ sinks: 'sinks:\n  - type: stdout\n    format: xml' })).issues).toEqual([
      expect.objectContaining({ path: 'sinks[0].format', message: 'Invalid option: expected one of "csv"|"ndjson"' }),
    ]);
  });

  it('names the transform with a JSONata syntax error', () => {
    const transforms = 'transforms:\n  - map:\n      id: id\n      groups: $join(customerGroups, ";"';
    expect(configError(valid({ transforms })).issues).toEqual([
      {
        path: 'transforms[0].map.groups',
        line: 8,
        column: 15,
        message: 'invalid JSONata expression "$join(customerGroups, \\";\\"": Expected ")" before end of expression (at character 25)',
      },
    ]);
  });

  it('reports a JSONata syntax error in dedup and filter', () => {
    const transforms = 'transforms:\n  - dedup: "$lowercase(email"\n  - filter: "active and"';
    expect(configError(valid({ transforms })).issues.map((issue) => issue.path)).toEqual(['transforms[0].dedup', 'transforms[1].filter']);
  });

  it('rejects unknown keys, at the top and in components', () => {
    const text = `${valid({ sinks: 'sinks:\n  - type: stdout\n    colums: [id]' })}\nsink: []`;
    expect(configError(text).issues).toEqual([expect.objectContaining({ path: '', message: 'Unrecognized key: "sink"' })]);
    expect(configError(valid({ sinks: 'sinks:\n  - type: stdout\n    colums: [id]' })).issues).toEqual([
      expect.objectContaining({ path: 'sinks[0]', message: 'Unrecognized key: "colums"' }),
    ]);
  });

  it('requires at least one sink', () => {
    expect(configError(valid({ sinks: 'sinks: []' })).issues).toEqual([expect.objectContaining({ path: 'sinks', message: 'expected at least one sink' })]);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const error = configError('name: x\nsource:\n  type: http\n   url: bad indent\nsinks: []');
    expect(error.issues[0]).toEqual({ path: '', line: 3, column: 9, message: 'not valid YAML/JSON: Nested mappings are not allowed in compact mappings' });
  });

  it('reports a file that is not a mapping', () => {
    expect(configError('- just\n- a list').issues).toEqual([expect.objectContaining({ path: '', message: expect.stringMatching(/expected object/) })]);
  });

  it('collects every problem of the file, each with the file name in the message', () => {
    const error = configError(
      [
        'name: customers',
        'source:',
        '  type: http',
        '  url: ${MKP_BASE_URL}/v1/customers',
        'transforms:',
        '  - mapp: {id: id}',
        'sinks:',
        '  - type: file',
        '    path: out/customers.txt',
        '  - path: out/b.csv',
      ].join('\n'),
    );
    expect(error.message.split('\n')).toEqual([
      `${FILE}: 4 problems`,
      '  4:8 source.url: environment variable MKP_BASE_URL is not set and has no default (write ${MKP_BASE_URL:-default} to give one)',
      `  6:11 transforms[0].mapp: unknown transform "mapp" (${expected('operator')})`,
      '  8:5 sinks[0].format: cannot tell the format from "out/customers.txt": end it in .csv, .ndjson or .jsonl (optionally .gz), or set format: csv | ndjson',
      `  10:5 sinks[1].type: missing sink type (${expected('sink')})`,
    ]);
    expect(error.exitCode).toBe(2);
  });

  it('never puts a value from the environment in a message', () => {
    const secret = 'tok_9f8e7d6c5b4a';
    const error = configError(valid({ source: 'source:\n  type: ${MKP_TOKEN}\n  url: https://x.nl', sinks: 'sinks:\n  - type: file\n    path: ${MKP_TOKEN}' }), {
      MKP_TOKEN: secret,
    });
    expect(error.issues.map((issue) => issue.path)).toEqual(['source.type', 'sinks[0].format']);
    expect(error.message).not.toContain(secret);
  });

  it('validates transforms a custom registry adds', () => {
    const upper = defineOperator({
      type: 'upper',
      summary: 'Upper-cases a field.',
      config: z.strictObject({ field: z.string() }),
      create: ({ field }) => map((record) => ({ ...record, [field]: String(record[field]).toUpperCase() })),
    });
    const definition = parsePipeline(valid({ transforms: 'transforms:\n  - upper: {field: name}' }), FILE, {
      env: {},
      registry: createDefaultRegistry().register(upper),
    });
    expect(definition.transforms).toEqual([{ type: 'upper', config: { field: 'name' } }]);
  });
});

describe('loadPipeline', () => {
  it('names the file it cannot read', async () => {
    await expect(loadPipeline('pipelines/does-not-exist.yaml', { env: {} })).rejects.toThrow(
      'pipelines/does-not-exist.yaml: 1 problem\n  cannot read the file: there is no such file',
    );
  });
});
