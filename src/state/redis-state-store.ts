import type { Redis, Result } from 'ioredis';
import { StateError } from '../errors/state-error';
import { parseState, type PipelineState, serializeState } from './state-document';
import { type LockHolder, type LockState, parseLock, serializeLock, type StateStore } from './state-store';

export interface RedisStateStoreOptions {
  /** `redis://` or `rediss://`, password included: it is never printed (`location` names only the key). */
  readonly url: string;
  /** Names the state: kept under `pageflow:state:<key>`. */
  readonly key: string;
}

/** Where every state of a Redis store lives, beside BullMQ's `bull:` and the rate gates' `pageflow:rate:`. */
export const REDIS_STATE_PREFIX = 'pageflow:state:';

/**
 * Swaps the lock hash (`version`, `holder`) only from version `ARGV[1]` ('' for a lock never taken):
 * the new version is the old one plus one, so no two writes share a version. Returns it, or nil (the
 * lock had changed). One script: atomic against every other client of the server.
 */
const SWAP_LOCK = `
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[1] then return false end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'holder', ARGV[2])
return version
`;

/**
 * Writes ARGV[2] at byte ARGV[1] of the journal KEYS[1], recorded in the set KEYS[2] for `clear`;
 * refused when the journal is shorter than the offset (SETRANGE would pad the gap with zeros).
 */
const APPEND_JOURNAL = `
if redis.call('STRLEN', KEYS[1]) < tonumber(ARGV[1]) then return redis.error_reply('the journal is shorter than its last checkpoint saved') end
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('SETRANGE', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    pageflowStateSwapLock(lock: string, expected: string, holder: string): Result<number | null, Context>;
    pageflowStateAppendJournal(journal: string, journals: string, offset: number, bytes: Uint8Array): Result<number, Context>;
  }
}

/**
 * Keeps the state in Redis: the document in one string (`SET` replaces it whole, atomically), the
 * lock in a hash beside it (`<key>:lock`) swapped by a Lua script, checkpoints' journals in strings
 * `<key>:journal:<name>`. A fleet's workers keep their jobs'
 * state in their own Redis this way (`state: { path: redis:<key> }`). The keys never expire: they are
 * the pipeline's memory between runs, as a state file is. Connects on first use.
 */
export function createRedisStateStore({ url, key }: RedisStateStoreOptions): StateStore {
  const location = `redis:${key}`;
  const documentKey = `${REDIS_STATE_PREFIX}${key}`;
  const lockKey = `${documentKey}:lock`;
  const journalsKey = `${documentKey}:journals`;
  const journalKey = (name: string) => `${documentKey}:journal:${name}`;
  const fail = (action: string, error: unknown) => new StateError(location, `cannot ${action}: ${(error as Error).message}`, { cause: error });
  // ioredis (and BullMQ with it) costs a `pageflow run` without a Redis state nothing: loaded on first use.
  let connected: Promise<Redis> | undefined;
  const connect = () =>
    (connected ??= import('ioredis').then(({ Redis }) => {
      // A store answers or fails within seconds: a run must not wait for a Redis that is away (nor its
      // process for a socket that never connected, ioredis's disconnectTimeout).
      const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000, disconnectTimeout: 200, retryStrategy: (times) => (times > 3 ? null : 200 * times) });
      redis.on('error', () => {}); // each failed command reports its own error
      redis.defineCommand('pageflowStateSwapLock', { numberOfKeys: 1, lua: SWAP_LOCK });
      redis.defineCommand('pageflowStateAppendJournal', { numberOfKeys: 2, lua: APPEND_JOURNAL });
      return redis;
    }));

  return {
    location,

    async load() {
      let text: string | null;
      try {
        text = await (await connect()).get(documentKey);
      } catch (error) {
        throw fail('read the state', error);
      }
      return text === null ? undefined : parseState(text, location);
    },

    async save(state: PipelineState) {
      try {
        await (await connect()).set(documentKey, serializeState(state));
      } catch (error) {
        throw fail('save the state', error);
      }
    },

    async readLock(): Promise<LockState> {
      try {
        const [version, holder] = await (await connect()).hmget(lockKey, 'version', 'holder');
        return version === null ? {} : { version, holder: holder === null ? undefined : parseLock(holder) };
      } catch (error) {
        throw fail('read the lock', error);
      }
    },

    async swapLock(expected: string | undefined, next: LockHolder | undefined) {
      try {
        const version = await (await connect()).pageflowStateSwapLock(lockKey, expected ?? '', serializeLock(next));
        return version === null ? false : String(version);
      } catch (error) {
        throw fail('write the lock', error);
      }
    },

    journals: {
      async append(name, offset, bytes) {
        try {
          await (await connect()).pageflowStateAppendJournal(journalKey(name), journalsKey, offset, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        } catch (error) {
          throw fail(`append to the journal ${name}`, error);
        }
      },

      async read(name, length) {
        let bytes: Buffer;
        try {
          bytes = await (await connect()).getrangeBuffer(journalKey(name), 0, length - 1);
        } catch (error) {
          throw fail(`read the journal ${name}`, error);
        }
        if (bytes.length < length) throw new StateError(location, `the journal ${name} holds ${bytes.length} bytes, fewer than the ${length} its checkpoint saved: run with --fresh to start over`);
        return bytes;
      },

      async clear() {
        try {
          const redis = await connect();
          const journals = await redis.smembers(journalsKey);
          await redis.del(...journals, journalsKey);
        } catch (error) {
          throw fail('remove the journals', error);
        }
      },
    },

    async close() {
      if (connected) (await connected).disconnect();
    },
  };
}
