import type { BenchCase } from '../harness/bench-case';
import { customersPipeline, formatCount, type ReferenceShape, speedOfLightReference } from './customers-export';

const PAGES = 100;
const LATENCY_MS = 50;

/**
 * A distant API: 100 pages of 100 records, each answered after 50 ms, Laravel `paginate()` pages (the
 * last page is known from page 1). pageflow runs `pagination: page-number` with `lastPage` where the
 * checkout accepts it (issue 10), otherwise today's read-ahead along `next_page_url`; the notes say
 * which. The speed-of-light script keeps the same number of requests in flight.
 */
function latencyCase(concurrency: number): BenchCase {
  const name = `latency-c${concurrency}`;
  const shape = (pagination?: object): ReferenceShape => ({ perPage: 100, concurrency, pagination, format: 'csv' });
  return {
    name,
    title: ({ size }) => `${formatCount(size(PAGES))} pages at ${LATENCY_MS} ms, concurrency ${concurrency}`,
    api: ({ size }) => ({ customers: size(PAGES) * 100, latencyMs: LATENCY_MS, cachePages: true, shape: 'paginate' }),
    output: 'csv',
    pageflow: (context) => ({
      variants: [
        { label: 'page-number pagination, lastPage', definition: (output) => customersPipeline(name, context, shape({ type: 'page-number', lastPage: 'last_page' }), output) },
        { label: 'next-link read-ahead (no page-number pagination in this build)', definition: (output) => customersPipeline(name, context, shape(), output) },
      ],
    }),
    reference: (context) => speedOfLightReference(context, shape()),
    ideal: ({ size }) => ({
      ms: LATENCY_MS * (1 + Math.ceil((size(PAGES) - 1) / concurrency)),
      formula: `${LATENCY_MS} ms × (1 + ⌈${size(PAGES) - 1}/${concurrency}⌉)`,
    }),
    maxRuns: 5,
    note: ({ context, pageflow }) => {
      const beyond = (pageflow.requests ?? 0) - context.size(PAGES);
      return `${pageflow.requests} requests in a run${beyond > 0 ? ` (${beyond} beyond the last page)` : ''}`;
    },
  };
}

export const latencyCases: readonly BenchCase[] = [1, 4, 8, 16].map(latencyCase);
