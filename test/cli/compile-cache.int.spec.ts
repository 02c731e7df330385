import { chmod, copyFile, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CLI_MAIN, runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

// The launcher (src/cli/main.ts) runs the bundle through V8's code cache, one file per command.
describe('the CLI compile cache', () => {
  let dir: TmpDir;
  let cache: string;
  const run = (...args: string[]) => runCli(args, { env: { PAGEFLOW_COMPILE_CACHE: cache } });
  const cacheFiles = async () => (await readdir(cache)).filter((name) => !name.endsWith('.tmp'));

  beforeEach(async () => {
    dir = await createTmpDir();
    cache = dir.resolve('cache');
  });
  afterEach(() => dir.remove());

  it('is written by the first run of a command and used, not rewritten, by the next', async () => {
    const first = await run('schema');
    expect(first.exitCode).toBe(0);
    const files = await cacheFiles();
    expect(files).toEqual([expect.stringMatching(new RegExp(`^${process.version}-${process.arch}-[0-9a-f]{16}-schema\\.bin$`))]);
    const written = await stat(join(cache, files[0]!));
    expect(written.size).toBeGreaterThan(100_000);
    expect(written.mode & 0o777).toBe(0o600);
    expect((await stat(cache)).mode & 0o777).toBe(0o700);

    const second = await run('schema');
    expect(second).toEqual(first);
    expect((await stat(join(cache, files[0]!))).mtimeMs).toBe(written.mtimeMs);

    expect((await run('list', dir.path)).exitCode).toBe(0);
    expect((await cacheFiles()).sort()).toEqual([expect.stringMatching(/-list\.bin$/), files[0]]);
  });

  it('holds the start-up code after a long first run too', async () => {
    // A long export's collections drop the bytecode of functions it ran only at start-up; stress
    // flushing and collections at exit drop it at once, before the cache is written.
    const collectAtExit = dir.resolve('collect-at-exit.js');
    await writeFile(collectAtExit, 'process.once("exit", () => { for (let i = 0; i < 30; i += 1) globalThis.gc(); });');
    const nodeArgs = ['--expose-gc', '--stress-flush-code', '--require', collectAtExit];
    const flushedCache = dir.resolve('flushed-cache');
    expect((await runCli(['schema'], { env: { PAGEFLOW_COMPILE_CACHE: flushedCache }, nodeArgs })).exitCode).toBe(0);
    expect((await run('schema')).exitCode).toBe(0);

    const size = async (folder: string) => (await stat(join(folder, (await readdir(folder))[0]!))).size;
    expect(await size(flushedCache)).toBeGreaterThan(0.9 * (await size(cache)));
  });

  it('tells bundles apart by their content, not by size and time (npm gives every installed file one mtime)', async () => {
    const installs = [dir.resolve('a'), dir.resolve('b')];
    const sameTime = new Date('1985-10-26T08:15:00Z');
    for (const install of installs) {
      await mkdir(install);
      for (const name of ['main.js', 'command-names.js', 'bundle.js']) await copyFile(join(dirname(CLI_MAIN), name), join(install, name));
    }
    const bundleB = join(installs[1]!, 'bundle.js');
    const original = await readFile(bundleB, 'latin1');
    expect(original).toContain('Name a command');
    await writeFile(bundleB, original.replace('Name a command', 'Name a commanD'), 'latin1');
    for (const install of installs) await utimes(join(install, 'bundle.js'), sameTime, sameTime);

    const usage = (install: string) => runCli([], { env: { PAGEFLOW_COMPILE_CACHE: cache }, cli: join(install, 'main.js') });
    expect((await usage(installs[0]!)).stderr).toContain('Name a command');
    expect((await usage(installs[1]!)).stderr).toContain('Name a commanD');
    expect(await cacheFiles()).toHaveLength(2);
  });

  it('keeps one file for every word that is no command', async () => {
    expect((await run('runn', 'x.yaml')).exitCode).toBe(2);
    expect((await run('tset')).exitCode).toBe(2);
    expect(await cacheFiles()).toEqual([expect.stringMatching(/-other\.bin$/)]);
  });

  it("removes other bundles' files and unfinished writes an hour old when it writes, and keeps younger ones", async () => {
    await run('--version');
    const [own] = await cacheFiles();
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const planted = { old: 'v18.0.0-x64-0123456789abcdef-run.bin', oldWrite: 'v18.0.0-x64-0123456789abcdef-run.bin.123.tmp', recent: 'v18.0.0-x64-fedcba9876543210-run.bin', other: 'notes.txt' };
    for (const name of Object.values(planted)) await writeFile(join(cache, name), 'x');
    for (const name of [planted.old, planted.oldWrite, planted.other, own!]) await utimes(join(cache, name), twoHoursAgo, twoHoursAgo);

    expect((await run('schema')).exitCode).toBe(0);
    const names = await readdir(cache);
    expect(names.filter((name) => !name.endsWith('-schema.bin')).sort()).toEqual([own!, planted.other, planted.recent].sort());
    expect(names.filter((name) => name.endsWith('-schema.bin'))).toHaveLength(1);
  });

  it('replaces a cache file V8 refuses, and the command runs as usual', async () => {
    const expected = await run('--version');
    const [file] = await cacheFiles();
    await writeFile(join(cache, file!), 'not compiled code');
    expect(await run('--version')).toEqual(expected);
    expect((await readFile(join(cache, file!))).toString('latin1')).not.toContain('not compiled code');
  });

  it('reads a bundle that is all ASCII, as the launcher reads it as Latin-1', async () => {
    const bundle = await readFile(join(CLI_MAIN, '..', 'bundle.js'));
    expect(bundle.findIndex((byte) => byte > 0x7f)).toBe(-1);
  });

  it('is not used in a folder that others can write to', async () => {
    expect((await run('--version')).exitCode).toBe(0);
    const [file] = await cacheFiles();
    await writeFile(join(cache, file!), 'planted by someone else');
    await chmod(cache, 0o777);
    const result = await run('--version');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await readFile(join(cache, file!), 'utf8')).toBe('planted by someone else');
  });
});
