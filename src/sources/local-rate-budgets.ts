import { RateLimiter } from './http/rate-limiter';
import type { RateBudgets, RateGate, RateLimit } from './rate-gate';

/**
 * The rate-limit budgets of one process: one gate per credential, shared by every stream and child
 * request that uses it. With a `limit` (the file's `budget.rateLimit`) every gate paces to it;
 * otherwise a gate paces to the `rateLimit` of the first source that asked for it.
 */
export class LocalRateBudgets implements RateBudgets {
  private readonly gates = new Map<string, RateGate>();

  constructor(private readonly limit?: RateLimit) {}

  gate(credentialKey: string, limit: RateLimit | undefined): RateGate {
    let gate = this.gates.get(credentialKey);
    if (!gate) this.gates.set(credentialKey, (gate = new RateLimiter(this.limit ?? limit)));
    return gate;
  }
}
