import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI: integration tests run what users run (`npm run build` first). */
export const CLI_MAIN = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface CliRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  /** Added to a minimal environment (PATH only), so the developer's own variables never leak in. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kills the CLI if it has not exited by then. @default 20000 */
  readonly timeoutMs?: number;
  /** Written to the CLI's stdin, which is closed after it (at once when there is none). */
  readonly input?: string;
  /** Options for node itself, before the CLI's path. */
  readonly nodeArgs?: readonly string[];
  /** Another copy of the launcher to run. @default CLI_MAIN */
  readonly cli?: string;
}

/** Spawns `node dist/cli/main.js ...args` and collects its output and exit code. */
export function runCli(args: readonly string[], { env = {}, cwd, timeoutMs = 20_000, input, nodeArgs = [], cli = CLI_MAIN }: RunCliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, cli, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.on('error', () => {}); // a CLI that exits before reading its input closes the pipe
    child.stdin.end(input);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}
