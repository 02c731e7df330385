import { Redis } from 'ioredis';
import { ConfigError } from '../errors/config-error';
import { PageflowError } from '../errors/pageflow-error';
import { REDIS_URL_VARIABLE } from './fleet-defaults';

/** Checks a `--redis` URL: `redis://` or `rediss://` (TLS). A wrong one is a usage error (exit 2). */
export function checkRedisUrl(url: string | undefined): string {
  const problem = (message: string) => new ConfigError('--redis', [{ path: '', message }]);
  if (!url) throw problem(`name the Redis server: --redis redis://host:6379 (or set ${REDIS_URL_VARIABLE})`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw problem('expected a URL such as redis://127.0.0.1:6379 or rediss://:password@redis.internal:6380');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw problem(`expected redis:// or rediss:// (TLS), got ${parsed.protocol}//`);
  return url;
}

/** A Redis URL for messages: the password (and user name) never shown. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.username || parsed.password ? '***@' : ''}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/**
 * A connection for a short command (`enqueue`, `jobs`): it fails within seconds when Redis cannot be
 * reached, rather than waiting for it as a worker does.
 */
export async function connectBriefly(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: (times) => (times > 2 ? null : 200 * times) });
  // connect() rejects with "Connection is closed" once it gives up: the last error says why.
  let reason: unknown;
  redis.on('error', (error) => (reason = error));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw unreachable(url, reason ?? error);
  }
  return redis;
}

/** Options of a worker's connections: BullMQ's blocking commands wait for Redis across its restarts. */
export function workerRedisOptions(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

function unreachable(url: string, error: unknown): PageflowError {
  return new PageflowError(`cannot reach Redis at ${describeRedisUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { code: 'PF_REDIS_UNREACHABLE', cause: error });
}
