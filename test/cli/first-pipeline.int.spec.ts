import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { CLI_MAIN, runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(60_000);

let dir: TmpDir;
let server: ChildProcess | undefined;
beforeEach(async () => (dir = await createTmpDir()));
afterEach(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'close');
  }
  await dir.remove();
});

const ENV = { DEMO_TOKEN: 'demo-token-123' };

/** `pageflow demo --serve` on a free port: the URL it logs once it listens. */
async function serveDemo(): Promise<{ url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI_MAIN, 'demo', '--serve', '--port', '0', '--customers', '40', '--token-env', 'DEMO_TOKEN'], {
    env: { PATH: process.env.PATH ?? '', ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /sample API: (http:\/\/127\.0\.0\.1:\d+\/v1\/customers)/.exec(stderr);
      if (match) resolve(match[1]);
    });
    child.on('close', () => reject(new Error(`demo --serve ended: ${stderr}`)));
  });
  return { url, stderr: () => stderr };
}

describe('the README walkthrough: demo --serve, init → check → run → record → test', () => {
  it('works as written, and the sample API stops on SIGTERM', async () => {
    const api = await serveDemo();
    const cli = (...args: string[]) => runCli(args, { cwd: dir.path, env: ENV });

    const init = await cli('init', api.url, '--auth', 'bearer', '--token-env', 'DEMO_TOKEN');
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toContain('pagination: Laravel simplePaginate, page size per_page=15 (sure:');
    expect(init.stdout).toContain('wrote pipelines/customers.yaml');

    const check = await cli('check', 'pipelines/customers.yaml');
    expect(check.stdout).toContain('all 5 checks passed');
    expect(check.exitCode).toBe(0);

    const run = await cli('run', 'pipelines/customers.yaml');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('3 pages, 40 records read');
    const csv = await readFile(dir.resolve('out/customers.csv'), 'utf8');
    expect(csv.startsWith('id,companyName,address,zipCode,city,primaryEmail,phone,integration,integrationId,customerGroups,createdAt\n')).toBe(true);

    const record = await cli('record', 'pipelines/customers.yaml', '--pages', '5', '-o', 'test/fixtures/customers/');
    expect(record.stdout).toBe('recorded 3 pages into test/fixtures/customers/ (secrets scrubbed)\n');
    const dryRun = await cli('run', 'pipelines/customers.yaml', '--dry-run', '--limit', '1000');
    expect(dryRun.stdout.trimEnd().split('\n')).toHaveLength(40);
    await writeFile(dir.resolve('test/fixtures/customers/expected.ndjson'), dryRun.stdout);
    await writeFile(
      dir.resolve('pipelines/customers.test.yaml'),
      ['pipeline: customers.yaml', 'tests:', '  - name: every customer of the recorded pages', '    pages: ../test/fixtures/customers/', '    expect:', '      records: ../test/fixtures/customers/expected.ndjson', ''].join('\n'),
    );
    // No token: authentication is not replayed.
    const test = await runCli(['test'], { cwd: dir.path });
    expect(test.stdout).toBe('PASS pipelines/customers.test.yaml › every customer of the recorded pages (3 pages, 40 records read)\n1 passed, 0 failed\n');
    expect(test.exitCode).toBe(0);

    // A second one on the same port says so, in words.
    const port = new URL(api.url).port;
    const taken = await runCli(['demo', '--serve', '--port', port], { cwd: dir.path });
    expect(taken.exitCode).toBe(2);
    expect(taken.stderr).toContain(`cannot serve on 127.0.0.1:${port}: `);
    expect(taken.stderr).toContain('(choose another with --port)');

    server!.kill('SIGTERM');
    const [code] = await once(server!, 'close');
    expect(code).toBe(0);
    expect(api.stderr()).toMatch(/sample API stopped after \d+ page requests/);
  });
});
