import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { InterruptedError } from '../errors/interrupted-error';
import type { BudgetKind } from './expression-error';
import type { ExpressionBudget } from './expression-budget';

/** JSONata's code for its depth guardrail, and the one for its time guardrail, which our timeout reports under. */
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
 * One batch's evaluation, shared with the code in the context and kept across the calls it takes:
 * `record`/`expression` say which evaluation is next (or running, when a timeout strikes), `row` holds
 * the values of the record's expressions so far.
 */
interface Job {
  expressions: unknown[];
  readonly records: readonly unknown[];
  readonly values: unknown[][];
  row: unknown[];
  readonly failures: { record: number; expression: number; error: unknown }[];
  readonly stopOnFailure: boolean;
  readonly sliceMs: number;
  record: number;
  expression: number;
  /** Whether the running evaluation started after another in the same call, so with less than its whole budget. */
  late: boolean;
  stopped: boolean;
}

// Runs in the context: the evaluations one after another, records in order and each record's
// expressions in turn. A call starts no evaluation after `sliceMs`, so that one which started early
// has most of the call's timeout; one cut short after a late start gets a call of its own.
const RUNNER = `((now) => async function run(job) {
  const started = now();
  const firstRecord = job.record, firstExpression = job.expression;
  job.late = false;
  for (; job.record < job.records.length; job.record += 1, job.expression = 0) {
    const input = job.records[job.record];
    for (; job.expression < job.expressions.length; job.expression += 1) {
      if (job.late || job.record !== firstRecord || job.expression !== firstExpression) {
        if (now() - started > job.sliceMs) return;
        job.late = true;
      }
      try {
        job.row.push(await job.expressions[job.expression].evaluate(input));
      } catch (error) {
        job.failures.push({ record: job.record, expression: job.expression, error });
        job.row.push(undefined);
        // Over budget (D1011, depth) ends the batch whatever the step does with failures.
        if (job.stopOnFailure || error?.code === 'D1011') {
          job.stopped = true;
          return;
        }
      }
    }
    job.values.push(job.row);
    job.row = [];
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
 * asynchronous evaluation happens inside the call. That call has the time budget as its timeout and
 * breaks on SIGINT, which stops even a regular expression backtracking on a server's value; JSONata's
 * guardrails keep the depth budget.
 *
 * Each call starts a watchdog thread (about 0.1 ms), so a batch of records goes in one call; an
 * evaluation cut short after a late start in its call is run again in a call of its own, so that
 * each has its whole budget. Caveat: Node aborts (an async-hooks assertion) when a timeout or Ctrl-C
 * strikes while async hooks are on in the process (AsyncLocalStorage, APM agents); the CLI has none.
 * Values come back as they are (JSONata's arrays and objects belong to the context's realm: see
 * `fromSandbox`). After a timeout or an interrupt the context is dropped and a fresh one made.
 */
export class JsonataSandbox {
  private context?: Context;

  constructor(private readonly budget: ExpressionBudget) {}

  /** Evaluates every expression on every record, in order. Throws `InterruptedError` on Ctrl-C. */
  evaluate(texts: readonly string[], records: readonly unknown[], stopOnFailure: boolean): SandboxOutcome {
    const { timeoutMs } = this.budget;
    const job: Job = { expressions: [], records, values: [], row: [], failures: [], stopOnFailure, sliceMs: timeoutMs / 2, record: 0, expression: 0, late: false, stopped: false };
    while (job.record < records.length && !job.stopped) {
      const context = (this.context ??= this.createContext());
      job.expressions = texts.map((text) => compiledIn(context, text));
      context.global.job = job;
      try {
        CALL.runInContext(context.global, { timeout: timeoutMs, breakOnSigint: true });
      } catch (error) {
        // The context may hold the rest of what was cut short: it is not used again.
        this.context = undefined;
        const code = (error as { code?: unknown }).code;
        if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw new InterruptedError('SIGINT');
        if (code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
        if (job.late) continue; // it started late: it gets a call, and its whole budget, of its own
        job.failures.push({ record: job.record, expression: job.expression, error: { code: 'D1012' } });
        break;
      } finally {
        context.global.job = undefined;
      }
    }
    return { values: job.values, failures: job.failures.map((failure) => describe(failure, this.budget)) };
  }

  private createContext(): Context {
    const global: Context['global'] = {};
    vm.createContext(global, { microtaskMode: 'afterEvaluate', codeGeneration: { strings: false, wasm: false } });
    const intrinsics = vm.runInContext(`[${INTRINSICS.join(', ')}]`, global) as unknown[];
    const jsonata = (jsonataLibrary().runInContext(global) as (...args: unknown[]) => (text: string, options: object) => unknown)(...intrinsics, { Buffer });
    // `Date.now` handed in, like JSONata's built-ins: a global lookup in the context is slow.
    global.run = (vm.runInContext(RUNNER, global) as (now: unknown) => unknown)(vm.runInContext('Date.now', global));
    // Only the depth is left to JSONata's guardrails: their time check reads the clock at every step
    // (40–50% more per evaluation); the call's timeout keeps time instead.
    const options = { stack: this.budget.maxDepth };
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

function describe({ record, expression, error }: Job['failures'][number], budget: ExpressionBudget): SandboxFailure {
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
  return { record, expression, reason, budget: kind, cause: kind === 'time' ? undefined : error };
}
