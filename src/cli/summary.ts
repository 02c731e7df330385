import type { RunMetrics } from '../pipeline/run-metrics';
import { formatBytes } from './progress';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The one line a run leaves on stderr: what each sink got, pages, duplicates dropped, retries, time. */
export function formatSummary(name: string, metrics: RunMetrics, outcome: string): string {
  const sinks = metrics.sinks.map((sink) => `${sink.name} ${count(sink.records, 'record')} (${formatBytes(sink.bytes)})`).join(', ');
  const seconds = (metrics.elapsedMs() / 1000).toFixed(1);
  const retries = metrics.retries > 0 || metrics.throttled > 0 ? `, ${count(metrics.retries, 'retry', 'retries')}, ${metrics.throttled} throttled (429)` : '';
  return `${name}: ${outcome} in ${seconds}s: ${count(metrics.pages, 'page')}, ${count(metrics.recordsRead, 'record')} read, ${count(metrics.duplicates, 'duplicate')} dropped${retries}; ${sinks || 'no sinks'}${incrementalPart(metrics)}`;
}

/** `; incremental on createdAt from 2024-05-01T08:30:00Z to 2024-05-02T07:12:09Z, 3 already exported skipped`. */
function incrementalPart({ incremental }: RunMetrics): string {
  if (!incremental) return '';
  const from = incremental.from === undefined ? 'first run' : `from ${incremental.from}`;
  const to = incremental.to === undefined ? 'cursor not moved' : `to ${incremental.to}`;
  return `; incremental on ${incremental.field} ${from}, ${to}, ${incremental.skipped} already exported skipped`;
}
