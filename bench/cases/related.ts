import type { BenchCase } from '../harness/bench-case';
import { formatCount } from './customers-export';

const CUSTOMERS = 400;
const PER_PAGE = 100;
const LATENCY_MS = 50;

/**
 * Related data (issue 13): the customers of a distant API (50 ms an answer) and each customer's
 * contacts, one `request` per customer (`GET /v1/customers/{id}/contacts`), with 1 or 8 child
 * fetches in flight. The contacts go to CSV with their customer's id.
 */
function childrenCase(concurrency: number): BenchCase {
  const name = `children-c${concurrency}`;
  const parentPages = (customers: number) => Math.ceil(customers / PER_PAGE);
  return {
    name,
    title: ({ size }) => `${formatCount(size(CUSTOMERS))} customers × contacts at ${LATENCY_MS} ms, child concurrency ${concurrency}`,
    api: ({ size }) => ({ customers: size(CUSTOMERS), latencyMs: LATENCY_MS }),
    output: 'csv',
    pageflow: (context) => ({
      variants: [
        {
          label: 'request step, emit',
          definition: (output) => ({
            name,
            source: { type: 'http', url: `${context.url}/v1/customers`, params: { per_page: PER_PAGE } },
            transforms: [{ request: { url: '/v1/customers/{id}/contacts', emit: true, include: { customerId: 'id' }, concurrency } }],
            sinks: [{ type: 'file', path: output }],
          }),
        },
      ],
    }),
    ...(concurrency > 1 && { relativeTo: 'children-c1' }),
    // Parent pages one after the other; the children of a page `concurrency` at a time.
    ideal: ({ size }) => {
      const customers = size(CUSTOMERS);
      const rounds = parentPages(customers) + Math.ceil(customers / concurrency);
      return { ms: LATENCY_MS * rounds, formula: `${LATENCY_MS} ms × (${parentPages(customers)} + ⌈${customers}/${concurrency}⌉)` };
    },
    modes: ['whole-process'],
    maxRuns: 3,
    note: ({ pageflow }) => `${pageflow.requests} requests in a run`,
  };
}

export const relatedCases: readonly BenchCase[] = [1, 8].map(childrenCase);
