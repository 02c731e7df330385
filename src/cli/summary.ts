import type { RunMetrics } from '../pipeline/run-metrics';

/** The one line a run leaves on stderr: what each sink got, pages, duplicates dropped, time. */
export function formatSummary(name: string, metrics: RunMetrics, outcome: string): string {
  const sinks = metrics.sinks.map((sink) => `${sink.name} ${sink.records} records`).join(', ');
  const seconds = (metrics.elapsedMs() / 1000).toFixed(1);
  return `${name}: ${outcome} in ${seconds}s: ${metrics.pages} pages, ${metrics.recordsRead} records read, ${metrics.duplicates} duplicates dropped; ${sinks || 'no sinks'}`;
}
