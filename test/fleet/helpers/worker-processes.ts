import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { CLI_MAIN } from '../../helpers/run-cli';

/** A `pageflow worker` process started by a test. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** `host:pid`, as BullMQ records it on the jobs it takes (`processedBy`). */
  readonly name: string;
  /** Everything it wrote to stderr (its logs) so far. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) once it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `pageflow worker --redis <url> ...args` processes and resolves once each says it is ready. */
export async function startWorkers(count: number, redisUrl: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<WorkerProcess[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const child = spawn(process.execPath, [CLI_MAIN, 'worker', '--redis', redisUrl, ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout!.resume();
      const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
      await until(() => / ready: /.test(stderr) || child.exitCode !== null, 20_000);
      if (child.exitCode !== null) throw new Error(`the worker exited at start: ${stderr}`);
      const name = / worker (\S+) ready: /.exec(stderr)![1];
      return { child, name, stderr: () => stderr, exited };
    }),
  );
}

/** Ends the workers a test started (SIGKILL: the test is over) and waits for them to exit. */
export async function killWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }),
  );
}

/** Resolves once `condition` holds, checking every 50 ms; rejects after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await delay(50);
  }
}

/** A queue handle for the test's own checks, on its own connection. */
export function openQueue(redisUrl: string, name = 'pageflow'): { queue: Queue; close(): Promise<void> } {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  return {
    queue,
    close: async () => {
      await queue.close();
      connection.disconnect();
    },
  };
}
