import type JsonataModule from 'jsonata';
import { z } from 'zod';
import type { DataRecord } from '../record';
import { DEFAULT_EXPRESSION_BUDGET, type ExpressionBudget } from './expression-budget';
import { ExpressionError } from './expression-error';
import { compileFieldPath } from './field-path';
import { JsonataSandbox } from './jsonata-sandbox';
import { fromSandbox, jsonataInput } from './jsonata-values';

/** JSONata is loaded at the first expression that is not a plain field path: runs and checks without one never pay for it. */
function jsonata(text: string): ReturnType<typeof JsonataModule> {
  const compile: typeof JsonataModule = require('jsonata');
  return compile(text);
}

/**
 * An expression over one record. A plain field path (`companyName`, `address.city`) compiles to
 * direct property access; anything else is JSONata, evaluated synchronously in a sandbox with a
 * budget (see `JsonataSandbox`): each `evaluate` is one sandbox call, so operators evaluate a batch
 * of records at once through `RecordExpressions` instead.
 */
export interface Expression {
  readonly text: string;
  /** `path`: a field path read directly; `jsonata`: run in the sandbox; `function`: a function from code. */
  readonly kind: 'path' | 'jsonata' | 'function';
  /** Throws an `ExpressionError` when a JSONata expression fails; a function's own error as it is. */
  evaluate(record: DataRecord): unknown;
}

/** What a record-level callback may be in code: an expression's text or a plain function. */
export type RecordFunction<R> = string | ((record: DataRecord) => R);

export interface ExpressionOptions {
  /** Time and depth allowed to each JSONata evaluation. @default DEFAULT_EXPRESSION_BUDGET */
  readonly budget?: ExpressionBudget;
}

const PLAIN_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// Words JSONata reads as literals or operators, never as field names.
const JSONATA_WORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null']);

export function isPlainPath(text: string): boolean {
  return PLAIN_PATH.test(text) && !text.split('.').some((part) => JSONATA_WORDS.has(part));
}

/** Compiles an expression text; a JSONata syntax error is thrown here, not per record. */
export function compileExpression(text: string, { budget = DEFAULT_EXPRESSION_BUDGET }: ExpressionOptions = {}): Expression {
  if (isPlainPath(text)) return { text, kind: 'path', evaluate: compileFieldPath(text.split('.')) };
  jsonata(text); // the syntax check, with JSONata's message and position
  const sandbox = new JsonataSandbox(budget);
  return {
    text,
    kind: 'jsonata',
    evaluate(record) {
      const { values, failures } = sandbox.evaluate([text], [jsonataInput(record)], true);
      const [failure] = failures;
      if (failure) throw new ExpressionError({ step: 'expression', expression: text, recordNumber: 1, record, reason: failure.reason, budget: failure.budget }, { cause: failure.cause });
      return fromSandbox(values[0][0]);
    },
  };
}

/** Turns code-API callbacks and expression texts into one shape. */
export function toExpression<R>(fn: RecordFunction<R>, options?: ExpressionOptions): Expression {
  return typeof fn === 'string' ? compileExpression(fn, options) : { text: fn.name || 'function', kind: 'function', evaluate: fn };
}

/** A schema for expression texts: a JSONata syntax error is a config error at the expression's path. */
export const expressionSchema = z
  .string()
  .min(1)
  .superRefine((text, context) => {
    if (isPlainPath(text)) return;
    try {
      jsonata(text);
    } catch (error) {
      const { message, position } = error as { message?: string; position?: number };
      context.addIssue({
        code: 'custom',
        message: `invalid JSONata expression ${JSON.stringify(text)}: ${message ?? String(error)}${position === undefined ? '' : ` (at character ${position})`}`,
      });
    }
  })
  .meta({ description: 'A field path (`companyName`, `address.city`) or a JSONata expression (`$join(customerGroups, ";")`).', secret: false });
