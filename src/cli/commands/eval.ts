import type { Readable } from 'node:stream';
import { text as readStream } from 'node:stream/consumers';
import { UsageError } from '../../errors/usage-error';
import { compileExpression, expressionSchema } from '../../expressions/compile-expression';
import { stringifyJson } from '../../json/stringify-json';
import { readConfigFile } from '../../pipeline/load-pipeline';
import type { CliIo } from '../io';
import { parseRecordsText } from '../records-text';
import { reportError } from '../report-error';

export interface EvalArguments {
  /** A field path or JSONata expression, as `map`, `filter` and `dedup` take them. */
  readonly expression: string;
  /** JSON file holding the record (or a list of records, or NDJSON); stdin when absent. */
  readonly record?: string;
}

/**
 * Evaluates an expression on records exactly as a `map` field or a `filter` would (the same
 * compiler: plain paths read directly, the rest JSONata) and prints each result as one JSON line.
 * Exit 0, 1 when the expression fails on a record, 2 for a syntax error or unreadable input.
 */
export async function evaluateExpression(args: EvalArguments, io: CliIo): Promise<number> {
  try {
    const checked = expressionSchema.safeParse(args.expression);
    if (!checked.success) throw new UsageError(checked.error.issues.map((issue) => issue.message).join('; '));
    const expression = compileExpression(args.expression);
    const records = readRecords(await readInput(args.record, io.stdin), args.record ?? 'stdin');
    for (const [index, record] of records.entries()) {
      const result = await expression.evaluate(record);
      const which = records.length > 1 ? `record ${index + 1}: ` : '';
      if (result === undefined) io.logger.log('info', `${which}no value (a map field is left out; a filter drops the record)`);
      else io.stdout.write(`${stringifyJson(result)}\n`);
    }
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

async function readInput(file: string | undefined, stdin: Readable & { isTTY?: boolean }): Promise<string> {
  if (file !== undefined) return readConfigFile(file);
  if (stdin.isTTY) throw new UsageError('no record: give --record FILE, or pipe one to stdin (e.g. pageflow run p.yaml --dry-run | pageflow eval …)');
  return readStream(stdin);
}

function readRecords(text: string, origin: string) {
  try {
    return parseRecordsText(text);
  } catch (error) {
    throw new UsageError(`${origin}: ${(error as Error).message}: map and filter evaluate expressions on records (JSON objects)`);
  }
}
