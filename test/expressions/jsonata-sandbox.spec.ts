import { InterruptedError } from '../../src/errors/interrupted-error';
import { JsonataSandbox } from '../../src/expressions/jsonata-sandbox';

// A timeout far beyond any evaluation here: the vm timeout must never strike in this process (see below).
const budget = { timeoutMs: 60_000, maxDepth: 200 };

describe('JsonataSandbox', () => {
  it('evaluates every expression on every record, in order, synchronously', () => {
    const sandbox = new JsonataSandbox(budget);
    const { values, failures } = sandbox.evaluate(['$uppercase(name)', '$count(tags)'], [{ name: 'a', tags: [1] }, { name: 'b', tags: [] }], true);
    expect(failures).toEqual([]);
    expect(values).toEqual([
      ['A', 1],
      ['B', 0],
    ]);
  });

  it('stops at the first failure, with the values of the records before it', () => {
    const { values, failures } = new JsonataSandbox(budget).evaluate(['$number(id)'], [{ id: '1' }, { id: 'x' }, { id: '3' }], true);
    expect(values).toEqual([[1]]);
    expect(failures).toEqual([expect.objectContaining({ record: 1, expression: 0, reason: 'Unable to cast value to a number: "x"' })]);
  });

  it('goes on past failures when asked to', () => {
    const { values, failures } = new JsonataSandbox(budget).evaluate(['$number(id)'], [{ id: '1' }, { id: 'x' }, { id: '3' }], false);
    expect(values).toEqual([[1], [undefined], [3]]);
    expect(failures.map(({ record }) => record)).toEqual([1]);
  });

  it('fails an evaluation that nests deeper than its budget (a tail call would not nest)', () => {
    const { failures } = new JsonataSandbox(budget).evaluate(['($f := function($n) { $f($n + 1) + 1 }; $f(0))'], [{}], true);
    expect(failures).toEqual([expect.objectContaining({ record: 0, budget: 'depth', reason: expect.stringContaining('nested deeper than 200 (expressions.maxDepth)') })]);
  });

  // Time is kept by the vm timeout, which must not strike in this process: with async hooks on (jest
  // has them) Node aborts afterwards. budget.int.spec.ts tests it in a child process, as the CLI runs.

  it('gives no JSONata code a way out of its sandbox', () => {
    const { failures } = new JsonataSandbox(budget).evaluate(['$eval("1 + 1")', '$string($)'], [{}], false);
    expect(failures).toEqual([]);
    const escape = new JsonataSandbox(budget).evaluate(['$lookup($, "constructor")'], [{}], true);
    expect(escape.failures).toEqual([]);
  });

  it('turns an interrupt of the script into an InterruptedError', () => {
    // The watchdog reports Ctrl-C as this error; a real signal is tested through the CLI (budget.int.spec.ts).
    const sandbox = new JsonataSandbox(budget);
    sandbox.evaluate(['name'], [{ name: 'a' }], true);
    const interrupted = Object.assign(new Error('Script execution was interrupted by `SIGINT`'), { code: 'ERR_SCRIPT_EXECUTION_INTERRUPTED' });
    const vm = jest.requireActual<typeof import('node:vm')>('node:vm');
    const spy = jest.spyOn(vm.Script.prototype, 'runInContext').mockImplementationOnce(() => {
      throw interrupted;
    });
    try {
      expect(() => sandbox.evaluate(['$uppercase(name)'], [{ name: 'a' }], true)).toThrow(InterruptedError);
    } finally {
      spy.mockRestore();
    }
  });
});
