#!/usr/bin/env node
import { lstatSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

// The CLI is one bundled file (`bundle.js`, built from `program.ts`). Compiling its 3 MB takes longer
// than running most commands, so it goes through V8's code cache, as Node 22's module.enableCompileCache
// would: the first run of a command stores the compiled code (the functions it ran included) in a
// folder of the temp folder; later runs of that command, with the same bundle and Node, skip the compiling.

const BUNDLE = join(__dirname, 'bundle.js');
const COMMAND = /^[a-z][a-z-]{0,20}$/;

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

function cacheFile(folder: string): string {
  const { size, mtimeMs } = statSync(BUNDLE);
  const command = process.argv.slice(2).find((argument) => !argument.startsWith('-')) ?? '';
  return join(folder, `${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}-${COMMAND.test(command) ? command : 'other'}.bin`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // A cache that cannot be written only means compiling again next time.
  }
}

// esbuild writes it in ASCII (--charset=ascii), which reads faster as Latin-1 than as UTF-8.
const source = readFileSync(BUNDLE, 'latin1');
const folder = cacheFolder();
const file = folder && cacheFile(folder);
const cachedData = file ? readCache(file) : undefined;
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: BUNDLE,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (file && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeCache(file, script.createCachedData()));
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(BUNDLE), bundleModule, BUNDLE, dirname(BUNDLE));
