import { resolveObjectKey, unknownKeyPlaceholders } from '../../src/sinks/s3/object-key';

const STARTED_AT = new Date('2026-11-29T03:15:02.345Z');

describe('resolveObjectKey', () => {
  it.each([
    { template: 'customers/customers-{date}.csv.gz', key: 'customers/customers-2026-11-29.csv.gz' },
    { template: 'raw/{date}/customers-{timestamp}.ndjson', key: 'raw/2026-11-29/customers-20261129T031502Z.ndjson' },
    { template: 'customers.csv', key: 'customers.csv' },
  ])('turns $template into $key', ({ template, key }) => {
    expect(resolveObjectKey(template, STARTED_AT)).toBe(key);
  });

  it('uses the UTC date, not the local one', () => {
    expect(resolveObjectKey('{date}', new Date('2026-11-29T23:30:00-05:00'))).toBe('2026-11-30');
  });
});

describe('unknownKeyPlaceholders', () => {
  it('lists the placeholders that are neither {date} nor {timestamp}', () => {
    expect(unknownKeyPlaceholders('a/{date}-{dat}-{timestamp}-{}.csv')).toEqual(['dat', '']);
  });
});
