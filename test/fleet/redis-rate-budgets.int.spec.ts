import { Redis } from 'ioredis';
import { RedisRateBudgets } from '../../src/fleet/redis-rate-budgets';
import type { RateLimit } from '../../src/sources/rate-gate';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';

let redis: RedisServer;
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.quit()));
});

afterAll(async () => {
  await redis.close();
});

/** Budgets as one worker process has them: its own connection. */
function worker(options: ConstructorParameters<typeof RedisRateBudgets>[1] = {}): RedisRateBudgets {
  const client = new Redis(redis.url);
  clients.push(client);
  return new RedisRateBudgets(client, { prefix: `test:${expect.getState().currentTestName}`, ...options });
}

interface Slot {
  readonly grantedAt: number;
  readonly releasedAt: number;
}

/** Makes `count` requests through `budgets`' gate, `parallel` at a time, each taking `holdMs`. */
async function requests(budgets: RedisRateBudgets, key: string, limit: RateLimit | undefined, count: number, parallel = 4, holdMs = 5): Promise<Slot[]> {
  const slots: Slot[] = [];
  let left = count;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (left > 0) {
        left -= 1;
        const release = await budgets.gate(key, limit).acquire();
        const grantedAt = Date.now();
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        release();
        slots.push({ grantedAt, releasedAt: Date.now() });
      }
    }),
  );
  return slots;
}

/** The most slots counted at once: from its grant until `perMs` after its release, as the gate counts them. */
function busiestWindow(slots: readonly Slot[], perMs: number): number {
  return Math.max(...slots.map(({ grantedAt: t }) => slots.filter((slot) => slot.grantedAt <= t && slot.releasedAt + perMs > t).length));
}

describe('RedisRateBudgets', () => {
  const limit = { requests: 5, perMs: 500 };

  it('keeps three workers sharing a credential under its limit, in any window', async () => {
    const started = Date.now();
    const all = (await Promise.all([worker(), worker(), worker()].map((budgets) => requests(budgets, 'token-a', limit, 10)))).flat();
    const elapsed = Date.now() - started;
    expect(all).toHaveLength(30);
    expect(busiestWindow(all, limit.perMs)).toBeLessThanOrEqual(5);
    // 30 requests at 5 per 500 ms: the sixth window opens after at least 5 × 500 ms.
    expect(elapsed).toBeGreaterThanOrEqual(2500);
    expect(elapsed).toBeLessThan(10_000); // generous: CI machines are shared
  });

  it('lets different credentials proceed in parallel', async () => {
    const budgets = [worker(), worker()];
    const started = Date.now();
    await Promise.all([requests(budgets[0], 'token-a', limit, 10), requests(budgets[1], 'token-b', limit, 10)]);
    // Each needs one window wait (10 at 5 per window); serialised it would be three.
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('holds every worker of a credential while one of them was asked to wait, and only that credential', async () => {
    const [first, second] = [worker(), worker()];
    first.gate('token-a', limit).pauseFor(600);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the pause reaches Redis
    const started = Date.now();
    const [heldAt, freeAt] = await Promise.all(
      ['token-a', 'token-b'].map(async (key) => {
        (await second.gate(key, undefined).acquire())();
        return Date.now() - started;
      }),
    );
    expect(heldAt).toBeGreaterThanOrEqual(450);
    expect(freeAt).toBeLessThan(200);
  });

  it('rejects a waiting request with the abort reason and does not take its slot', async () => {
    const budgets = worker();
    const gate = budgets.gate('token-a', { requests: 1, perMs: 60_000 });
    const release = await gate.acquire();
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    const behind = budgets.gate('token-a', { requests: 1, perMs: 60_000 }).acquire(AbortSignal.timeout(300));
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(waiting).rejects.toThrow('stop');
    await expect(behind).rejects.toThrow(/timeout|aborted/i);
    release();
  });

  it('frees the slot of a worker that died holding it once its lease runs out', async () => {
    const short = { requests: 1, perMs: 100 };
    await worker({ slotLeaseMs: 400 }).gate('token-a', short).acquire(); // never released
    const started = Date.now();
    (await worker({ slotLeaseMs: 400 }).gate('token-a', short).acquire())();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('keeps no key for a credential without a limit or a pause, and none after the window', async () => {
    const client = new Redis(redis.url);
    clients.push(client);
    const budgets = new RedisRateBudgets(client, { prefix: 'keys-test' });
    (await budgets.gate('token-a', undefined).acquire())();
    expect(await client.keys('keys-test:*')).toEqual([]);
    await requests(budgets, 'token-b', { requests: 2, perMs: 200 }, 2);
    expect((await client.keys('keys-test:*')).sort()).toEqual(['keys-test:{token-b}:window']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await client.keys('keys-test:*')).toEqual([]);
  });
});
