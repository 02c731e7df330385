import { ConfigError } from '../errors/config-error';
import { formatOf } from '../formats/format-options';
import { parseConfigText } from '../pipeline/load-pipeline';
import { formatPath, type PathSegment } from '../pipeline/issue-path';
import type { ComponentConfig, LocatedIssue, PipelineDefinition } from '../pipeline/schema';
import { OutputPath } from '../sinks/output-path';
import { s3SinkConfig } from '../sinks/s3-sink';
import type { PageSpan, RangeJob } from './split-job-data';

/**
 * Transforms whose output for a page depends on earlier pages. Each range of a split export sees
 * only its own pages, so it would write what one run never writes.
 */
const ACROSS_PAGES: Readonly<Record<string, string>> = {
  dedup: 'dedup drops records seen on earlier pages, and each range sees only its own pages, so a duplicate in two ranges would be written twice',
};

/** The sinks a split export writes and assembles: the `sinks:` and the `rejects:` sink, with where each is in the file. */
export function splitSinks(definition: PipelineDefinition): { readonly config: ComponentConfig; readonly at: PathSegment[] }[] {
  return [...definition.sinks.map((config, index) => ({ config, at: ['sinks', index] })), ...(definition.rejects ? [{ config: definition.rejects, at: ['rejects'] }] : [])];
}

/**
 * Why a pipeline cannot be split into page ranges whose parts make the object one run makes, byte for
 * byte; empty when it can. Checked at enqueue time (exit 2) and again by the parent job.
 */
export function splitProblems(definition: PipelineDefinition): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const problem = (segments: PathSegment[], message: string) => issues.push({ segments, path: formatPath(segments), message: `--split-pages: ${message}` });
  const { source } = definition;
  const pagination = source.pagination as { type?: string; lastPage?: string; total?: string } | undefined;
  if (source.type !== 'http' || pagination?.type !== 'page-number') {
    problem(source.type === 'http' ? ['source', 'pagination', 'type'] : ['source', 'type'], `splits page-number pagination (page=1, 2, 3…) only; this source pages by ${source.type === 'http' ? `${pagination?.type} pagination` : `a ${source.type} source`}`);
  } else if (pagination.lastPage === undefined && pagination.total === undefined) {
    problem(['source', 'pagination'], 'needs the number of pages before the ranges start: set lastPage (e.g. last_page) or total on the pagination');
  }
  if (definition.state) problem(['state'], 'the ranges run at once, and a state (cursor, lock, checkpoints) belongs to one run: split a pipeline without state:');
  definition.transforms.forEach((step, index) => {
    const why = ACROSS_PAGES[step.type];
    if (why) problem(['transforms', index], why);
  });
  for (const { config, at } of splitSinks(definition)) {
    if (config.type !== 's3') {
      problem([...at, 'type'], `a ${config.type} sink cannot be assembled from the ranges' parts: a split export writes s3 sinks only`);
      continue;
    }
    const options = s3SinkConfig.parse(config);
    const { format, gzip } = formatOf(options.key, options.format);
    const path = new OutputPath(options.key, { startedAt: new Date(0), runId: '' });
    if (path.partitioned || path.parted) problem([...at, 'key'], 'with {part} or {record.…} in the key each range would start parts of its own: split an export to one object');
    else if (format === 'parquet') problem([...at, 'key'], 'Parquet files cannot be joined (each has its own footer): split a CSV or NDJSON export');
    else if (gzip) problem([...at, 'key'], "gzip streams joined make a valid .gz file, but not the bytes of one stream: split an uncompressed export (drop .gz)");
    else if (at[0] === 'rejects' && format === 'csv' && options.columns === undefined) {
      problem([...at, 'columns'], "the rejects' CSV columns are found on the first rejected record, which no range knows beforehand: list them (columns: [record, step, error, page])");
    }
  }
  return issues;
}

/** Throws a `ConfigError` naming every reason (at its line of the file) why the pipeline cannot be split; nothing when it can. */
export function refuseSplit(definition: PipelineDefinition, text: string, file: string): void {
  const problems = splitProblems(definition);
  if (problems.length === 0) return;
  const located = parseConfigText(text, file, 'pipeline');
  throw new ConfigError(file, problems.map((problem) => located.locate(problem)));
}

/** Pages `first`…`last` in ranges of `size` pages (the last one possibly shorter). */
export function pageRanges(first: number, last: number, size: number): PageSpan[] {
  const ranges: PageSpan[] = [];
  for (let from = first; from <= last; from += size) ranges.push({ from, to: Math.min(from + size - 1, last) });
  return ranges;
}

/**
 * The key template of part `part` of a sink's object: beside the object, under the run's id, so that
 * runs never share parts. `{part}` in place of the number matches every part (for clean-ups).
 */
export function partKeyTemplate(key: string, runId: string, part: number | '{part}'): string {
  return `${key}.split-${runId}/${typeof part === 'number' ? String(part).padStart(5, '0') : part}`;
}

/** Whether the sink finds its CSV columns on the first page, rather than being given them. */
export function discoversColumns(config: ComponentConfig): boolean {
  const options = s3SinkConfig.parse(config);
  return formatOf(options.key, options.format).format === 'csv' && options.columns === undefined;
}

/**
 * The definition one range runs: every sink writes its part object instead of the final object, in
 * the format the final key names, and a CSV sink that finds its columns on the first page is given
 * the columns the first page gave (the range checks its records against them as the encoder would).
 */
export function rangeDefinition(definition: PipelineDefinition, runId: string, range: Pick<RangeJob, 'part' | 'columns'>): PipelineDefinition {
  const toPart = (config: ComponentConfig): ComponentConfig => {
    const options = s3SinkConfig.parse(config);
    const { format } = formatOf(options.key, options.format);
    const part: ComponentConfig = { ...config, key: partKeyTemplate(options.key, runId, range.part), format };
    if (!range.columns || !discoversColumns(config)) return part;
    const { unknownColumns: _checkedByTheRange, ...given } = part;
    return { ...given, type: part.type, columns: range.columns };
  };
  return { ...definition, sinks: definition.sinks.map(toPart), ...(definition.rejects ? { rejects: toPart(definition.rejects) } : {}) };
}
