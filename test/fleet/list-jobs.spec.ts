import { formatJobs, type JobListing } from '../../src/fleet/list-jobs';

const NOW = Date.UTC(2026, 0, 2, 3, 0, 0);

describe('formatJobs', () => {
  it('shows the counts, then each job with its figures and outputs, or its error', () => {
    const listing: JobListing = {
      counts: { active: 1, waiting: 1, completed: 1, failed: 1 },
      jobs: [
        { state: 'active', id: 'acme-1', pipeline: 'customers', attempts: 1, enqueuedAt: NOW - 9000, startedAt: NOW - 7000, worker: 'vm:12', progress: { pages: 3, records: 75 } },
        { state: 'waiting', id: 'beta-1', pipeline: 'customers', attempts: 1, enqueuedAt: NOW - 65_000, error: 'page 2: HTTP 503 Service Unavailable' },
        {
          state: 'completed',
          id: 'gamma-1',
          pipeline: 'customers',
          attempts: 2,
          enqueuedAt: NOW - 100_000,
          summary: { pipeline: 'customers', pages: 20, records: 500, duplicates: 0, retries: 0, throttled: 0, outputs: [{ name: 's3://b/k.csv', records: 500, bytes: 41_200 }], durationMs: 12_000, attempt: 2, worker: 'vm:13' },
        },
        { state: 'failed', id: 'delta-1', pipeline: 'customers', attempts: 3, enqueuedAt: NOW - 100_000, worker: 'vm:12', progress: { pages: 0, records: 0 }, error: 'page 1 (https://api/v1): HTTP 401 Unauthenticated.' },
      ],
    };
    expect(formatJobs(listing, NOW)).toBe(
      [
        'active 1 · waiting 1 · completed 1 · failed 1',
        'STATE      ID       PIPELINE   ATTEMPT  PAGES  RECORDS  TIME  WORKER  RESULT',
        'active     acme-1   customers  1        3      75       0:07  vm:12',
        'waiting    beta-1   customers  1                                      enqueued 1:05 ago; last attempt: page 2: HTTP 503 Service Unavailable',
        'completed  gamma-1  customers  2        20     500      0:12  vm:13   s3://b/k.csv (500 records, 41.2 kB)',
        'failed     delta-1  customers  3        0      0              vm:12   page 1 (https://api/v1): HTTP 401 Unauthenticated.',
        '',
      ].join('\n'),
    );
  });

  it('shows only the counts when there is no job', () => {
    expect(formatJobs({ counts: { active: 0, waiting: 0, completed: 0, failed: 0 }, jobs: [] })).toBe('active 0 · waiting 0 · completed 0 · failed 0\n');
  });
});
