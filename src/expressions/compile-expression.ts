import jsonata from 'jsonata';
import { z } from 'zod';
import type { DataRecord } from '../record';

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
  if (isPlainPath(text)) return { text, async: false, evaluate: compilePath(text.split('.')) };
  const compiled = jsonata(text);
  return { text, async: true, evaluate: (record) => compiled.evaluate(record) };
}

/** Turns code-API callbacks and expression texts into one shape. */
export function toExpression<R>(fn: RecordFunction<R>): Expression {
  return typeof fn === 'string' ? compileExpression(fn) : { text: fn.name || 'function', async: false, evaluate: fn };
}

function compilePath(parts: string[]): (record: DataRecord) => unknown {
  if (parts.length === 1) {
    const [key] = parts;
    return (record) => record[key];
  }
  return (record) => {
    let value: unknown = record;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as DataRecord)[part];
    }
    return value;
  };
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
  .meta({ description: 'A field path (`companyName`, `address.city`) or a JSONata expression (`$join(customerGroups, ";")`).' });
