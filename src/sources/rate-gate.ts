/** At most `requests` requests in any window of `perMs` milliseconds. */
export interface RateLimit {
  readonly requests: number;
  readonly perMs: number;
}

/** Gives back the slot taken by `acquire`; call it when the response (or failure) is in. */
export type Release = () => void;

/** Paces the requests made with one credential. In one process a `RateLimiter`; across a fleet, one in Redis. */
export interface RateGate {
  /** Resolves when a request may be sent; rejects with the signal's reason if it is aborted first. */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Holds every request back for `ms` (the server asked us to wait). */
  pauseFor(ms: number): void;
  /** Milliseconds until the oldest request of the current window leaves it; undefined without a limit. */
  windowEndsIn(): number | undefined;
}

/**
 * The rate-limit budgets of a run: one gate per credential, shared by every request made with it
 * (the source, child requests, other streams). `credentialKey` is a hash, never the credential.
 */
export interface RateBudgets {
  gate(credentialKey: string, limit: RateLimit | undefined): RateGate;
}
