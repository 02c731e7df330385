import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// Each CLI start takes a few hundred milliseconds, more on a busy machine.
jest.setTimeout(20_000);

const REPO = join(__dirname, '..', '..');

let dir: TmpDir;
beforeAll(async () => {
  dir = await createTmpDir('pageflow-list-');
  await writeFile(
    dir.resolve('orders.yaml'),
    'name: orders\nsource:\n  type: http\n  url: ${SHOP_URL:-https://shop.example}/v1/orders\n  params: { api_key: "${SHOP_KEY}" }\nsinks:\n  - type: file\n    path: out/orders.csv\n  - type: stdout\n',
  );
  await writeFile(dir.resolve('broken.yml'), 'name: broken\nsource:\n  type: ftp\nsinks:\n  - type: s4\n');
  await writeFile(dir.resolve('notes.txt'), 'not a pipeline');
  await writeFile(dir.resolve('orders.test.yaml'), 'pipeline: orders.yaml\ntests:\n  - name: empty\n    pages:\n      - request: /v1/orders\n        body: { data: [], next_page_url: null }\n    expect: { records: [] }\n');
  await writeFile(dir.resolve('bad.test.yaml'), 'pipeline: orders.yaml\ntests:\n  - name: typo\n    pagse: []\n    expect: { records: [] }\n');
});
afterAll(() => dir.remove());

describe('pageflow list', () => {
  it('lists the pipelines of a directory (name, source, sinks), and the first problem of an invalid one', async () => {
    const result = await runCli(['list', dir.path], { env: { SHOP_KEY: 'sh0p-s3cret' } });

    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3); // no *.test.yaml among them
    expect(lines[0]).toMatch(/^FILE +NAME +SOURCE +SINKS +NEEDS$/);
    expect(lines[1]).toMatch(/broken\.yml +invalid: source\.type: unknown source type "ftp" \(expected one of: http\) \(\+1 more: pageflow validate .*broken\.yml\)$/);
    expect(lines[2]).toMatch(/orders\.yaml +orders +http https:\/\/shop\.example\/v1\/orders +file:out\/orders\.csv, stdout$/);
    expect(result.stdout).not.toContain('sh0p-s3cret');
  });

  it('lists a pipeline whose variables are not set, naming them under NEEDS', async () => {
    const result = await runCli(['list', dir.path]);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/orders\.yaml +orders +http https:\/\/shop\.example\/v1\/orders +file:out\/orders\.csv, stdout +SHOP_KEY$/m);
  });

  it('lists pipelines/ by default', async () => {
    const result = await runCli(['list'], { cwd: REPO });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^pipelines\/demo\.yaml +demo-customers-to-csv +http http:\/\/127\.0\.0\.1:8080\/v1\/customers +file:out\/customers\.csv$/m);
  });

  it('exits 2 for a directory it cannot read', async () => {
    const result = await runCli(['list', dir.resolve('missing')]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: .*missing: 1 problem\n.*cannot read the directory: there is no such file or directory \(ENOENT\)/);
  });
});

describe('pageflow validate', () => {
  it('checks several files, reporting each, and exits 2 when any is invalid', async () => {
    const result = await runCli(['validate', dir.resolve('orders.yaml'), dir.resolve('broken.yml')], { env: { SHOP_KEY: 'x' } });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^info: .*orders\.yaml: valid \(orders\)$/m);
    expect(result.stderr).toMatch(/^error: .*broken\.yml: 2 problems$/m);
  });

  it('works without the secrets: an unset variable is a warning, and the file is valid', async () => {
    const result = await runCli(['validate', dir.resolve('orders.yaml')]);

    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^warn: .*orders\.yaml: 1 warning\n {2}5:22 source\.params\.api_key: environment variable SHOP_KEY is not set \(pageflow run will need it: /m);
    expect(result.stderr).toMatch(/^info: .*orders\.yaml: valid \(orders\)$/m);
  });

  it('checks pipeline tests (*.test.yaml) against their own schema', async () => {
    const result = await runCli(['validate', dir.resolve('orders.test.yaml'), dir.resolve('bad.test.yaml')]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^info: .*orders\.test\.yaml: valid \(1 test of .*orders\.yaml\)$/m);
    expect(result.stderr).toMatch(/^error: .*bad\.test\.yaml: 1 problem\n {2}4:5 tests\[0\]\.pagse: unknown key "pagse" \(did you mean "pages"\?\)$/m);
  });
});

describe('pageflow schema', () => {
  it('prints the JSON Schema, identical to the committed pipeline.schema.json', async () => {
    const result = await runCli(['schema']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(await readFile(join(REPO, 'pipeline.schema.json'), 'utf8'));
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'pageflow pipeline', anyOf: [{ required: ['name', 'source', 'sinks'] }, { required: ['name', 'streams'] }] });
  });
});
