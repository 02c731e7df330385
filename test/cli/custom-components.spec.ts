import { defer, from, map } from 'rxjs';
import { z } from 'zod';
import { formatSummary } from '../../src/cli/summary';
import {
  buildPipeline,
  createDefaultRegistry,
  type DataRecord,
  defineOperator,
  defineSink,
  defineSource,
  parsePipeline,
  runPipeline,
  type Sink,
  type SinkMetrics,
  type Source,
  type SourceContext,
} from '../../src';

// A custom source, operator and sink written against the package's exports only, as a user would.
function arraySource(pages: readonly DataRecord[][]): Source {
  return (context: SourceContext) =>
    defer(async function* () {
      for (const [index, page] of pages.entries()) {
        yield* page;
        await context.demand({ index: index + 1 });
      }
    });
}

class MemorySink implements Sink {
  readonly metrics: SinkMetrics = { name: 'memory', records: 0, bytes: 0 };
  readonly records: DataRecord[] = [];
  async open(): Promise<void> {}
  async write(records: readonly DataRecord[]): Promise<void> {
    this.records.push(...records);
    this.metrics.records += records.length;
  }
  async finish(): Promise<void> {}
  async abort(): Promise<void> {}
}

describe('custom components', () => {
  it('are validated, counted and named in the summary like built-in ones', async () => {
    const sink = new MemorySink();
    const registry = createDefaultRegistry()
      .register(defineSource({ type: 'array', summary: 'Pages given inline.', config: z.strictObject({ type: z.literal('array'), pages: z.array(z.array(z.record(z.string(), z.unknown()))) }), create: ({ pages }) => arraySource(pages) }))
      .register(defineOperator({ type: 'upper', summary: 'Upper-cases a field.', config: z.string(), create: (field) => map((record: DataRecord) => ({ ...record, [field]: String(record[field]).toUpperCase() })) }))
      .register(defineSink({ type: 'memory', summary: 'Keeps records.', config: z.strictObject({ type: z.literal('memory') }), create: () => sink }));
    const definition = parsePipeline(
      'name: custom\nsource:\n  type: array\n  pages: [[{ id: 1, name: a }, { id: 2, name: b }], [{ id: 3, name: c }]]\ntransforms:\n  - upper: name\n  - filter: id != 2\nsinks:\n  - type: memory\n',
      'custom.yaml',
      { env: {}, registry },
    );
    const pipeline = buildPipeline(definition, { registry });

    const metrics = await runPipeline(pipeline);

    expect(sink.records).toEqual([{ id: 1, name: 'A' }, { id: 3, name: 'C' }]);
    expect(metrics).toMatchObject({ pages: 2, recordsRead: 3, stages: [{ name: 'upper', in: 3, out: 3 }, { name: 'filter', in: 3, out: 2 }] });
    expect(formatSummary('custom', metrics, 'done')).toMatch(/^custom: done in [\d.]+s: 2 pages, 3 records read, 0 duplicates dropped, 1 dropped by filter; memory 2 records \(0 B\)$/);
  });

  it('a source run from code is counted too', async () => {
    const metrics = await runPipeline({ source: () => from([{ id: 1 }, { id: 2 }]), sinks: [new MemorySink()] });

    expect(metrics.recordsRead).toBe(2);
  });
});
