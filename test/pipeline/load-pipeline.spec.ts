import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { map } from 'rxjs';
import { ConfigError } from '../../src/errors/config-error';
import { createDefaultRegistry } from '../../src/pipeline/builtins';
import { defineOperator } from '../../src/pipeline/component';
import { buildPipeline } from '../../src/pipeline/build-pipeline';
import { loadPipeline, parsePipeline, readPipeline } from '../../src/pipeline/load-pipeline';

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
        pagination: { type: 'next-link', next: 'next_page_url' },
      }),
      transforms: [
        { type: 'dedup', config: 'id' },
        { type: 'map', config: { id: 'id', company: 'companyName', email: 'primaryEmail', groups: '$join(customerGroups, ";")' } },
      ],
      sinks: [expect.objectContaining({ type: 'file', path: 'out/customers.csv' }), expect.objectContaining({ type: 'stdout' })],
      secrets: [ENV.MKP_TOKEN],
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
        '  9:12 source.auth.token: environment variable MKP_TOKEN is not set: set it in the environment or in a file given with --env-file',
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
    expect(error.issues).toEqual([{ path: 'source.type', line: 3, column: 9, message: `unknown source type "htp": did you mean "http"? (${expected('source')})` }]);
  });

  it('reports a missing source type', () => {
    expect(configError(valid({ source: 'source:\n  url: https://x' })).issues).toEqual([
      expect.objectContaining({ path: 'source.type', message: `missing source type (${expected('source')})` }),
    ]);
  });

  it('lists the sink types for an unknown one at sinks[1].type', () => {
    const error = configError(valid({ sinks: 'sinks:\n  - type: stdout\n  - type: ftp\n    path: x' }));
    expect(error.issues).toEqual([{ path: 'sinks[1].type', line: 9, column: 11, message: `unknown sink type "ftp" (${expected('sink')})` }]);
    expect(error.message).toBe(`${FILE}: 1 problem\n  9:11 sinks[1].type: unknown sink type "ftp" (${expected('sink')})`);
  });

  it('lists the transforms for an unknown one', () => {
    expect(configError(valid({ transforms: 'transforms:\n  - dedupe: id' })).issues).toEqual([
      { path: 'transforms[0].dedupe', line: 6, column: 13, message: `unknown transform "dedupe": did you mean "dedup"? (${expected('operator')})` },
    ]);
  });

  it('explains a step that is not a single-key mapping', () => {
    expect(configError(valid({ transforms: 'transforms:\n  - dedup\n  - dedup: id\n    map: {a: b}' })).issues).toEqual([
      expect.objectContaining({ path: 'transforms[0]', message: `expected a step like "dedup: id" (one of: dedup, filter, map, set, omit, rename, flatten, explode, validate, request), got the string "dedup"` }),
      expect.objectContaining({ path: 'transforms[1]', message: 'expected exactly one transform per step (one of: dedup, filter, map, set, omit, rename, flatten, explode, validate, request), got 2 keys' }),
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

  it('rejects unknown keys at the top and in components in one pass, each at its key with a "did you mean"', () => {
    const text = `${valid({ sinks: 'sinks:\n  - type: stdout\n    colums: [id]\n    Format: csv' })}\nsink: []\nwhatever: 1`;
    expect(configError(text).issues).toEqual([
      { path: 'sinks[0].colums', line: 9, column: 5, message: 'unknown key "colums" (did you mean "columns"?)' },
      { path: 'sinks[0].Format', line: 10, column: 5, message: 'unknown key "Format" (did you mean "format"?)' },
      { path: 'sink', line: 11, column: 1, message: 'unknown key "sink" (did you mean "sinks"?)' },
      { path: 'whatever', line: 12, column: 1, message: 'unknown key "whatever" (expected one of: name, description, state, checkpoint, expressions, source, transforms, sinks, rejects, maxRejects)' },
    ]);
  });

  it('takes a misspelt required key for what it is, not also for a missing one', () => {
    const text = 'name: customers\nsource:\n  type: http\n  url: https://api.example.nl\ntranforms:\n  - dedup: id\nsink:\n  - type: stdout\n';
    expect(configError(text).message).toBe(
      [`${FILE}: 2 problems`, '  5:1 tranforms: unknown key "tranforms" (did you mean "transforms"?)', '  7:1 sink: unknown key "sink" (did you mean "sinks"?)'].join('\n'),
    );
  });

  it('reports the problems inside components even when the top level has problems too', () => {
    const text = 'source:\n  type: http\n  url: not a url\n  retry: { attemps: 3 }\nsinks:\n  - type: file\n';
    expect(configError(text).issues).toEqual([
      { path: 'name', line: 1, column: 1, message: 'missing: every pipeline has a name, e.g. name: customers-to-csv' },
      { path: 'source.url', line: 3, column: 8, message: 'expected an http:// or https:// URL' },
      { path: 'source.retry.attemps', line: 4, column: 12, message: 'unknown key "attemps" (did you mean "attempts"?)' },
      { path: 'sinks[0].path', line: 6, column: 5, message: 'Invalid input: expected string, received undefined' },
    ]);
  });

  it('says what a missing top-level key is for', () => {
    expect(configError('name: x\n').issues.map((issue) => issue.message)).toEqual([
      'missing: where the records come from, e.g. type: http and a url',
      'missing: where the records go, a list such as - type: stdout',
    ]);
  });

  it('requires at least one sink', () => {
    expect(configError(valid({ sinks: 'sinks: []' })).issues).toEqual([expect.objectContaining({ path: 'sinks', message: 'expected at least one sink' })]);
  });

  it('reports a YAML syntax error with its line and column', () => {
    expect(configError('name: x\nsource: "http\nsinks: []').issues).toEqual([{ path: '', line: 3, column: 10, message: 'not valid YAML/JSON: Missing closing "quote' }]);
    expect(configError('name: x\n\tsource: 1\n').issues).toEqual([{ path: '', line: 2, column: 1, message: 'not valid YAML/JSON: Tabs are not allowed as indentation (indent with spaces)' }]);
  });

  it.each([
    {
      name: 'a key indented too far',
      text: 'name: x\nsource:\n  type: http\n   url: https://x.nl\nsinks: []',
      issue: { line: 4, column: 4, message: '"url:" is indented more than "type:" on line 3 above it (column 4, not 3): keys of one mapping must start at the same column' },
    },
    {
      name: 'a key indented too little in a map',
      text: 'name: x\ntransforms:\n  - map:\n      id: id\n     company: companyName\n      city: city\nsinks: []',
      issue: { line: 5, column: 6, message: '"company:" starts at column 6, but "id:" on line 4 above it at column 7: keys of one mapping must start at the same column' },
    },
    {
      name: 'a sink option out of line with its type',
      text: 'name: x\nsinks:\n  - type: file\n  path: out/a.csv\n  - type: stdout\n',
      issue: { line: 4, column: 3, message: '"path:" starts at column 3, but "type:" on line 3 above it at column 5: keys of one mapping must start at the same column' },
    },
  ])('reports one indentation slip as one problem at its line: $name', ({ text, issue }) => {
    expect(configError(text).issues).toEqual([{ path: '', ...issue }]);
  });

  it('reports a file that is not a mapping', () => {
    expect(configError('- just\n- a list').issues).toEqual([{ path: '', line: 1, column: 1, message: 'expected a mapping with name, source and sinks, got a list' }]);
  });

  it.each([
    { name: 'empty', text: '', message: 'the file is empty: a pipeline file is a YAML mapping; see the README or `pageflow schema`' },
    { name: 'only comments', text: '# a pipeline, one day\n\n', message: 'the file is empty (only comments): a pipeline file is a YAML mapping; see the README or `pageflow schema`' },
  ])('says that an $name file is empty', ({ text, message }) => {
    expect(configError(text).issues).toEqual([{ path: '', message }]);
  });

  it('refuses a YAML alias bomb ("billion laughs") as an invalid file, quickly', () => {
    const levels = Array.from({ length: 9 }, (_, level) => `l${level}: &l${level} [${Array(9).fill(level === 0 ? '"lol"' : `*l${level - 1}`).join(', ')}]`);
    const started = Date.now();
    const error = configError(`${levels.join('\n')}\nname: bomb\n`);
    expect(error.issues).toEqual([{ path: '', message: 'its aliases (*name) expand to more than 1000 copies: a "billion laughs" file, not a pipeline' }]);
    expect(error.exitCode).toBe(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('accepts the few aliases hand-written files use', () => {
    const text = 'name: x\nsource:\n  type: http\n  url: https://x.nl\n  params: &params { per_page: 10 }\nsinks:\n  - type: stdout\nx-defaults: *params\n';
    expect(configError(text).issues).toEqual([expect.objectContaining({ path: 'x-defaults', message: expect.stringMatching(/^unknown key/) })]);
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
      '  4:8 source.url: environment variable MKP_BASE_URL is not set and has no default: set it in the environment or in a file given with --env-file, or give a default in the file: ${MKP_BASE_URL:-…}',
      `  6:11 transforms[0].mapp: unknown transform "mapp": did you mean "map"? (${expected('operator')})`,
      '  8:5 sinks[0].format: cannot tell the format from "out/customers.txt": end it in .csv, .ndjson, .jsonl (optionally .gz) or .parquet, or set format: csv | ndjson | parquet',
      `  10:5 sinks[1].type: missing sink type (${expected('sink')})`,
    ]);
    expect(error.exitCode).toBe(2);
  });

  it('never puts a value from the environment in a message', () => {
    const secret = 'tok_9f8e7d6c5b4a';
    const error = configError(valid({ source: 'source:\n  type: ${MKP_TOKEN}\n  url: https://x.nl', sinks: 'sinks:\n  - type: ${MKP_TOKEN}' }), {
      MKP_TOKEN: secret,
    });
    expect(error.issues.map((issue) => issue.path)).toEqual(['source.type', 'sinks[0].type']);
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

describe('--set overrides (LoadOptions.overrides)', () => {
  const set = (text: string, ...overrides: string[]) =>
    readPipeline(text, FILE, { env: ENV, overrides: overrides.map((override) => ({ path: pathOf(override), text: override.slice(override.indexOf('=') + 1) })) });
  const pathOf = (override: string) => override.slice(0, override.indexOf('=')).split('.').map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const s3 = valid({ sinks: 'sinks:\n  - type: s3\n    bucket: exports\n    key: customers.csv' });

  it('reads values as YAML where the field takes more than text', () => {
    const { definition } = set(valid(), 'source.params.per_page=50', 'source.concurrency=4', 'sinks.0.columns=[id, name]');
    expect(definition.source).toMatchObject({ params: { per_page: 50 }, concurrency: 4 });
    expect(definition.sinks[0]).toMatchObject({ columns: ['id', 'name'] });
  });

  it('keeps a value as text where the field takes only text: braces stay braces', () => {
    const { definition } = set(s3, 'sinks.0.key={date}.csv', 'name=007');
    expect(definition.sinks[0]).toMatchObject({ key: '{date}.csv' });
    expect(definition.name).toBe('007');
  });

  it('names the --set, not a line of the file, for a problem it caused', () => {
    expect(() => set(valid(), 'sinks.0.format=xlsx', 'sinks.1={type: file}')).toThrow(
      [
        `${FILE}: 2 problems`,
        '  --set sinks[0].format: Invalid option: expected one of "csv"|"ndjson"',
        '  --set sinks[1] → sinks[1].path: Invalid input: expected string, received undefined',
      ].join('\n'),
    );
  });

  it('names the --set of a value that is not YAML, and of a path it cannot set, never printing the value', () => {
    const error = configErrorOf(() => set(valid(), 'sinks.0.columns=[s3cr3t-v4lue', 'name.first=x'));
    expect(error.message).toMatch(/^pipelines\/test\.yaml: 2 problems\n {2}--set sinks\[0\]\.columns: the value is not valid YAML: .*\n {2}--set name\.first: cannot set it: name holds a single value, not keys or items$/);
    expect(error.message).not.toContain('s3cr3t-v4lue');
  });

  it('fills in ${VAR}s the override brings', () => {
    expect(set(valid(), 'source.headers.X-Token=${MKP_TOKEN}').definition.source.headers).toEqual({ 'X-Token': ENV.MKP_TOKEN });
  });
});

describe('${VAR} in number and boolean fields', () => {
  const source = 'source:\n  type: http\n  url: https://api.example.nl/v1/customers\n  concurrency: ${CONC:-4}\n  allowCrossOrigin: ${CROSS:-false}';

  it('types the value after interpolation', () => {
    expect(parsePipeline(valid({ source }), FILE, { env: {} }).source).toMatchObject({ concurrency: 4, allowCrossOrigin: false });
    expect(parsePipeline(valid({ source }), FILE, { env: { CONC: '8', CROSS: 'true' } }).source).toMatchObject({ concurrency: 8, allowCrossOrigin: true });
  });

  it('reports a value that is not a number at the field', () => {
    expect(configError(valid({ source }), { CONC: 'many' }).issues).toEqual([
      { path: 'source.concurrency', line: 5, column: 16, message: 'Invalid input: expected number, received string (filled in from ${CONC:-4})' },
    ]);
  });
});

describe('unset variables as warnings (validate, list, test)', () => {
  it('validates a file whose secrets are not set, with a warning per variable and stand-ins in their place', () => {
    const { definition, warnings, unset, standIns } = readPipeline(ISSUE_PIPELINE.replace('${MKP_BASE_URL:-https://api.mijnklantportaal.nl}', '${MKP_BASE_URL}'), FILE, {
      env: {},
      unset: 'stand-in',
    });
    expect(warnings).toEqual([
      { path: 'source.url', line: 4, column: 8, message: expect.stringMatching(/^environment variable MKP_BASE_URL is not set \(pageflow run will need it/) },
      { path: 'source.auth.token', line: 9, column: 12, message: expect.stringMatching(/^environment variable MKP_TOKEN is not set/) },
    ]);
    expect(unset).toEqual(['MKP_BASE_URL', 'MKP_TOKEN']);
    expect(definition.source.url).toBe('https://mkp-base-url.invalid/v1/customers');
    expect(standIns.get('https://mkp-base-url.invalid')).toBe('${MKP_BASE_URL}');
  });

  it('still reports every other problem', () => {
    expect(() => readPipeline(valid({ sinks: 'sinks:\n  - type: file\n    path: ${OUT}/a.txt' }), FILE, { env: {}, unset: 'stand-in' })).toThrow(/sinks\[0\]\.format: cannot tell the format/);
  });
});

describe('the secrets of a definition', () => {
  const secretsOf = (source: string, env: Record<string, string>) => parsePipeline(valid({ source }), FILE, { env }).secrets ?? [];

  it('are the values from the environment, except where the field is marked not secret', () => {
    const source = [
      'source:',
      '  type: http',
      '  url: ${BASE}/${TENANT}/customers?api_key=${KEY}',
      '  headers: { X-Auth: "${HEADER}" }',
      '  params: { sig: "${SIG}" }',
      '  records: ${RECORDS}',
      '  timeout: ${TIMEOUT}',
      '  concurrency: ${CONC}',
    ].join('\n');
    const env = { BASE: 'https://api.example.nl', TENANT: 'acme-corp', KEY: 'k3y-v4lue', HEADER: 'h34der', SIG: 's1gnature', RECORDS: 'items.all', TIMEOUT: '10s', CONC: '4' };
    expect([...secretsOf(source, env)].sort()).toEqual(['h34der', 'k3y-v4lue', 's1gnature']);
  });

  it('reach the built pipeline, for its redaction', () => {
    const definition = parsePipeline(valid({ source: 'source:\n  type: http\n  url: https://x.nl\n  params: { auth: "${AUTH}" }' }), FILE, { env: { AUTH: 'a0th-v4lue' } });
    expect(buildPipeline(definition).secrets).toContain('a0th-v4lue');
  });
});

function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the pipeline to be invalid');
}
