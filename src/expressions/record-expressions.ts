import type { Logger } from '../logger';
import type { DataRecord } from '../record';
import { type ExpressionOptions, type RecordFunction, toExpression } from './compile-expression';
import { DEFAULT_EXPRESSION_BUDGET } from './expression-budget';
import { ExpressionError } from './expression-error';
import { JsonataSandbox } from './jsonata-sandbox';
import { fromSandbox, jsonataInput } from './jsonata-values';
import { type PathWatch, watchPaths } from './unmatched-paths';

/** One expression of a step, and the output field it computes (none for `filter` and `dedup`). */
export interface NamedExpression {
  readonly field?: string;
  readonly expression: RecordFunction<unknown>;
}

/** What happens to a record an expression fails on: the run fails, or the record goes to the rejects. */
export type OnError = 'fail' | 'reject';

export interface RecordExpressionsOptions extends ExpressionOptions {
  /** The step's key in pipeline files (`map`, `set`), named in errors and warnings. */
  readonly step: string;
}

export interface BatchResult {
  /** Per record of the batch, the value of each expression; undefined for a record rejected. */
  readonly rows: (unknown[] | undefined)[];
  /** Records an expression failed on, when failures are rejected (`onError: reject`). */
  readonly rejected: { readonly index: number; readonly error: unknown }[];
  /** The failure that ends the run: `rows` holds the records before it. */
  readonly failure?: unknown;
}

/**
 * The expressions of one step, evaluated together: field paths and functions directly, JSONata
 * expressions in one sandbox call per batch of records (see `JsonataSandbox`).
 */
export class RecordExpressions {
  /** Whether any expression is JSONata, so that records are best evaluated in batches. */
  readonly batched: boolean;
  private readonly expressions;
  private readonly jsonata: { readonly index: number; readonly text: string }[];
  private readonly sandbox?: JsonataSandbox;

  constructor(
    entries: readonly NamedExpression[],
    private readonly options: RecordExpressionsOptions,
  ) {
    this.expressions = entries.map(({ field, expression }) => ({ field, expression: toExpression(expression, options) }));
    this.jsonata = this.expressions.flatMap(({ expression }, index) => (expression.kind === 'jsonata' ? [{ index, text: expression.text }] : []));
    this.batched = this.jsonata.length > 0;
    if (this.batched) this.sandbox = new JsonataSandbox(options.budget ?? DEFAULT_EXPRESSION_BUDGET);
  }

  /**
   * Evaluates one record directly, into `values` (one per expression); only for steps without JSONata
   * (`batched` false). A function's error is thrown as it is.
   */
  evaluate(record: DataRecord, values: unknown[] = []): unknown[] {
    const { expressions } = this;
    for (let index = 0; index < expressions.length; index += 1) values[index] = expressions[index].expression.evaluate(record);
    return values;
  }

  /**
   * Evaluates a batch of records, numbered from `firstNumber` (1 for the step's first record).
   * Budget overruns and interrupts always end the run; other failures too unless `onError` rejects.
   */
  evaluateBatch(records: readonly DataRecord[], firstNumber: number, onError: OnError): BatchResult {
    // The sandbox stops at a failure it must not go past: then it has values for the records before it only.
    const { values, failures } = this.sandbox
      ? this.sandbox.evaluate(
          this.jsonata.map(({ text }) => text),
          records.map(jsonataInput),
          onError === 'fail',
        )
      : { values: [], failures: [] };
    const failed = new Map<number, ExpressionError>();
    for (const failure of failures) {
      if (failed.has(failure.record)) continue;
      const { field, expression } = this.expressions[this.jsonata[failure.expression].index];
      const failing = { step: this.options.step, field, expression: expression.text, recordNumber: firstNumber + failure.record, record: records[failure.record] };
      failed.set(failure.record, new ExpressionError({ ...failing, reason: failure.reason, budget: failure.budget }, { cause: failure.cause }));
    }
    const rows: (unknown[] | undefined)[] = [];
    const rejected: { index: number; error: unknown }[] = [];
    for (let index = 0; index < records.length; index += 1) {
      let error: unknown = failed.get(index);
      let row: unknown[] | undefined;
      if (error === undefined) {
        try {
          row = this.row(records[index], values[index] ?? []);
        } catch (thrown) {
          error = thrown;
        }
      }
      if (error !== undefined) {
        if (onError === 'fail' || (error instanceof ExpressionError && error.budget)) return { rows, rejected, failure: error };
        rejected.push({ index, error });
      }
      rows.push(row);
    }
    return { rows, rejected };
  }

  /** A per-subscription watch over the step's field paths (see `watchPaths`). */
  watch(logger: Logger | undefined): PathWatch | undefined {
    return watchPaths(
      this.expressions.flatMap(({ field, expression }, index) => (expression.kind === 'path' ? [{ index, text: expression.text, field }] : [])),
      this.options.step,
      logger,
    );
  }

  private row(record: DataRecord, sandboxed: readonly unknown[]): unknown[] {
    let next = 0;
    return this.expressions.map(({ expression }) => (expression.kind === 'jsonata' ? fromSandbox(sandboxed[next++]) : expression.evaluate(record)));
  }
}
