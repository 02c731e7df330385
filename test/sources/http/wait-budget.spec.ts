import { WaitBudget } from '../../../src/sources/http/wait-budget';

describe('WaitBudget', () => {
  it('books waits until the bound, then fails naming the page and the setting', () => {
    let now = 0;
    const budget = new WaitBudget(10_000, () => now);
    budget.spend(4000, 'page 1 (u)');
    now = 5000;
    budget.spend(4000, 'page 2 (u)');
    now = 10_000;
    expect(() => budget.spend(4000, 'page 3 (u)')).toThrow('page 3 (u): asked to wait 4s more after 8s of waiting in this run: giving up (retry.maxTotalWait: 10s; a rateLimit matching the API\'s keeps waits short)');
    expect(budget.waited).toBe(8000);
  });

  it('counts overlapping waits once: pages waiting together wait the same wall-clock time', () => {
    const budget = new WaitBudget(10_000, () => 0);
    for (let page = 0; page < 8; page += 1) budget.spend(9000, `page ${page}`);
    expect(budget.waited).toBe(9000);
    expect(() => budget.spend(11_000, 'page 9')).toThrow(/retry\.maxTotalWait/);
  });

  it('fails at once on a single wait longer than the bound', () => {
    expect(() => new WaitBudget(1000).spend(120_000, 'page 1')).toThrow(expect.objectContaining({ code: 'PF_HTTP_WAITED_TOO_LONG' }));
  });
});
