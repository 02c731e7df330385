#!/usr/bin/env node
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { BUILT_IN_COMMAND_NAMES, COMMAND_NAMES } from './command-names';

// The CLI is one bundled file (`bundle.js`, built from `program.ts`). Compiling its 3 MB takes longer
// than running most commands, so it goes through V8's code cache, as Node 22's module.enableCompileCache
// would: the first run of a command stores the compiled code (the functions it ran included) in a
// folder of the temp folder; later runs of that command, with the same bundle and Node, skip the compiling.

const BUNDLE = join(__dirname, 'bundle.js');
const COMMANDS: ReadonlySet<string> = new Set([...COMMAND_NAMES, ...BUILT_IN_COMMAND_NAMES]);
// Files of another bundle (an upgrade, a rebuild) are removed once this old; younger ones may belong to
// another installation in use, which would otherwise recompile on every run.
const STALE_AFTER_MS = 60 * 60 * 1000;

/** This user's own cache folder, or undefined when it cannot be trusted or made (the CLI then compiles as usual). */
function cacheFolder(): string | undefined {
  const folder = process.env.PAGEFLOW_COMPILE_CACHE || join(tmpdir(), `pageflow-compile-cache-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = lstatSync(folder);
    // Code from the cache runs as it is: a folder someone else owns or can write to is not used.
    if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid()) || (stat.mode & 0o022) !== 0) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}

/** Where this run's compile cache is: the folder, the start of this bundle's file names, and this command's file. */
interface CacheLocation {
  readonly folder: string;
  readonly bundleKey: string;
  readonly file: string;
}

function cacheLocation(bundle: Buffer): CacheLocation | undefined {
  const folder = cacheFolder();
  if (!folder) return undefined;
  // By content: V8 checks only a cache's source length, and npm gives every installed file the same
  // mtime, so two versions' bundles of one size would otherwise share (and run) one cache.
  const bundleKey = `${process.version}-${process.arch}-${createHash('sha256').update(bundle).digest('hex').slice(0, 16)}-`;
  const command = process.argv.slice(2).find((argument) => !argument.startsWith('-')) ?? '';
  return { folder, bundleKey, file: join(folder, `${bundleKey}${COMMANDS.has(command) ? command : 'other'}.bin`) };
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(cache: CacheLocation, data: Buffer): void {
  const temp = `${cache.file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, cache.file);
    removeStale(cache);
  } catch {
    // A cache that cannot be written only means compiling again next time.
  }
}

/** Removes what no run will read again: other bundles' files and writes that never finished, once old enough. */
function removeStale({ folder, bundleKey }: CacheLocation): void {
  const now = Date.now();
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.tmp') && (!name.endsWith('.bin') || name.startsWith(bundleKey))) continue;
    const path = join(folder, name);
    if (now - lstatSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
  }
}

const bundle = readFileSync(BUNDLE);
// esbuild writes it in ASCII (--charset=ascii), which reads faster as Latin-1 than as UTF-8.
const source = bundle.toString('latin1');
const cache = cacheLocation(bundle);
const cachedData = cache && readCache(cache.file);
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: BUNDLE,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cache && (!cachedData || script.cachedDataRejected)) {
  // The cache holds the functions that still have their bytecode, and V8 drops that of functions not run
  // for a while: a long first run (a big export) would store a cache without its start-up code, for every
  // later run to compile again (~0.1 s). So this run keeps all bytecode, and turns dropping back on before
  // it writes, as V8 takes a cache only under the flags it was made with.
  v8.setFlagsFromString('--no-flush-bytecode');
  process.once('exit', () => {
    v8.setFlagsFromString('--flush-bytecode');
    writeCache(cache, script.createCachedData());
  });
}
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(BUNDLE), bundleModule, BUNDLE, dirname(BUNDLE));
