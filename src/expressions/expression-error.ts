import { PageflowError } from '../errors/pageflow-error';
import { stringifyJson } from '../json/stringify-json';
import type { DataRecord } from '../record';

/** What went over budget: JSONata's evaluation time or its depth. */
export type BudgetKind = 'time' | 'depth';

/** What an `ExpressionError` is made from. */
export type ExpressionFailure = Pick<ExpressionError, 'step' | 'field' | 'expression' | 'recordNumber' | 'record' | 'reason' | 'budget'>;

const PREVIEW_LENGTH = 100;

/**
 * A JSONata expression failed on a record, or exceeded its budget. The message names the step, the
 * field and the record (its position in the step and the start of its JSON); the fields are there for
 * whoever knows more, such as the runner, which knows the page.
 */
export class ExpressionError extends PageflowError {
  override name = 'ExpressionError';
  /** The transform, as its key in the pipeline file: `map`, `set`, `filter`, `dedup`. */
  readonly step: string;
  /** The output field the expression computes (`map`, `set`); absent for `filter` and `dedup`. */
  readonly field?: string;
  readonly expression: string;
  /** 1 for the first record that reached the step in this run. */
  readonly recordNumber: number;
  readonly record: DataRecord;
  /** JSONata's message, or what was exceeded. */
  readonly reason: string;
  readonly budget?: BudgetKind;

  constructor(failure: ExpressionFailure, options: { cause?: unknown } = {}) {
    super(describeFailure(failure), { code: failure.budget ? 'PF_EXPRESSION_BUDGET' : 'PF_EXPRESSION_FAILED', cause: options.cause });
    ({ step: this.step, field: this.field, expression: this.expression, recordNumber: this.recordNumber, record: this.record, reason: this.reason, budget: this.budget } =
      failure);
  }
}

/** `map, field "groups": "$join(x)" failed on record 3 ({"id":…}): reason`. */
export function describeFailure({ step, field, expression, recordNumber, record, reason }: ExpressionFailure): string {
  const where = field === undefined ? '' : `, field ${JSON.stringify(field)}`;
  return `${step}${where}: ${JSON.stringify(expression)} failed on record ${recordNumber.toLocaleString('en-US')} (${previewRecord(record)}): ${reason}`;
}

/** The start of a record's JSON, to name it in a message (control characters escaped, as JSON does). */
export function previewRecord(record: unknown): string {
  const text = stringifyJson(record) ?? String(record);
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}
