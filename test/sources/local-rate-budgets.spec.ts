import { LocalRateBudgets } from '../../src/sources/local-rate-budgets';

describe('LocalRateBudgets', () => {
  it('gives every request with one credential the same gate, and each credential its own', () => {
    const budgets = new LocalRateBudgets();
    const first = budgets.gate('key-a', { requests: 10, perMs: 1000 });
    expect(budgets.gate('key-a', { requests: 99, perMs: 1000 })).toBe(first);
    expect(budgets.gate('key-b', { requests: 10, perMs: 1000 })).not.toBe(first);
  });

  it('paces every gate to the budget when it has one, whatever the source asked for', () => {
    const budgets = new LocalRateBudgets({ requests: 6, perMs: 60_000 });
    // A window of 60 s for 6 requests: the first window ends a whole minute out, not the source's second.
    expect(budgets.gate('key-a', { requests: 100, perMs: 1000 }).windowEndsIn()).toBe(60_000);
    expect(new LocalRateBudgets().gate('key-a', { requests: 100, perMs: 1000 }).windowEndsIn()).toBe(1000);
  });
});
