import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { InProcessJob } from './bench-case';
import type { ChildReport } from './in-process-child';

/** One timed run. */
export interface Sample {
  readonly wallMs: number;
  readonly peakRssMiB: number;
  readonly records?: number;
  readonly figures?: Readonly<Record<string, number>>;
}

export interface RunOptions {
  /** File that receives the child's stdout; absent: stdout is discarded. */
  readonly stdout?: string;
  readonly cwd: string;
}

const PEAK_RSS = join(__dirname, 'peak-rss.js');
const IN_PROCESS_CHILD = join(__dirname, 'in-process-child.js');

/**
 * Runs `node <argv>` as a whole process: wall time from spawn to exit, measured here; peak RSS as the
 * child reports it through the preloaded peak-rss module (the same two small files for every subject).
 */
export async function timeProcess(argv: readonly string[], options: RunOptions): Promise<Sample> {
  return withStdout(options.stdout, async (stdout) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', PEAK_RSS, ...argv], { cwd: options.cwd, stdio: ['ignore', stdout, 'pipe', 'pipe'] });
    const rss = readAll(child.stdio[3] as Readable);
    const stderr = tail(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`node ${argv.join(' ')} exited with ${code}:\n${stderr()}`);
    const peakRssMiB = Number(await rss);
    if (!peakRssMiB) throw new Error(`node ${argv.join(' ')} did not report its peak RSS`);
    return { wallMs, peakRssMiB };
  });
}

/** Runs a job inside a child process after its start-up; the child times it and reports. */
export async function timeInProcess(job: InProcessJob, options: RunOptions): Promise<Sample> {
  return withStdout(options.stdout, async (stdout) => {
    const child = fork(IN_PROCESS_CHILD, [JSON.stringify(job)], { cwd: options.cwd, execArgv: [...(job.execArgv ?? [])], stdio: ['ignore', stdout, 'pipe', 'ipc'] });
    let report: ChildReport | undefined;
    child.on('message', (message) => (report = message as ChildReport));
    const stderr = tail(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0 || !report) throw new Error(`in-process ${job.module} exited with ${code}${report ? '' : ' without a report'}:\n${stderr()}`);
    return report;
  });
}

async function withStdout<T>(path: string | undefined, use: (stdout: number | 'ignore') => Promise<T>): Promise<T> {
  if (!path) return use('ignore');
  const file = await open(path, 'w');
  try {
    return await use(file.fd);
  } finally {
    await file.close();
  }
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/** Keeps the last 4 KiB of a child's stderr, for the error when it fails. */
function tail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4096);
  });
  return () => text.trim();
}
