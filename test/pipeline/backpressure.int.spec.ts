import { createSlowStoreSink } from '../../bench/slow-store-sink';
import { dedupBy } from '../../src/operators/dedup-by';
import { mapFields } from '../../src/operators/map-fields';
import { runPipeline } from '../../src/pipeline/run-pipeline';
import { createHttpSource } from '../../src/sources/http/http-source';
import { type CustomersApi, startCustomersApi } from '../helpers/customers-api';

const PER_PAGE = 10;
const PAGES = 30;
const STORE_DELAY_MS = 15;

const customers = Array.from({ length: PER_PAGE * PAGES }, (_, index) => ({ id: `cst_${index}`, companyName: `Company ${index}`, city: 'Utrecht' }));

interface Sample {
  /** Pages the API had been asked for when the store took a chunk. */
  readonly pagesRequested: number;
  /** Records the sink had finished writing by then. */
  readonly recordsWritten: number;
}

/** A slow store (a slow disk, a throttled upload) that notes, at every chunk, pages requested against records stored. */
function createSlowSink(api: CustomersApi) {
  const samples: Sample[] = [];
  const sink = createSlowStoreSink({
    delayMs: STORE_DELAY_MS,
    highWaterMark: 1,
    onChunk: (recordsWritten) => samples.push({ pagesRequested: api.requests.length, recordsWritten }),
  });
  return { sink, samples };
}

/** The most pages the source had requested beyond the records the sink had written, over the run. */
function mostPagesAhead(samples: readonly Sample[]): number {
  return Math.max(...samples.map(({ pagesRequested, recordsWritten }) => pagesRequested - recordsWritten / PER_PAGE));
}

describe('backpressure: a slow sink slows the fetching (loopback API)', () => {
  let api: CustomersApi;
  beforeEach(async () => {
    api = await startCustomersApi({ customers });
  });
  afterEach(async () => {
    await api.close();
  });

  const run = async (concurrency: number) => {
    const slow = createSlowSink(api);
    const started = Date.now();
    const metrics = await runPipeline({
      source: createHttpSource({ url: `${api.url}/v1/customers`, params: { per_page: PER_PAGE }, concurrency }),
      operators: [dedupBy('id'), mapFields({ id: 'id', company: 'companyName' })],
      sinks: [slow.sink],
      batchSize: PER_PAGE,
    });
    return { ...slow, metrics, elapsedMs: Date.now() - started };
  };

  it('requests the next page only once the sink has written the last one (concurrency 1)', async () => {
    const { samples, metrics, elapsedMs } = await run(1);
    expect(metrics.sinks[0].records).toBe(PER_PAGE * PAGES);
    // The sink was the bottleneck: one chunk per page, each held STORE_DELAY_MS.
    expect(elapsedMs).toBeGreaterThanOrEqual(PAGES * STORE_DELAY_MS);
    expect(samples).toHaveLength(PAGES);
    // A source free of the sink would have fetched all 30 pages while the first chunks were stored.
    expect(mostPagesAhead(samples)).toBe(1);
    expect(samples.at(-1)).toEqual({ pagesRequested: PAGES, recordsWritten: (PAGES - 1) * PER_PAGE });
  });

  it('keeps at most `concurrency` pages ahead of the sink when prefetching (concurrency 4)', async () => {
    const { samples, metrics } = await run(4);
    expect(metrics.sinks[0].records).toBe(PER_PAGE * PAGES);
    expect(mostPagesAhead(samples)).toBeLessThanOrEqual(4);
    expect(mostPagesAhead(samples)).toBeGreaterThan(1);
    // Halfway through the export the source is still only a few pages ahead: the bound does not grow with the export.
    const halfway = samples.find(({ recordsWritten }) => recordsWritten >= (PAGES / 2) * PER_PAGE)!;
    expect(halfway.pagesRequested).toBeLessThanOrEqual(PAGES / 2 + 4);
  });
});
