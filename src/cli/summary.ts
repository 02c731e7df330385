import type { RunMetrics } from '../pipeline/run-metrics';
import { formatBytes } from './progress';

/** The one line a run leaves on stderr: what each sink got, pages, duplicates dropped, retries, time. */
export function formatSummary(name: string, metrics: RunMetrics, outcome: string): string {
  const sinks = metrics.sinks.map((sink) => `${sink.name} ${sink.records} records (${formatBytes(sink.bytes)})`).join(', ');
  const seconds = (metrics.elapsedMs() / 1000).toFixed(1);
  const retries = metrics.retries > 0 || metrics.throttled > 0 ? `, ${metrics.retries} retries, ${metrics.throttled} throttled (429)` : '';
  return `${name}: ${outcome} in ${seconds}s: ${metrics.pages} pages, ${metrics.recordsRead} records read, ${metrics.duplicates} duplicates dropped${retries}; ${sinks || 'no sinks'}`;
}
