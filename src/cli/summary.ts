import type { RunMetrics, StageMetrics } from '../pipeline/run-metrics';
import { formatBytes } from './progress';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The one line a run leaves on stderr: pages, records read, what dedup and each filter dropped,
 * retries, then what each sink got.
 */
export function formatSummary(name: string, metrics: RunMetrics, outcome: string): string {
  const sinks = metrics.sinks.map((sink) => `${sink.name} ${count(sink.records, 'record')} (${formatBytes(sink.bytes)})`).join(', ');
  const seconds = (metrics.elapsedMs() / 1000).toFixed(1);
  const retries = metrics.retries > 0 || metrics.throttled > 0 ? `, ${count(metrics.retries, 'retry', 'retries')}, ${metrics.throttled} throttled (429)` : '';
  const dropped = droppedByStages(metrics.stages).map((text) => `, ${text}`).join('');
  return `${name}: ${outcome} in ${seconds}s: ${count(metrics.pages, 'page')}, ${count(metrics.recordsRead, 'record')} read, ${count(metrics.duplicates, 'duplicate')} dropped${dropped}${retries}; ${sinks || 'no sinks'}`;
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
