import { Redis } from 'ioredis';
import { silentLogger } from '../../src/logger';
import { createRedisStateStore, REDIS_STATE_PREFIX } from '../../src/state/redis-state-store';
import { openStateStore, stateConfig } from '../../src/state/state-config';
import { acquireLock } from '../../src/state/state-lock';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { testStateStore } from './state-store-contract';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

let count = 0;
testStateStore('redis', async () => {
  count += 1;
  const key = `contract/case-${count}`;
  return {
    open: () => createRedisStateStore({ url: server.url, key }),
    corrupt: async (text) => {
      await redis.set(`${REDIS_STATE_PREFIX}${key}`, text);
    },
  };
}, { journals: true });

describe('Redis state store', () => {
  it('keeps the document and the lock under pageflow:state:<key>, named without the server in messages', async () => {
    const store = openStateStore(stateConfig.parse({ path: 'redis:tenants/acme' }), silentLogger, { redisUrl: 'redis://:s3cret@127.0.0.1:9' });
    expect(store.location).toBe('redis:tenants/acme');
    // Nothing listens there: the command fails within seconds, naming the state, never the password.
    const error = (await store.load().catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/^\[state:redis:tenants\/acme\] cannot read the state: /);
    expect(error.message).not.toContain('s3cret');
    await store.close?.();

    const good = openStateStore(stateConfig.parse({ path: 'redis:tenants/acme' }), silentLogger, { redisUrl: server.url });
    const held = await acquireLock(good, { pipeline: 'acme', logger: silentLogger });
    await good.save({ format: 'pageflow-state/1', pipeline: 'acme', updatedAt: '2026-01-02T03:04:05.000Z' });
    expect(JSON.parse((await redis.get('pageflow:state:tenants/acme'))!)).toMatchObject({ pipeline: 'acme' });
    expect(JSON.parse((await redis.hget('pageflow:state:tenants/acme:lock', 'holder'))!)).toEqual({ holder: held.holder });
    await held.release();
    await good.close?.();
  });

  it('needs a Redis server: the worker running the job, or PAGEFLOW_REDIS_URL', () => {
    expect(() => openStateStore(stateConfig.parse({ path: 'redis:x' }), silentLogger, { redisUrl: undefined })).toThrow(
      '[state:redis:x] no Redis server to keep the state in: run the pipeline on a worker (pageflow worker), or set PAGEFLOW_REDIS_URL',
    );
  });

  it.each([
    { path: 'redis://127.0.0.1:6379/state', message: 'expected redis:<key> (the Redis server is the worker\'s --redis, or $PAGEFLOW_REDIS_URL), got "redis://127.0.0.1:6379/state"' },
    { path: 'redis:', message: 'expected redis:<key> (the Redis server is the worker\'s --redis, or $PAGEFLOW_REDIS_URL), got "redis:"' },
  ])('refuses the path $path', ({ path, message }) => {
    const parsed = stateConfig.safeParse({ path });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([message]);
  });

  it('takes no S3 options', () => {
    const parsed = stateConfig.safeParse({ path: 'redis:x', region: 'eu-west-1' });
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual(['region applies to s3:// paths only (path is in Redis)']);
  });
});
