import { ExactNumber } from '../../src/json/exact-number';
import { createRunId, describeUnknownPlaceholders, OutputPath, partitionValue, unknownPlaceholders } from '../../src/sinks/output-path';

const RUN = { startedAt: new Date('2026-11-29T03:15:02.345Z'), runId: '20261129T031502Z-abc123' };

describe('OutputPath', () => {
  it.each([
    { template: 'customers/customers-{date}.csv.gz', resolved: 'customers/customers-2026-11-29.csv.gz' },
    { template: 'raw/{date}/customers-{timestamp}.ndjson', resolved: 'raw/2026-11-29/customers-20261129T031502Z.ndjson' },
    { template: 'out/{runId}.csv', resolved: 'out/20261129T031502Z-abc123.csv' },
    { template: 'customers.csv', resolved: 'customers.csv' },
  ])('fills the run’s placeholders: $template → $resolved', ({ template, resolved }) => {
    const path = new OutputPath(template, RUN);
    expect(path.template).toBe(resolved);
    expect(path.partitioned).toBe(false);
    expect(path.name('', 0)).toBe(resolved);
  });

  it('uses the UTC date, not the local one', () => {
    expect(new OutputPath('{date}', { ...RUN, startedAt: new Date('2026-11-29T23:30:00-05:00') }).template).toBe('2026-11-30');
  });

  it('names parts per partition, zero-padded, and finds each record’s partition by its field paths', () => {
    const path = new OutputPath('lake/integration={record.integration}/region={record.address.region}/dt={date}/part-{part}.parquet', RUN);
    expect(path.partitioned).toBe(true);
    expect(path.parted).toBe(true);
    expect(path.fixedPrefix).toBe('lake/integration=');
    const key = path.partitionOf({ integration: 'acumulus', address: { region: 'Noord-Holland' } });
    expect(path.name(key, 12)).toBe('lake/integration=acumulus/region=Noord-Holland/dt=2026-11-29/part-00012.parquet');
    expect(path.name(path.partitionOf({}), 0)).toBe('lake/integration=__null__/region=__null__/dt=2026-11-29/part-00000.parquet');
  });

  it.each([
    { value: 'a b/c', text: 'a%20b%2Fc' },
    { value: '..', text: '%2E%2E' },
    { value: '.', text: '%2E' },
    { value: '', text: '__null__' },
    { value: null, text: '__null__' },
    { value: undefined, text: '__null__' },
    { value: 42, text: '42' },
    { value: true, text: 'true' },
    { value: new ExactNumber('12345678901234567890'), text: '12345678901234567890' },
    { value: ['x', 'y'], text: '%5B%22x%22%2C%22y%22%5D' },
    { value: 'Müller&Zn?', text: 'M%C3%BCller%26Zn%3F' },
  ])('encodes the value $value as $text: never a folder of its own, never ..', ({ value, text }) => {
    expect(partitionValue(value)).toBe(text);
  });
});

describe('unknownPlaceholders', () => {
  it('lists the placeholders no path knows', () => {
    expect(unknownPlaceholders('a/{date}-{dat}-{timestamp}-{}-{runId}-{part}-{record.a.b}-{record.}-{parts}.csv')).toEqual(['dat', '', 'record.', 'parts']);
    expect(describeUnknownPlaceholders('{dat}.csv')).toBe('unknown placeholder {dat} (expected one of: {date}, {timestamp}, {runId}, {part}, {record.<field path>})');
  });
});

describe('createRunId', () => {
  it('starts with the run’s start time and differs between runs', () => {
    const first = createRunId(RUN.startedAt);
    expect(first).toMatch(/^20261129T031502Z-[0-9a-f]{6}$/);
    expect(createRunId(RUN.startedAt)).not.toBe(first);
  });
});
