import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts Debian's `redis-server` on a free loopback port, in a fresh temporary directory, without
 * persistence. Fails (never skips) when it is not installed: `.ci/run` installs it.
 */
export async function startRedisServer(): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: `apt-get install -y redis-server` (.ci/run does it)');
  }
  const directory = await mkdtemp(join(tmpdir(), 'pageflow-redis-'));
  // A port found free may be taken before redis binds it: try a few.
  for (let tries = 0; ; tries += 1) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--appendonly', 'no', '--logfile', ''], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (await ready(child)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        async close() {
          if (child.exitCode === null) {
            child.kill('SIGTERM');
            await once(child, 'exit');
          }
          await rm(directory, { recursive: true, force: true });
        },
      };
    }
    if (tries >= 3) {
      await rm(directory, { recursive: true, force: true });
      throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
    }
  }
}

/** Resolves true once the server accepts connections, false if it exits first. */
function ready(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
