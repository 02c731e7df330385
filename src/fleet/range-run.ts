import { SinkError } from '../errors/sink-error';
import { RecordEncodeError } from '../formats/encoder';
import { RecordColumns } from '../formats/record-columns';
import type { Logger } from '../logger';
import { type BuiltPipeline, buildPipeline } from '../pipeline/build-pipeline';
import type { PipelineDefinition } from '../pipeline/schema';
import { s3SinkConfig } from '../sinks/s3-sink';
import type { Sink } from '../sinks/sink';
import type { Source } from '../sources/source';
import { discoversColumns, rangeDefinition } from './split-export';
import type { RangeJob } from './split-job-data';

/** A range's pipeline: its definition (for the clean-up of a dead attempt's uploads) and its built parts. */
export interface RangeRun {
  readonly definition: PipelineDefinition;
  readonly pipeline: BuiltPipeline;
  /** Pages before the range's first: the run's page count is its last page's number in the whole export. */
  readonly pagesBefore: number;
}

export interface RangeRunOptions {
  readonly logger: Logger;
  readonly startedAt: Date;
  readonly runId: string;
  readonly pipelineDir: string;
}

/**
 * Builds the run of one range of a split export: the source starts at the range's first page and
 * stops after its last, and every sink writes the range's part object. A CSV sink that would find
 * its columns on the first page gets the export's first-page columns and checks each record against
 * them exactly as its encoder would have (a field outside them fails the run, or is dropped and
 * counted with `unknownColumns: drop`), so the part holds the rows one run would write.
 */
export function rangeRun(definition: PipelineDefinition, range: RangeJob, options: RangeRunOptions): RangeRun {
  const ranged = rangeDefinition(definition, options.runId, range);
  const built = buildPipeline(ranged, options);
  const checked = (sink: Sink, index: number): Sink => {
    const config = definition.sinks[index];
    if (!range.columns || !discoversColumns(config)) return sink;
    return checkingColumns(sink, range.columns, s3SinkConfig.parse(config).unknownColumns ?? 'fail');
  };
  const source: Source = (context) => built.source({ ...context, resumeFrom: range.resume });
  return {
    definition: ranged,
    pipeline: { ...built, source, sinks: built.sinks.map(checked) },
    pagesBefore: (range.resume as { index: number }).index - 1,
  };
}

/** A sink given its columns, checking each record's fields against them as the sink's encoder does with columns it found itself. */
function checkingColumns(sink: Sink, columns: readonly string[], unknownColumns: 'fail' | 'drop'): Sink {
  const known = RecordColumns.discover([Object.fromEntries(columns.map((name) => [name, null]))], unknownColumns, sink.metrics);
  return {
    metrics: sink.metrics,
    open: () => sink.open(),
    async write(records, origin) {
      try {
        records.forEach((record, index) => known.check(record, index, origin));
      } catch (error) {
        if (error instanceof RecordEncodeError) throw new SinkError(sink.metrics.name, error.message, { code: 'PF_SINK_RECORD', cause: error });
        throw error;
      }
      await sink.write(records, origin);
    },
    finish: () => sink.finish(),
    abort: (reason) => sink.abort(reason),
  };
}
