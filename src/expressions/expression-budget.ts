import { z } from 'zod';
import { duration, formatDuration } from '../sources/http/duration';

/** The most one JSONata evaluation may take: its time and its depth of nested evaluation (recursion). */
export interface ExpressionBudget {
  /** Milliseconds per evaluation of one expression on one record. */
  readonly timeoutMs: number;
  /** Nesting of JSONata's evaluation steps: about 3 per level of a recursive function's calls. */
  readonly maxDepth: number;
}

export const DEFAULT_EXPRESSION_BUDGET: ExpressionBudget = { timeoutMs: 1000, maxDepth: 1000 };

/** `expressions:` at the top of a pipeline file. */
export const expressionBudgetConfig = z
  .strictObject({
    timeout: duration
      .refine((ms) => ms > 0, 'expected a time longer than 0')
      .prefault(formatDuration(DEFAULT_EXPRESSION_BUDGET.timeoutMs))
      .meta({ description: 'The most one JSONata evaluation (one expression on one record) may take; beyond it the run fails.', examples: ['1s', '250ms'] }),
    maxDepth: z
      .int()
      .min(10)
      .default(DEFAULT_EXPRESSION_BUDGET.maxDepth)
      .meta({ description: 'How deep one JSONata evaluation may nest (about 3 per level of recursion); beyond it the run fails.' }),
  })
  .transform(({ timeout, maxDepth }): ExpressionBudget => ({ timeoutMs: timeout, maxDepth }))
  .meta({ description: 'Budgets of every JSONata evaluation, so that an expression that loops or backtracks cannot hang a run.' });
