import type { RateGate, RateLimit, Release } from '../rate-gate';

interface Waiter {
  grant(release: Release): void;
}

/**
 * Paces requests so that a server-side throttle is never tripped, and holds every request back while
 * the server has asked us to wait (`pauseFor`).
 *
 * A sliding window, not a token bucket: a bucket of N lets 2N requests through in one window, which
 * a fixed-window throttle (Laravel's) answers with 429s. A request's slot counts from when it is
 * granted until `perMs` after its response arrived: the server saw it somewhere in between, so the
 * window the server counts it in has surely closed when the slot frees. Grants are spread evenly,
 * at least `perMs / requests` apart, so that pages requested together do not burst into the start of
 * a window; they are first come, first served, so pages read ahead are requested in page order.
 */
export class RateLimiter implements RateGate {
  private inFlight = 0;
  /** When the responses of the current window arrived, oldest first. */
  private readonly finished: number[] = [];
  private pausedUntil = 0;
  private lastGrant = -Infinity;
  private readonly waiting: Waiter[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly limit?: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a request may be sent; rejects with the signal's reason if it is aborted first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(signal?.reason);
        this.pump();
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /** Holds every request back for `ms` (the server asked us to wait). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.pump();
  }

  /**
   * Milliseconds until the oldest request of the current window leaves it: how long to wait when the
   * server says the window is used up. Undefined without a configured limit.
   */
  windowEndsIn(): number | undefined {
    if (!this.limit) return undefined;
    const now = this.now();
    this.prune(now);
    return this.finished.length > 0 ? this.finished[0] + this.limit.perMs - now : this.limit.perMs;
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.waiting.length > 0) {
      const now = this.now();
      const readyAt = this.readyAt(now);
      if (readyAt === undefined) return; // every slot is in flight: a release pumps again
      if (readyAt > now) {
        this.timer = setTimeout(() => this.pump(), readyAt - now);
        return;
      }
      this.inFlight += 1;
      this.lastGrant = now;
      this.waiting.shift()!.grant(this.releaser());
    }
  }

  /** When the next request may go; undefined when that depends on a release. */
  private readyAt(now: number): number | undefined {
    if (!this.limit) return this.pausedUntil;
    this.prune(now);
    const spread = Math.max(this.pausedUntil, this.lastGrant + this.limit.perMs / this.limit.requests);
    if (this.inFlight + this.finished.length < this.limit.requests) return spread;
    if (this.finished.length === 0) return undefined;
    return Math.max(spread, this.finished[0] + this.limit.perMs);
  }

  private prune(now: number): void {
    while (this.finished.length > 0 && this.finished[0] + this.limit!.perMs <= now) this.finished.shift();
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      if (this.limit) this.finished.push(this.now());
      this.pump();
    };
  }
}
