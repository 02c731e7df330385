import { RateLimiter } from '../../../src/sources/http/rate-limiter';

/** Resolves what settles within `ms` of virtual time; the rest stays pending. */
async function settled<T>(promises: Promise<T>[], ms = 0): Promise<boolean[]> {
  const done = promises.map(() => false);
  promises.forEach((promise, index) => promise.then(() => (done[index] = true), () => (done[index] = true)));
  await jest.advanceTimersByTimeAsync(ms);
  return done;
}

describe('RateLimiter (virtual time)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('without a limit, grants at once but holds everything back while paused', async () => {
    const limiter = new RateLimiter();
    expect(await settled([limiter.acquire(), limiter.acquire()])).toEqual([true, true]);
    limiter.pauseFor(1000);
    const held = limiter.acquire();
    expect(await settled([held], 999)).toEqual([false]);
    expect(await settled([held], 1)).toEqual([true]);
  });

  it('spreads the requests of a window evenly, `per / requests` apart', async () => {
    const limiter = new RateLimiter({ requests: 4, perMs: 1000 });
    const granted: number[] = [];
    const waiters = [1, 2, 3, 4].map(() => limiter.acquire().then((release) => {
      granted.push(Date.now());
      release();
    }));
    await jest.advanceTimersByTimeAsync(1000);
    await Promise.all(waiters);
    expect(granted).toEqual([0, 250, 500, 750]);
  });

  it('allows `requests` per window, a slot freeing `per` after its response arrived', async () => {
    const limiter = new RateLimiter({ requests: 3, perMs: 1000 });
    const first = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    await jest.advanceTimersByTimeAsync(700);
    (await Promise.all(first)).forEach((release) => release()); // granted at 0, 333 and 667; responses in at t=700
    const fourth = limiter.acquire();
    expect(await settled([fourth], 999)).toEqual([false]);
    expect(await settled([fourth], 1)).toEqual([true]);
    expect(Date.now()).toBe(1700);
  });

  it('waits for a release when every slot is in flight', async () => {
    const limiter = new RateLimiter({ requests: 1, perMs: 50 });
    const release = await limiter.acquire();
    const next = limiter.acquire();
    expect(await settled([next], 5000)).toEqual([false]);
    release();
    expect(await settled([next], 49)).toEqual([false]);
    expect(await settled([next], 1)).toEqual([true]);
  });

  it('grants in the order asked', async () => {
    const limiter = new RateLimiter({ requests: 1, perMs: 10 });
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => limiter.acquire().then((release) => {
      order.push(n);
      release();
    }));
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('drops a waiter whose signal is aborted', async () => {
    const limiter = new RateLimiter({ requests: 1, perMs: 10 });
    const release = await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const after = limiter.acquire();
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    release();
    expect(await settled([after], 10)).toEqual([true]);
  });

  it('says when the oldest request leaves the window', async () => {
    expect(new RateLimiter().windowEndsIn()).toBeUndefined();
    const limiter = new RateLimiter({ requests: 5, perMs: 1000 });
    expect(limiter.windowEndsIn()).toBe(1000);
    (await limiter.acquire())();
    await jest.advanceTimersByTimeAsync(300);
    expect(limiter.windowEndsIn()).toBe(700);
  });
});
