import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { startApiServerPerTest } from '../helpers/api-server';
import { relatedShape } from '../helpers/related-api';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(60_000);

const startApi = startApiServerPerTest();

describe('pageflow run with several streams (built CLI, loopback API)', () => {
  let tmp: TmpDir;
  let origin: string;
  beforeEach(async () => {
    tmp = await createTmpDir();
    const shape = relatedShape({ pages: 2, perPage: 3, childPages: (id) => id % 3, childStatus: (id) => (id === 5 ? 500 : undefined) });
    origin = (await startApi(shape)).origin;
  });
  afterEach(async () => {
    await tmp.remove();
  });

  /** A file with a customers stream and a contacts stream; `contactsOf` picks the customers whose contacts are read. */
  const writePipeline = async (extra = '', contactsFilter = 'id != 5') => {
    const file = tmp.resolve('streams.yaml');
    await writeFile(
      file,
      `name: mkp
${extra}
streams:
  customers:
    source: { type: http, url: "${origin}/v1/customers", auth: { type: bearer, token: "\${TOKEN}" } }
    sinks: [{ type: file, path: out/customers.ndjson }]
  contacts:
    source: { type: http, url: "${origin}/v1/customers", auth: { type: bearer, token: "\${TOKEN}" }, retry: { attempts: 1 } }
    transforms:
      - filter: ${contactsFilter}
      - request: { url: "/v1/customers/{id}/contacts", emit: true, include: { customerId: id } }
    sinks: [{ type: file, path: out/contacts.ndjson }]
`,
    );
    return file;
  };
  const cli = (args: string[]) => runCli(args, { cwd: tmp.path, env: { TOKEN: 'secret-token-1' } });
  const lines = async (file: string) => (await readFile(tmp.resolve(file), 'utf8')).trim().split('\n');

  it('runs every stream, with a summary line each and each stream in --summary-json', async () => {
    const run = await cli(['run', await writePipeline(), '--summary-json', 'out/summary.json']);

    expect(run.stderr).toMatch(/mkp\/customers: done in [\d.]+s: 2 pages, 6 records read/);
    expect(run.stderr).toMatch(/mkp\/contacts: done in [\d.]+s: 2 pages, 5 child requests \(6 pages\), 6 records read, 0 duplicates dropped, 1 dropped by filter/);
    expect(run.exitCode).toBe(0);
    expect(await lines('out/customers.ndjson')).toHaveLength(6);
    // Customers 1–6 but 5 have 1, 2, 0, 1, –, 0 pages of 2 contacts.
    expect(await lines('out/contacts.ndjson')).toHaveLength(8);
    const summary = JSON.parse(await readFile(tmp.resolve('out/summary.json'), 'utf8')) as { outcome: string; childRequests: number; recordsRead: number; streams: { stream: string; outcome: string; recordsRead: number }[] };
    expect(summary).toMatchObject({ outcome: 'done', childRequests: 5, recordsRead: 12 });
    expect(summary.streams.map(({ stream, outcome, recordsRead }) => [stream, outcome, recordsRead])).toEqual([
      ['customers', 'done', 6],
      ['contacts', 'done', 6],
    ]);
  });

  it('runs one stream with --stream, and refuses a stream the file lacks (exit 2)', async () => {
    const file = await writePipeline();
    const one = await cli(['run', file, '--stream', 'customers']);
    expect(one.exitCode).toBe(0);
    expect(one.stderr).toContain('mkp/customers: done');
    expect(one.stderr).not.toContain('mkp/contacts');
    expect(existsSync(tmp.resolve('out/contacts.ndjson'))).toBe(false);

    const unknown = await cli(['run', file, '--stream', 'invoices']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('no stream "invoices" in the file (it has: customers, contacts)');
  });

  it('fails the run when a child fails, naming the parent and the URL, and rolls back every stream', async () => {
    const run = await cli(['run', await writePipeline('', 'id > 0')]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`request: the children of record 2 of page 2 (${origin}/v1/customers/5/contacts) could not be read`);
    expect(run.stderr).toContain('1 stream failed (contacts); 1 stopped and rolled back (customers)');
    expect(run.stderr).not.toContain('secret-token-1');
    expect(existsSync(tmp.resolve('out/customers.ndjson'))).toBe(false);
    expect(existsSync(tmp.resolve('out/contacts.ndjson'))).toBe(false);
  });

  it('keeps the other streams with onStreamFailure: continue, and still exits 1', async () => {
    const run = await cli(['run', await writePipeline('onStreamFailure: continue', 'id > 0')]);

    expect(run.exitCode).toBe(1);
    expect(await lines('out/customers.ndjson')).toHaveLength(6);
    expect(existsSync(tmp.resolve('out/contacts.ndjson'))).toBe(false);
  });

  it('refuses state in a stream, naming the stream; list shows a line per stream; validate names them', async () => {
    const file = await writePipeline();
    const withState = (await readFile(file, 'utf8')).replace('  customers:\n', '  customers:\n    state: { path: state.json }\n');
    await writeFile(tmp.resolve('stateful.yaml'), withState);
    const run = await cli(['run', 'stateful.yaml']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('streams.customers.state: state is not supported in a stream ("customers")');

    const list = await cli(['list', tmp.path]);
    expect(list.stdout).toMatch(/streams\.yaml +mkp\/customers +http /);
    expect(list.stdout).toMatch(/streams\.yaml +mkp\/contacts +http /);
    const validate = await cli(['validate', file]);
    expect(validate.stderr).toContain('valid (mkp, streams: customers, contacts)');
  });
});
