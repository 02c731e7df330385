import { ConfigError } from '../errors/config-error';
import { RecordColumns } from '../formats/record-columns';
import type { Logger } from '../logger';
import { runPipeline } from '../pipeline/run-pipeline';
import type { Sink } from '../sinks/sink';
import type { RateBudgets } from '../sources/rate-gate';
import type { Source } from '../sources/source';
import type { LoadedJob } from './pipeline-job';
import { discoversColumns, pageRanges } from './split-export';
import type { PageSpan, RangeJob, SplitJob } from './split-job-data';

export type SplitPlan = NonNullable<SplitJob['plan']>;

export interface SplitPlanOptions {
  /** The pipeline file as enqueued: names it in a problem. */
  readonly file: string;
  readonly logger: Logger;
  readonly budgets?: RateBudgets;
  readonly signal?: AbortSignal;
}

/** What the crawler puts in `PageMark.resume`: the next request's index and paginator position, or the end. */
interface CrawlResume {
  readonly index: number;
  readonly position?: Record<string, unknown>;
  readonly end?: true;
}

/**
 * The parent's first step: reads the first page as the export would (through the transforms, into a
 * sink that only looks) to learn the page count, and — when a CSV sink finds its columns on the first
 * page — goes on to the first page whose records reach the sinks, whose keys are then the columns of
 * every range. Writes nothing. The first page is requested again by the first range.
 */
export async function planSplit(job: LoadedJob, pagesPerRange: number, options: SplitPlanOptions): Promise<SplitPlan> {
  const { definition, pipeline } = job;
  const needsColumns = definition.sinks.some(discoversColumns);
  const start = (definition.source.pagination as { start: number }).start;
  let first: CrawlResume | undefined;
  let columns: string[] | undefined;
  const planned = new Error('planned');
  const stop = new AbortController();
  const looking = (name: string, onWrite?: Sink['write']): Sink => ({
    metrics: { name, records: 0, bytes: 0 },
    open: async () => {},
    write: onWrite ?? (async () => {}),
    finish: async () => {},
    abort: async () => {},
  });
  const sink = looking('split plan', async (records) => {
    columns ??= [...RecordColumns.discover(records, 'fail').names];
  });
  const source: Source = (context) =>
    pipeline.source({
      ...context,
      async demand(mark) {
        first ??= mark?.resume as CrawlResume | undefined;
        await context.demand(mark);
        if (!needsColumns || columns) return stop.abort(planned);
        const ended = (mark?.resume as CrawlResume | undefined)?.end === true;
        if (mark && mark.index >= pagesPerRange && !ended) {
          stop.abort(
            new ConfigError(options.file, [
              {
                path: 'sinks',
                message: `--split-pages: no record of the first ${pagesPerRange} pages reaches the sinks, so the CSV columns (the keys of the first page with records) are not known before the ranges start: list columns: on the CSV sinks, or split into larger ranges`,
              },
            ]),
          );
        }
      },
    });
  try {
    await runPipeline({
      ...pipeline,
      source,
      sinks: [sink],
      rejects: { channel: pipeline.rejects.channel, sink: pipeline.rejects.sink && looking('split plan rejects') },
      signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
      logger: options.logger,
      budgets: options.budgets,
    });
  } catch (error) {
    if (error !== planned) throw error;
  }
  if (!first) throw new Error('the source read no page');
  const { page: _next, until: _until, ...position } = first.position ?? {};
  const last = first.end ? start : position.last;
  if (typeof last !== 'number') throw new Error(`the first page gave no page count (source position ${JSON.stringify(first.position)})`);
  return { ranges: pageRanges(start, last, pagesPerRange), position, ...(needsColumns && columns ? { columns } : {}) };
}

/** The source's `resumeFrom` for a range: its first page (numbered in the whole export) with the plan's count, stopping after its last. */
export function rangeResume(plan: SplitPlan, range: PageSpan): RangeJob['resume'] {
  return { index: range.from - plan.ranges[0].from + 1, position: { ...plan.position, page: range.from, until: range.to } };
}
