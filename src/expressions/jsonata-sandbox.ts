import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { InterruptedError } from '../errors/interrupted-error';
import type { BudgetKind } from './expression-error';
import type { ExpressionBudget } from './expression-budget';

/** JSONata's error codes for its own guardrails. */
const BUDGET_CODES: Readonly<Record<string, BudgetKind>> = { D1011: 'depth', D1012: 'time' };

/**
 * The built-ins JSONata uses, handed to it as parameters: as globals of a vm context every lookup
 * would go through the context's interceptor, which made evaluations 3–5 times slower.
 */
const INTRINSICS = [
  'Object', 'Array', 'Error', 'TypeError', 'RangeError', 'String', 'Number', 'Boolean', 'Symbol', 'Math', 'JSON', 'Date',
  'RegExp', 'Function', 'Promise', 'Map', 'Set', 'parseInt', 'parseFloat', 'isFinite', 'isNaN',
  'encodeURIComponent', 'encodeURI', 'decodeURIComponent', 'decodeURI',
];

// Compiled code, not state: every sandbox runs it in its own context.
let library: vm.Script | undefined;

function jsonataLibrary(): vm.Script {
  library ??= new vm.Script(
    `(function (${INTRINSICS.join(', ')}, global) {\nconst module = { exports: {} }, exports = module.exports;\n${readFileSync(require.resolve('jsonata'), 'utf8')}\nreturn module.exports;\n})`,
    { filename: 'jsonata.js' },
  );
  return library;
}

/**
 * One batch's evaluation, shared with the code in the context. `next` is the first record not yet
 * done; `running`/`expression` say what was being evaluated when a timeout struck.
 */
interface Job {
  expressions: unknown[];
  records: readonly unknown[];
  values: unknown[][];
  failures: { record: number; expression: number; error: unknown }[];
  stopOnFailure: boolean;
  sliceMs: number;
  next: number;
  running: number;
  expression: number;
  stopped: boolean;
}

// Runs in the context: records one after another, each expression in turn; stops starting records
// after `sliceMs`, so that every record still has its whole budget left under the call's timeout.
const RUNNER = `(async function run(job) {
  const started = Date.now();
  const first = job.next;
  for (let record = first; record < job.records.length; record += 1) {
    if (record > first && Date.now() - started > job.sliceMs) return;
    job.running = record;
    const row = [];
    for (let expression = 0; expression < job.expressions.length; expression += 1) {
      job.expression = expression;
      try {
        row.push(await job.expressions[expression].evaluate(job.records[record]));
      } catch (error) {
        job.failures.push({ record, expression, error });
        row.push(undefined);
        // Over budget (D1011 depth, D1012 time) ends the batch whatever the step does with failures.
        if (job.stopOnFailure || error?.code === 'D1011' || error?.code === 'D1012') {
          job.stopped = true;
          return;
        }
      }
    }
    job.values.push(row);
    job.next = record + 1;
  }
})`;
const CALL = new vm.Script('run(job)', { filename: 'pageflow-expressions.js' });

interface Context {
  readonly global: { run?: unknown; job?: Job };
  readonly compile: (text: string) => unknown;
  readonly compiled: Map<string, unknown>;
}

export interface SandboxFailure {
  /** Index of the record in the batch. */
  readonly record: number;
  /** Index of the expression. */
  readonly expression: number;
  readonly reason: string;
  readonly budget?: BudgetKind;
  readonly cause?: unknown;
}

export interface SandboxOutcome {
  /** One row per record evaluated, one value per expression (undefined where it failed). */
  readonly values: unknown[][];
  /** With `stopOnFailure`, at most one, and `values` holds the records before it. */
  readonly failures: SandboxFailure[];
}

/**
 * JSONata, run inside a `node:vm` context of its own, synchronously: the context runs its promise
 * jobs (`microtaskMode: 'afterEvaluate'`) before `runInContext` returns, so JSONata's whole
 * asynchronous evaluation happens inside the call. That call has a timeout and breaks on SIGINT,
 * which stops even a regular expression backtracking on a server's value; JSONata's own guardrails
 * enforce the budget of each evaluation (time, depth).
 *
 * Each call starts a watchdog thread (about 0.1 ms), so a batch of records goes in one call.
 * Values come back as they are (JSONata's arrays and objects belong to the context's realm: see
 * `fromSandbox`). After a timeout or an interrupt the context is dropped and a fresh one made.
 */
export class JsonataSandbox {
  private context?: Context;

  constructor(private readonly budget: ExpressionBudget) {}

  /** Evaluates every expression on every record, in order. Throws `InterruptedError` on Ctrl-C. */
  evaluate(texts: readonly string[], records: readonly unknown[], stopOnFailure: boolean): SandboxOutcome {
    const values: unknown[][] = [];
    const failures: SandboxFailure[] = [];
    let from = 0;
    while (from < records.length) {
      const context = (this.context ??= this.createContext());
      // JSONata's guardrails report an evaluation over budget themselves, at its next step; the call's
      // timeout is the backstop for what they cannot see (a regular expression backtracking), a budget later.
      const timeoutMs = this.budget.timeoutMs * (texts.length + 1);
      const job: Job = {
        expressions: texts.map((text) => compiledIn(context, text)),
        records: from === 0 ? records : records.slice(from),
        values: [],
        failures: [],
        stopOnFailure,
        sliceMs: timeoutMs / 2,
        next: 0,
        running: 0,
        expression: 0,
        stopped: false,
      };
      context.global.job = job;
      try {
        CALL.runInContext(context.global, { timeout: timeoutMs, breakOnSigint: true });
      } catch (error) {
        this.context = undefined;
        const code = (error as { code?: unknown }).code;
        if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw new InterruptedError('SIGINT');
        if (code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
        values.push(...job.values);
        // A record that started late in the call had less than its budget: it gets a call of its own.
        if (job.running > 0) {
          from += job.running;
          continue;
        }
        failures.push({ record: from, expression: job.expression, reason: `took longer than ${this.budget.timeoutMs} ms (expressions.timeout)`, budget: 'time' });
        return { values, failures };
      } finally {
        context.global.job = undefined;
      }
      values.push(...job.values);
      for (const failure of job.failures) failures.push(describe(failure, from, this.budget));
      if (job.stopped) return { values, failures };
      from += job.next;
    }
    return { values, failures };
  }

  private createContext(): Context {
    const global: Context['global'] = {};
    vm.createContext(global, { microtaskMode: 'afterEvaluate', codeGeneration: { strings: false, wasm: false } });
    const intrinsics = vm.runInContext(`[${INTRINSICS.join(', ')}]`, global) as unknown[];
    const jsonata = (jsonataLibrary().runInContext(global) as (...args: unknown[]) => (text: string, options: object) => unknown)(...intrinsics, { Buffer });
    global.run = vm.runInContext(RUNNER, global);
    const options = { timeout: this.budget.timeoutMs, stack: this.budget.maxDepth };
    return { global, compile: (text) => jsonata(text, options), compiled: new Map() };
  }
}

function compiledIn(context: Context, text: string): unknown {
  let compiled = context.compiled.get(text);
  if (compiled === undefined) {
    compiled = context.compile(text);
    context.compiled.set(text, compiled);
  }
  return compiled;
}

function describe({ record, expression, error }: Job['failures'][number], offset: number, budget: ExpressionBudget): SandboxFailure {
  // JSONata throws plain objects with a code and a message, not Errors.
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const kind = typeof code === 'string' ? BUDGET_CODES[code] : undefined;
  const reason =
    kind === 'time'
      ? `took longer than ${budget.timeoutMs} ms (expressions.timeout)`
      : kind === 'depth'
        ? `nested deeper than ${budget.maxDepth} (expressions.maxDepth): a recursion that does not end?`
        : typeof message === 'string'
          ? message
          : String(error);
  return { record: offset + record, expression, reason, budget: kind, cause: error };
}
