import type { RunMetrics, SinkMetrics, StageMetrics } from '../pipeline/run-metrics';
import { formatBytes } from './progress';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The one line a run leaves on stderr: pages, records read, what dedup and each filter dropped,
 * retries, then what each sink got.
 */
export function formatSummary(name: string, metrics: RunMetrics, outcome: string): string {
  const sinks = metrics.sinks.map(describeSink).join(', ');
  const seconds = (metrics.elapsedMs() / 1000).toFixed(1);
  const retries = metrics.retries > 0 || metrics.throttled > 0 ? `, ${count(metrics.retries, 'retry', 'retries')}, ${metrics.throttled} throttled (429)` : '';
  const dropped = droppedByStages(metrics.stages).map((text) => `, ${text}`).join('');
  const rejects = metrics.rejects > 0 ? `, ${metrics.rejects} rejected` : '';
  const children = metrics.childRequests > 0 ? `, ${count(metrics.childRequests, 'child request')} (${count(metrics.childPages, 'page')})` : '';
  return `${name}: ${outcome} in ${seconds}s: ${count(metrics.pages, 'page')}${children}, ${count(metrics.recordsRead, 'record')} read, ${count(metrics.duplicates, 'duplicate')} dropped${dropped}${rejects}${retries}; ${sinks || 'no sinks'}${incrementalPart(metrics)}${resumedPart(metrics)}`;
}

/** Outputs listed by name in the line; the summary JSON lists them all. */
const OUTPUTS_SHOWN = 5;

/** `file:out/a.csv 12 records (1.2 kB)`, with the outputs of a sink that wrote several and what it dropped. */
function describeSink(sink: SinkMetrics): string {
  const notes = [
    sink.droppedValues ? `${count(sink.droppedValues, 'value')} of unknown columns dropped` : '',
    sink.mismatchedValues ? `${count(sink.mismatchedValues, 'value')} of the wrong type written as null` : '',
  ].filter(Boolean);
  const outputs = sink.outputs ?? [];
  let text = `${sink.name} ${count(sink.records, 'record')} (${[formatBytes(sink.bytes), ...notes].join(', ')})`;
  if (outputs.length > 1) {
    const shown = outputs.slice(0, OUTPUTS_SHOWN).map((output) => `${output.name} ${count(output.records, 'record')} (${formatBytes(output.bytes)})`);
    const more = outputs.length > OUTPUTS_SHOWN ? ` and ${outputs.length - OUTPUTS_SHOWN} more` : '';
    text += ` in ${outputs.length} outputs: ${shown.join(', ')}${more}`;
  }
  return text;
}

/** `; incremental on createdAt from 2024-05-01T08:30:00Z to 2024-05-02T07:12:09Z, 3 already exported skipped`. */
function incrementalPart({ incremental }: RunMetrics): string {
  if (!incremental) return '';
  const from = incremental.from === undefined ? 'first run' : `from ${incremental.from}`;
  const to = incremental.to === undefined ? 'cursor not moved' : `to ${incremental.to}`;
  return `; incremental on ${incremental.field} ${from}, ${to}, ${incremental.skipped} already exported skipped`;
}

/** `; resumed run 20261129T031502Z-9f3a1c from page 41`: pages before it were read by the run that died. */
function resumedPart({ resumed }: RunMetrics): string {
  return resumed ? `; resumed run ${resumed.runId} from page ${resumed.fromPage}` : '';
}

/**
 * `15 dropped by filter` for every filter (numbered when there are several), and for any other
 * transform that let fewer records out than it took in; dedup's drops are the duplicates.
 */
function droppedByStages(stages: readonly StageMetrics[]): string[] {
  const several = (name: string) => stages.filter((stage) => stage.name === name).length > 1;
  const seen = new Map<string, number>();
  return stages.flatMap((stage) => {
    const number = (seen.get(stage.name) ?? 0) + 1;
    seen.set(stage.name, number);
    if (stage.name === 'dedup' || (stage.name !== 'filter' && stage.out >= stage.in)) return [];
    return [`${Math.max(0, stage.in - stage.out)} dropped by ${stage.name}${several(stage.name) ? ` #${number}` : ''}`];
  });
}
