import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { StateError } from '../errors/state-error';
import { StateLockedError } from '../errors/state-locked-error';
import { formatDuration } from '../sources/http/duration';
import type { Logger } from '../logger';
import type { LockHolder, StateStore } from './state-store';

export interface LockOptions {
  /** Named in the lock, for the message another run gets. */
  readonly pipeline: string;
  /** How long the lock holds without renewal; it is renewed every third of it. @default 60000 */
  readonly leaseMs?: number;
  readonly logger: Logger;
  /** This process, as it is named in the lock. @default the real pid and host name */
  readonly process?: { readonly pid: number; readonly host: string };
}

export const DEFAULT_LEASE_MS = 60_000;
/** Swaps lost to other processes before giving up: each loss means the lock changed hands meanwhile. */
const SWAP_ATTEMPTS = 5;

/** A lock this run holds: renewed in the background until released; `lost` aborts when it cannot be kept. */
export interface HeldLock {
  readonly holder: LockHolder;
  /** Aborted (with a `StateError`) when another process took the lock over, or the lease ran out unrenewed. */
  readonly lost: AbortSignal;
  /** Renews the lease now; throws if the lock is no longer this run's. */
  confirm(): Promise<void>;
  /** Stops renewing and frees the lock. Never throws: a lock it cannot free is left to expire, with a warning. */
  release(): Promise<void>;
}

/**
 * Takes a state's lock, or throws `StateLockedError` at once naming the pid and host holding it.
 *
 * A holder is gone, and its lock taken over with a warning, when its lease has expired (it stopped
 * renewing: dead, or cut off), or at once when it ran on this host and its pid no longer exists.
 * Leases compare the holder's clock with ours: keep hosts' clocks in sync (NTP) well within the lease.
 */
export async function acquireLock(store: StateStore, options: LockOptions): Promise<HeldLock> {
  const { pid, host } = options.process ?? { pid: process.pid, host: hostname() };
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const owner = randomUUID();
  const since = new Date().toISOString();
  const holderUntil = (expiresAt: number): LockHolder => ({ owner, pipeline: options.pipeline, pid, host, since, expiresAt: new Date(expiresAt).toISOString() });

  for (let attempt = 1; attempt <= SWAP_ATTEMPTS; attempt += 1) {
    const current = await store.readLock();
    const gone = current.holder && whyGone(current.holder, host);
    if (current.holder && !gone) throw new StateLockedError(store.location, current.holder);
    const holder = holderUntil(Date.now() + leaseMs);
    const version = await store.swapLock(current.version, holder);
    if (version === false) continue;
    if (current.holder) {
      options.logger.log('warn', `state ${store.location}: took over the lock of pid ${current.holder.pid} on host ${current.holder.host} (${gone}); its run did not finish`);
    }
    return new LeasedLock(store, holder, version, leaseMs, options.logger);
  }
  throw new StateError(store.location, `could not take the lock: it changed hands ${SWAP_ATTEMPTS} times while trying`, { code: 'PF_STATE_LOCKED' });
}

/** Why a holder is gone, or undefined while it may still be running. */
function whyGone(holder: LockHolder, host: string): string | undefined {
  if (holder.host === host && !isRunning(holder.pid)) return 'no such process';
  const expiresAt = Date.parse(holder.expiresAt);
  if (!(expiresAt > Date.now())) return `its lease expired at ${holder.expiresAt}`;
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

class LeasedLock implements HeldLock {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  /** Renewals run one at a time, in order. */
  private renewing: Promise<void> = Promise.resolve();
  private validUntil: number;

  constructor(
    private readonly store: StateStore,
    public holder: LockHolder,
    private version: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {
    this.validUntil = Date.parse(holder.expiresAt);
    this.timer = setInterval(() => void this.renew().catch(() => {}), Math.max(1, Math.floor(leaseMs / 3)));
    // The heartbeat alone must not keep a finished process alive.
    this.timer.unref();
  }

  get lost(): AbortSignal {
    return this.controller.signal;
  }

  async confirm(): Promise<void> {
    await this.renew();
    if (this.lost.aborted) throw this.lost.reason;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing.catch(() => {});
    if (this.lost.aborted) return;
    try {
      if ((await this.store.swapLock(this.version, undefined)) === false) {
        this.logger.log('warn', `state ${this.store.location}: the lock had been taken over before this run released it`);
      }
    } catch (error) {
      this.logger.log('warn', `state ${this.store.location}: could not release the lock (${(error as Error).message}); the next run takes it over once its lease ends at ${this.holder.expiresAt}`);
    }
  }

  private renew(): Promise<void> {
    this.renewing = this.renewing.then(async () => {
      if (this.lost.aborted) return;
      const next = { ...this.holder, expiresAt: new Date(Date.now() + this.leaseMs).toISOString() };
      try {
        const version = await this.store.swapLock(this.version, next);
        if (version === false) return this.lose('another process took the lock over');
        this.version = version;
        this.holder = next;
        this.validUntil = Date.parse(next.expiresAt);
      } catch (error) {
        if (Date.now() >= this.validUntil) return this.lose(`the lease ran out while it could not be renewed (${(error as Error).message})`);
        this.logger.log('warn', `state ${this.store.location}: could not renew the lock, retrying within ${formatDuration(this.leaseMs / 3)} (${(error as Error).message})`);
      }
    });
    return this.renewing;
  }

  private lose(why: string): void {
    clearInterval(this.timer);
    this.controller.abort(new StateError(this.store.location, `lost the lock: ${why}; stopped, outputs rolled back`, { code: 'PF_STATE_LOCK_LOST' }));
  }
}
