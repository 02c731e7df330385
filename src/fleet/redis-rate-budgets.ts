import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis, Result } from 'ioredis';
import { type Logger, silentLogger } from '../logger';
import type { RateBudgets, RateGate, RateLimit, Release } from '../sources/rate-gate';

/**
 * The sliding window of `RateLimiter`, kept in Redis so that every worker of a fleet shares it. Per
 * credential, two sorted sets of slots: `inflight` (granted, response not in yet; scored by when the
 * lease runs out) and `window` (response in; scored by when it leaves the window, `perMs` after it
 * arrived). A grant needs fewer than `requests` slots in both. Time is Redis's own (`TIME`), so the
 * workers' clocks do not matter. Replies: `{wait, oldest}`: wait 0 = granted, > 0 = try again in that
 * many ms, -1 = every slot is in flight (a release frees one); oldest = ms until the oldest slot of
 * the window leaves it (-1: none).
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, perMs, leaseMs = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local oldestIn = oldest[2] and (tonumber(oldest[2]) - now) or -1
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return {paused - now, oldestIn} end
if limit > 0 then
  if redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) >= limit then
    return {oldestIn >= 0 and math.max(oldestIn, 1) or -1, oldestIn}
  end
  redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], leaseMs + perMs)
end
return {0, oldestIn}
`;

/** The response is in: the slot moves from `inflight` to `window` for `perMs` (even if its lease ran out: the server saw it). */
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local perMs = tonumber(ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now + perMs, ARGV[1])
redis.call('PEXPIRE', KEYS[2], perMs)
return 1
`;

/** Holds every request with this credential back until `ms` from now (a later pause wins). */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], untilMs, 'PX', ARGV[1]) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    pageflowRateAcquire(inflight: string, window: string, pause: string, slot: string, limit: number, perMs: number, leaseMs: number): Result<[number, number], Context>;
    pageflowRateRelease(inflight: string, window: string, slot: string, perMs: number): Result<number, Context>;
    pageflowRatePause(pause: string, ms: number): Result<number, Context>;
  }
}

export interface RedisRateBudgetsOptions {
  /** Key prefix. @default 'pageflow:rate' */
  readonly prefix?: string;
  /**
   * How long a granted slot counts as in flight without its response: a worker that dies holding
   * one frees it after this. Longer than any request takes (the source's `timeout`). @default 5 min
   */
  readonly slotLeaseMs?: number;
  /** How often a request waiting for an in-flight slot asks again. @default 25 ms */
  readonly pollMs?: number;
  /** Gets a warning when a release or pause could not reach Redis. */
  readonly logger?: Logger;
}

/**
 * Rate budgets shared by a fleet: one sliding window per credential in Redis, so that every worker's
 * requests with one token together stay under its `rateLimit`, and a pause (429, used-up window)
 * holds them all. `credentialKey` is already a hash: the credential never reaches Redis.
 */
export class RedisRateBudgets implements RateBudgets {
  private readonly gates = new Map<string, RateGate>();
  private readonly settings: Required<Omit<RedisRateBudgetsOptions, 'logger'>> & { logger: Logger; owner: string };
  private slots = 0;

  constructor(
    private readonly redis: Redis,
    { prefix = 'pageflow:rate', slotLeaseMs = 5 * 60_000, pollMs = 25, logger = silentLogger }: RedisRateBudgetsOptions = {},
  ) {
    this.settings = { prefix, slotLeaseMs, pollMs, logger, owner: randomBytes(6).toString('hex') };
    if (!redis.pageflowRateAcquire) {
      redis.defineCommand('pageflowRateAcquire', { numberOfKeys: 3, lua: ACQUIRE });
      redis.defineCommand('pageflowRateRelease', { numberOfKeys: 2, lua: RELEASE });
      redis.defineCommand('pageflowRatePause', { numberOfKeys: 1, lua: PAUSE });
    }
  }

  gate(credentialKey: string, limit: RateLimit | undefined): RateGate {
    // One gate per credential and limit in this process: its waiters are served first come, first served.
    const id = `${credentialKey}/${limit ? `${limit.requests}/${limit.perMs}` : '-'}`;
    let gate = this.gates.get(id);
    if (!gate) {
      gate = new RedisRateGate(this.redis, `${this.settings.prefix}:{${credentialKey}}`, limit, this.settings, () => `${this.settings.owner}:${(this.slots += 1)}`);
      this.gates.set(id, gate);
    }
    return gate;
  }
}

interface Waiter {
  readonly signal?: AbortSignal;
  grant(release: Release): void;
  fail(error: unknown): void;
}

class RedisRateGate implements RateGate {
  private readonly waiting: Waiter[] = [];
  private serving = false;
  private pausedUntil = 0;
  /** When (local clock) the oldest slot of the window leaves it, as Redis last said. */
  private oldestLeavesAt?: number;
  private readonly keys: { inflight: string; window: string; pause: string };

  constructor(
    private readonly redis: Redis,
    key: string,
    private readonly limit: RateLimit | undefined,
    private readonly settings: { slotLeaseMs: number; pollMs: number; logger: Logger },
    private readonly nextSlot: () => string,
  ) {
    this.keys = { inflight: `${key}:inflight`, window: `${key}:window`, pause: `${key}:pause` };
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        // The first in line is being served: `take` sees the abort itself.
        const index = this.waiting.indexOf(waiter);
        if (index > 0) {
          this.waiting.splice(index, 1);
          reject(signal?.reason);
        }
      };
      const settle = () => signal?.removeEventListener('abort', onAbort);
      const waiter: Waiter = {
        signal,
        grant: (release) => {
          settle();
          resolve(release);
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      void this.serve();
    });
  }

  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.redis.pageflowRatePause(this.keys.pause, Math.ceil(ms)).catch((error: unknown) => this.warn('pause', error));
  }

  windowEndsIn(): number | undefined {
    if (!this.limit) return undefined;
    return this.oldestLeavesAt === undefined ? this.limit.perMs : Math.max(0, this.oldestLeavesAt - Date.now());
  }

  /** Serves the waiters in order, one Redis round trip at a time: only the first in line asks Redis. */
  private async serve(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.waiting.length > 0) {
        const waiter = this.waiting[0];
        try {
          waiter.grant(await this.take(waiter.signal));
        } catch (error) {
          waiter.fail(waiter.signal?.aborted ? waiter.signal.reason : error);
        }
        this.waiting.shift();
      }
    } finally {
      this.serving = false;
    }
  }

  private async take(signal: AbortSignal | undefined): Promise<Release> {
    const { requests = 0, perMs = 0 } = this.limit ?? {};
    for (;;) {
      signal?.throwIfAborted();
      const localWait = this.pausedUntil - Date.now();
      if (localWait > 0) {
        await sleep(localWait, undefined, { signal });
        continue;
      }
      const slot = this.nextSlot();
      const [wait, oldestIn] = await this.redis.pageflowRateAcquire(this.keys.inflight, this.keys.window, this.keys.pause, slot, requests, perMs, this.settings.slotLeaseMs);
      this.oldestLeavesAt = oldestIn >= 0 ? Date.now() + oldestIn : undefined;
      if (wait === 0) return this.limit ? this.releaser(slot, perMs) : () => {};
      await sleep(wait > 0 ? wait : this.settings.pollMs, undefined, { signal });
    }
  }

  private releaser(slot: string, perMs: number): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Until this lands the slot stays in flight, which only ever holds requests back.
      this.redis.pageflowRateRelease(this.keys.inflight, this.keys.window, slot, perMs).catch((error: unknown) => this.warn('release', error));
    };
  }

  private warn(what: string, error: unknown): void {
    this.settings.logger.log('warn', `shared rate limit: could not ${what} a slot in Redis (${error instanceof Error ? error.message : String(error)}); it frees itself later`);
  }
}
