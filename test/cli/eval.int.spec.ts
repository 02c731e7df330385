import { writeFile } from 'node:fs/promises';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// Each CLI start takes a few hundred milliseconds, more on a busy machine.
jest.setTimeout(30_000);

const CUSTOMER = { id: 'cst_1', companyName: 'Smit & Zonen', address: { city: 'Utrecht' }, customerGroups: ['cug_a', 'cug_b'], integration: 'acumulus' };

let dir: TmpDir;
beforeAll(async () => {
  dir = await createTmpDir('pageflow-eval-');
  await writeFile(dir.resolve('customer.json'), JSON.stringify(CUSTOMER));
});
afterAll(() => dir.remove());

const evaluate = (args: string[], input?: string) => runCli(['eval', ...args], { cwd: dir.path, input });

describe('pageflow eval', () => {
  it('evaluates field paths and JSONata on a record file, as map and filter do, printing JSON', async () => {
    const cases = [
      { expression: 'address.city', output: '"Utrecht"\n' },
      { expression: '$join(customerGroups, ";")', output: '"cug_a;cug_b"\n' },
      { expression: 'integration = "acumulus"', output: 'true\n' },
      { expression: '{ "id": id, "groups": $count(customerGroups) }', output: '{"id":"cst_1","groups":2}\n' },
      { expression: 'customerGroups', output: '["cug_a","cug_b"]\n' },
    ];

    const results = await Promise.all(cases.map(({ expression }) => evaluate([expression, '--record', 'customer.json'])));

    results.forEach((result, index) => {
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(cases[index].output);
    });
  });

  it('reads records from stdin, one result a line for NDJSON (what run --dry-run prints)', async () => {
    const input = `${JSON.stringify({ id: 1, city: 'Utrecht' })}\n${JSON.stringify({ id: 2 })}\n${JSON.stringify({ id: 3, city: 'Zwolle' })}\n`;

    const result = await evaluate(['$uppercase(city)'], input);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('"UTRECHT"\n"ZWOLLE"\n');
    expect(result.stderr).toBe('info: record 2: no value (a map field is left out; a filter drops the record)\n');
  });

  it('exits 2 for a syntax error, with the message validate gives', async () => {
    const result = await evaluate(['$join(customerGroups, ";"', '--record', 'customer.json']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('error: invalid JSONata expression "$join(customerGroups, \\";\\"": Expected ")" before end of expression (at character 25)\n');
  });

  it('exits 1 when the expression fails on the record, naming it', async () => {
    const result = await evaluate(['$uppercase(customerGroups)', '--record', 'customer.json']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: expression: "\$uppercase\(customerGroups\)" failed on record 1 \(\{"id":"cst_1",.*\): Argument 1 of function "uppercase" does not match function signature$/m);
  });

  it('exits 2 for input that is no record, or no file', async () => {
    const [list, text, missing] = await Promise.all([evaluate(['id'], '[1, 2]'), evaluate(['id'], 'not json'), evaluate(['id', '--record', 'nope.json'])]);

    expect([list.exitCode, text.exitCode, missing.exitCode]).toEqual([2, 2, 2]);
    expect(list.stderr).toBe('error: stdin: record 1 is not a JSON object: map and filter evaluate expressions on records (JSON objects)\n');
    expect(text.stderr).toMatch(/^error: stdin: line 1 is not JSON/);
    expect(missing.stderr).toMatch(/^error: nope\.json: 1 problem\n {2}cannot read the file: there is no such file or directory \(ENOENT\)\n$/);
  });
});
