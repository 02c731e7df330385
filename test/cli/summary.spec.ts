import { formatSummary } from '../../src/cli/summary';
import { RunMetrics } from '../../src/pipeline/run-metrics';

const metricsWith = (stages: RunMetrics['stages']) => {
  const metrics = new RunMetrics();
  Object.assign(metrics, { pages: 3, recordsRead: 34, duplicates: 4 });
  metrics.stages.push(...stages);
  metrics.sinks.push({ name: 'file:out/a.csv', records: 15, bytes: 812 });
  return metrics;
};

describe('formatSummary', () => {
  it('says how many records the filter dropped', () => {
    const line = formatSummary('customers', metricsWith([{ name: 'dedup', in: 34, out: 30 }, { name: 'filter', in: 30, out: 15 }, { name: 'map', in: 15, out: 15 }]), 'done');
    expect(line).toMatch(/^customers: done in \d+\.\ds: 3 pages, 34 records read, 4 duplicates dropped, 15 dropped by filter; file:out\/a\.csv 15 records \(812 B\)$/);
  });

  it('numbers several filters, shows one that dropped nothing, and any other transform that dropped records', () => {
    const line = formatSummary(
      'customers',
      metricsWith([
        { name: 'filter', in: 34, out: 34 },
        { name: 'map', in: 34, out: 34 },
        { name: 'filter', in: 34, out: 20 },
        { name: 'validate', in: 20, out: 15 },
      ]),
      'done',
    );
    expect(line).toContain('4 duplicates dropped, 0 dropped by filter #1, 14 dropped by filter #2, 5 dropped by validate;');
  });
});
