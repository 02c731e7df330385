import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSampleApi, type SampleApi } from '../../src/demo/sample-api';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// The package as users get it: `npm pack`ed (no build: `npm test` built dist/ first), unpacked into a
// scratch project outside the repository, its dependencies linked from the repository's node_modules
// (offline, and fast). The README's snippets are run from it as they are written.
jest.setTimeout(60_000);

const run = promisify(execFile);
const REPO = join(__dirname, '..', '..');
const TOKEN = 'tok-pack4ge-t3st';

let dir: TmpDir;
let project: string;
let packed: string[];
let api: SampleApi;

beforeAll(async () => {
  dir = await createTmpDir('pageflow-package-');
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], { cwd: REPO });
  const [{ filename, files }] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = files.map((file) => file.path);

  project = dir.resolve('project');
  const modules = join(project, 'node_modules');
  await mkdir(join(modules, '@aws-sdk'), { recursive: true });
  await run('tar', ['-xzf', dir.resolve(filename), '-C', modules]);
  await rename(join(modules, 'package'), join(modules, 'pageflow'));
  const { dependencies } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  await Promise.all(Object.keys(dependencies).map((name) => symlink(join(REPO, 'node_modules', name), join(modules, name), 'dir')));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));

  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const snippet = (kind: string) => new RegExp(`<!-- snippet:${kind} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1] ?? '';
  await writeFile(join(project, 'export-customers.mjs'), snippet('esm'));
  await writeFile(join(project, 'export-customers.js'), snippet('cjs'));

  api = await startSampleApi({ customers: 30, token: TOKEN });
});
afterAll(async () => {
  await api?.close();
  await dir?.remove();
});

const node = (args: string[]) => run(process.execPath, args, { cwd: project, env: { PATH: process.env.PATH ?? '', MKP_BASE_URL: api.url, MKP_TOKEN: TOKEN } });
const lines = async (...path: string[]) => (await readFile(join(project, ...path), 'utf8')).trimEnd().split('\n');

describe('the packed package', () => {
  it('holds the built code, its types, the shipped pipelines and the schema, and no sources or tests', () => {
    expect(packed).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'pipelines/demo.yaml', 'pipelines/demo.test.yaml', 'pipeline.schema.json']));
    expect(packed.filter((path) => /^(src|test)\//.test(path))).toEqual([]);
  });

  it("runs the README's ES module snippet in a project of its own", async () => {
    const { stderr } = await node(['export-customers.mjs']);

    // Every third sample customer is an Acumulus one.
    expect(stderr).toBe('30 records read, 10 written\n');
    const csv = await lines('out', 'acumulus-customers.csv');
    expect(csv[0]).toBe('id,company,groups,exportedAt');
    expect(csv).toHaveLength(11);
  });

  it("runs the README's CommonJS snippet in a project of its own", async () => {
    const { stderr } = await node(['export-customers.js']);

    expect(stderr).toBe('30 records read, 30 written\n');
    expect(await lines('out', 'customers.csv')).toHaveLength(31);
  });

  it('runs its CLI from outside the repository, writing sink paths relative to the working directory', async () => {
    const cli = join(project, 'node_modules', 'pageflow', 'dist', 'cli', 'main.js');

    const demo = await node([cli, 'demo', '--limit', '5', '--set', 'sinks.0.path=out/demo.csv']);
    const shipped = await node([cli, 'test', 'node_modules/pageflow/pipelines/demo.test.yaml']);

    expect(demo.stderr).toMatch(/demo-customers-to-csv: done .*file:out\/demo\.csv 5 records/);
    expect(await lines('out', 'demo.csv')).toHaveLength(6);
    expect(shipped.stdout).toMatch(/^PASS .*demo\.test\.yaml › .*\n1 passed, 0 failed\n$/);
  });
});
