import jsonata from 'jsonata';
import { z } from 'zod';
import { PageflowError } from '../errors/pageflow-error';
import type { DataRecord } from '../record';
import { compileFieldPath } from './field-path';

/**
 * An expression over one record. A plain field path (`companyName`, `address.city`) compiles to
 * direct property access and runs synchronously; anything else is JSONata, whose `evaluate` is
 * asynchronous and costs far more per record.
 */
export type Expression =
  | { readonly text: string; readonly async: false; evaluate(record: DataRecord): unknown }
  | { readonly text: string; readonly async: true; evaluate(record: DataRecord): Promise<unknown> };

/** What a record-level callback may be in code: an expression's text or a plain function. */
export type RecordFunction<R> = string | ((record: DataRecord) => R);

const PLAIN_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// Words JSONata reads as literals or operators, never as field names.
const JSONATA_WORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null']);

export function isPlainPath(text: string): boolean {
  return PLAIN_PATH.test(text) && !text.split('.').some((part) => JSONATA_WORDS.has(part));
}

export function compileExpression(text: string): Expression {
  if (isPlainPath(text)) return { text, async: false, evaluate: compileFieldPath(text.split('.')) };
  const compiled = jsonata(text);
  // JSONata rejects with plain objects, not Errors: give them a message that names the expression.
  const fail = (error: unknown): never => {
    const message = (error as { message?: unknown } | null)?.message;
    throw new PageflowError(`expression ${JSON.stringify(text)} failed: ${typeof message === 'string' ? message : String(error)}`, {
      code: 'PF_EXPRESSION_FAILED',
      cause: error,
    });
  };
  return { text, async: true, evaluate: (record) => compiled.evaluate(record).catch(fail) };
}

/** Turns code-API callbacks and expression texts into one shape. */
export function toExpression<R>(fn: RecordFunction<R>): Expression {
  return typeof fn === 'string' ? compileExpression(fn) : { text: fn.name || 'function', async: false, evaluate: fn };
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
