import { readFile, writeFile } from 'node:fs/promises';
import { startCustomersApi, type CustomersApi } from '../helpers/customers-api';
import { startFaultApi } from '../helpers/fault-api';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// Each CLI start takes a few hundred milliseconds, more on a busy machine.
jest.setTimeout(30_000);

const TOKEN = 'tok-fr0m-env-f1le';

let dir: TmpDir;
let api: CustomersApi;

beforeAll(async () => {
  dir = await createTmpDir('pageflow-messages-');
  api = await startCustomersApi({ customers: [{ id: 'c1', companyName: 'Smit' }, { id: 'c2', companyName: 'Jansen' }], token: TOKEN });
  await writeFile(
    dir.resolve('customers.yaml'),
    'name: customers\nsource:\n  type: http\n  url: ${API_URL}/v1/customers\n  auth: { type: bearer, token: "${API_TOKEN}" }\nsinks:\n  - type: stdout\n',
  );
  await writeFile(dir.resolve('.env'), `# the token, kept out of the shell history\nAPI_TOKEN="${TOKEN}"\nAPI_URL=http://127.0.0.1:9\n`);
  await writeFile(dir.resolve('empty.yaml'), '');
  const levels = Array.from({ length: 9 }, (_, level) => `l${level}: &l${level} [${Array(9).fill(level === 0 ? '"lol"' : `*l${level - 1}`).join(', ')}]`);
  await writeFile(dir.resolve('bomb.yaml'), `${levels.join('\n')}\nname: bomb\n`);
});
afterAll(async () => {
  await api.close();
  await dir.remove();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir.path, env });

describe('--env-file', () => {
  it('fills in ${VAR}s from the file; variables already set win; its values are never printed', async () => {
    const before = api.requests.length;

    const result = await cli(['run', 'customers.yaml', '--env-file', '.env', '-v'], { API_URL: api.url });

    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line).id)).toEqual(['c1', 'c2']);
    expect(api.requests.slice(before).map((request) => request.headers.authorization)).toEqual([`Bearer ${TOKEN}`]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('is taken by every command: validate finds the variables set', async () => {
    const [without, withFile] = await Promise.all([cli(['validate', 'customers.yaml']), cli(['validate', 'customers.yaml', '--env-file', '.env'])]);

    expect(without.stderr).toMatch(/API_TOKEN is not set/);
    expect(withFile.stderr).not.toMatch(/is not set/);
    expect(withFile.exitCode).toBe(0);
  });

  it('fails naming a file that does not exist', async () => {
    const result = await cli(['list', '.', '--env-file', 'missing.env']);

    // Node 20 and 22 look for --env-file themselves, even after the script's name, and exit 9
    // ("node: missing.env: not found") before pageflow starts; without that, pageflow exits 2.
    expect([2, 9]).toContain(result.exitCode);
    expect(result.stderr).toMatch(/missing\.env: (1 problem\n {2}cannot read the file: there is no such file or directory \(ENOENT\)|not found)\n$/);
    expect(result.stdout).toBe('');
  });
});

describe('--summary-json', () => {
  it.each([
    { name: 'a directory', path: '.', reason: 'it is a directory' },
    { name: 'under a file', path: 'customers.yaml/summary.json', reason: 'customers.yaml is not a directory' },
  ])('that cannot be written ($name) fails before any request, exit 2', async ({ path, reason }) => {
    const before = api.requests.length;

    const result = await cli(['run', 'customers.yaml', '--summary-json', path], { API_URL: api.url, API_TOKEN: TOKEN });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--summary-json: cannot write the summary there: ${reason}`);
    expect(result.stdout).toBe('');
    expect(api.requests.length).toBe(before);
  });

  it('creates the directory it is to go in', async () => {
    const result = await cli(['run', 'customers.yaml', '--summary-json', 'reports/nightly/summary.json'], { API_URL: api.url, API_TOKEN: TOKEN });

    expect(result.exitCode).toBe(0);
    expect(JSON.parse(await readFile(dir.resolve('reports', 'nightly', 'summary.json'), 'utf8'))).toMatchObject({ outcome: 'done', recordsRead: 2 });
  });
});

describe('invalid files', () => {
  it('an empty file says it is empty', async () => {
    const result = await cli(['run', 'empty.yaml']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('error: empty.yaml: 1 problem\n  the file is empty: a pipeline file is a YAML mapping; see the README or `pageflow schema`\n');
  });

  it('a YAML alias bomb is an invalid file: exit 2, outcome invalid, quickly', async () => {
    const started = Date.now();

    const result = await cli(['run', 'bomb.yaml', '--summary-json', 'bomb.json']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('bomb.yaml: 1 problem\n  its aliases (*name) expand to more than 1000 copies: a "billion laughs" file, not a pipeline');
    expect(JSON.parse(await readFile(dir.resolve('bomb.json'), 'utf8'))).toMatchObject({ outcome: 'invalid', exitCode: 2 });
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('secrets from the environment', () => {
  it('never appear in logs, errors or the summary, whatever their query parameter is called, in any encoding', async () => {
    // URL-safe, so that its plain form is the one printed: the encoded forms are the shared Redactor's (src/errors/redact.ts).
    const secret = 'pass-w0rd-s1g';
    const faults = await startFaultApi({
      pages: 2,
      perPage: 2,
      fault: ({ page, attempt }) => (page !== 2 ? undefined : attempt % 2 === 1 ? { status: 429, headers: { 'Retry-After': '0' } } : { status: 403, body: { message: 'Forbidden' } }),
    });
    try {
      await writeFile(dir.resolve('signed.yaml'), 'name: signed\nsource:\n  type: http\n  url: ${FAULT_URL}?auth=${SIG}\n  params: { sig: "${SIG}" }\nsinks:\n  - type: stdout\n');

      // One after the other: each run gets a 429 then a 403 for page 2 (the fault API counts attempts across runs).
      const run = (format: string) => cli(['run', 'signed.yaml', '--log-format', format, '--summary-json', `signed-${format}.json`], { FAULT_URL: faults.url, SIG: secret });
      const text = await run('text');
      const json = await run('json');

      expect([text.exitCode, json.exitCode]).toEqual([1, 1]);
      expect(text.stderr).toMatch(/^warn: page 2 \(http:\/\/127\.0\.0\.1:\d+\/items\?page=2&auth=\*\*\*&sig=\*\*\*\): HTTP 429/m);
      expect(text.stderr).toMatch(/^error: page 2 \(.*sig=\*\*\*\): HTTP 403/m);
      const output = [text.stdout, text.stderr, json.stdout, json.stderr, await readFile(dir.resolve('signed-text.json'), 'utf8'), await readFile(dir.resolve('signed-json.json'), 'utf8')].join('\n');
      for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) expect(output).not.toContain(form);
    } finally {
      await faults.close();
    }
  });
});

describe('warnings', () => {
  it("logs the AWS SDK's notice about future Node versions only at debug, once", async () => {
    // Emits the notice the way the SDK does, twice, once the CLI has set up its logging.
    const preload = dir.resolve('emit-notice.js');
    await writeFile(
      preload,
      "setTimeout(() => { for (let i = 0; i < 2; i += 1) process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\\nversions published after the first week of January 2027\\nwill require node >=22.'); }, 0);\n",
    );
    const env = { API_URL: api.url, API_TOKEN: TOKEN, NODE_OPTIONS: `--require ${preload}` };

    const [normal, verbose] = await Promise.all([cli(['run', 'customers.yaml'], env), cli(['run', 'customers.yaml', '-v'], env)]);

    expect([normal.exitCode, verbose.exitCode]).toEqual([0, 0]);
    expect(normal.stderr).not.toContain('AWS SDK');
    expect(verbose.stderr.split('\n').filter((line) => line.includes('AWS SDK'))).toEqual([
      'debug: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3) versions published after the first week of January 2027 will require node >=22.',
    ]);
  });
});
