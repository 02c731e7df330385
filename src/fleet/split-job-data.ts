import { z } from 'zod';

const page = z.int().min(0);

/** Pages `from`…`to` of the export, both included. */
export const pageSpan = z.strictObject({ from: page, to: page });
export type PageSpan = z.output<typeof pageSpan>;

/**
 * What a split export's parent job holds besides the pipeline: the range size asked for, then what
 * each of its steps decided, so that a parent run again (a retry, a dead worker, its children done)
 * goes on from the step it had reached.
 */
export const splitJob = z.strictObject({
  /** Pages per range (`--split-pages`). */
  pages: z.int().min(1),
  /** Decided from the first page(s) by the parent's first step. */
  plan: z
    .strictObject({
      ranges: z.array(pageSpan).min(1),
      /** The source's position after the first page: its page count (`last`), and page size for `total`. */
      position: z.record(z.string(), z.unknown()),
      /** The keys of the first page with records, for CSV sinks without `columns:`. */
      columns: z.array(z.string()).optional(),
    })
    .optional(),
  /** The children were added: a parent run again does not add them twice. */
  childrenAdded: z.literal(true).optional(),
  /** Every final object is complete (their sizes, sink by sink): what is left is removing the parts. */
  assembled: z.array(z.int().min(0)).optional(),
  /** Why the export failed: children still running see it and stop. */
  failed: z.string().optional(),
});
export type SplitJob = z.output<typeof splitJob>;

/** One range of a split export: a child job of the parent. */
export const rangeJob = pageSpan.extend({
  /** Its place among the ranges, from 1: names its part objects. */
  part: z.int().min(1),
  /** Where the source starts: `resumeFrom` for page `from`, stopping after `to`. */
  resume: z.unknown(),
  /** The CSV columns of the whole export (see `SplitJob.plan.columns`). */
  columns: z.array(z.string()).optional(),
});
export type RangeJob = z.output<typeof rangeJob>;
