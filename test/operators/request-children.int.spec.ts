import { createSlowStoreSink } from '../../bench/slow-store-sink';
import { buildPipeline } from '../../src/pipeline/build-pipeline';
import { parsePipeline } from '../../src/pipeline/load-pipeline';
import { runPipeline } from '../../src/pipeline/run-pipeline';
import type { DataRecord } from '../../src/record';
import type { Sink } from '../../src/sinks/sink';
import { startApiServerPerTest } from '../helpers/api-server';
import { contactsOf, type RelatedApiOptions, relatedShape } from '../helpers/related-api';

const startApi = startApiServerPerTest();

/** 5 pages × 20 customers; customer n has n % 4 pages of contacts (0–3), 2 per page. */
const SHAPE: RelatedApiOptions = { pages: 5, perPage: 20, childPages: (id) => id % 4 };
const IDS = Array.from({ length: 100 }, (_, index) => index + 1);

function memorySink() {
  const records: DataRecord[] = [];
  const sink: Sink = {
    metrics: { name: 'memory', records: 0, bytes: 0 },
    open: async () => {},
    write: async (batch) => {
      records.push(...batch);
      sink.metrics.records += batch.length;
    },
    finish: async () => {},
    abort: async () => {},
  };
  return { sink, records };
}

/** A pipeline of the customers with one `request` step (its options as YAML flow mapping text). */
function pipeline(origin: string, step: string, source = '') {
  return parsePipeline(
    `name: related
source: { type: http, url: "${origin}/v1/customers", retry: { attempts: 2, baseDelay: 1ms, maxDelay: 1ms }${source} }
transforms:
  - request: ${step}
sinks: [{ type: stdout }]
`,
    'related.yaml',
    { env: {} },
  );
}

async function run(origin: string, step: string, { sink = memorySink().sink, source = '' }: { sink?: Sink; source?: string } = {}) {
  const built = buildPipeline(pipeline(origin, step, source));
  const metrics = await runPipeline({ ...built, sinks: [sink] });
  return metrics;
}

const childRequests = (requests: URL[]) => requests.filter((url) => url.pathname.endsWith('/contacts'));

describe('request step (loopback API: customers and their contacts, both paginated)', () => {
  it('attaches every contact of every customer exactly once, parents in order, across parent and child pages', async () => {
    const api = await startApi(relatedShape(SHAPE));
    const memory = memorySink();
    const metrics = await run(api.origin, '{ url: "/v1/customers/{id}/contacts", attach: contacts, concurrency: 4 }', { sink: memory.sink });

    expect(memory.records.map((record) => record.id)).toEqual(IDS);
    for (const record of memory.records) expect(record.contacts).toEqual(contactsOf(record.id as number, SHAPE));
    // Each child page requested once: a customer with 0 pages still gets its (empty) first page.
    const childPages = IDS.reduce((sum, id) => sum + Math.max(1, SHAPE.childPages(id)), 0);
    const keys = childRequests(api.requests).map((url) => `${url.pathname}?${url.searchParams}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(childPages);
    expect(metrics.childRequests).toBe(100);
    expect(metrics.childPages).toBe(childPages);
    expect(metrics.pages).toBe(5);
  });

  it('emits every contact exactly once, in parent order, with the parent fields of include', async () => {
    const api = await startApi(relatedShape(SHAPE));
    const memory = memorySink();
    await run(api.origin, '{ url: "/v1/customers/{id}/contacts", emit: true, include: { customerId: id, customerName: name }, concurrency: 8 }', { sink: memory.sink });

    const expected = IDS.flatMap((id) => contactsOf(id, SHAPE).map((contact) => ({ ...contact, customerId: id, customerName: `Customer ${id}` })));
    expect(memory.records).toEqual(expected);
  });

  it('keeps at most `concurrency` child fetches in flight', async () => {
    const api = await startApi(relatedShape(SHAPE), { latencyMs: 5 });
    await run(api.origin, '{ url: "/v1/customers/{id}/contacts", attach: contacts, concurrency: 3 }');
    // The parent's next page may be in flight with them.
    expect(api.maxInFlight()).toBeLessThanOrEqual(4);
    expect(api.maxInFlight()).toBeGreaterThanOrEqual(3);
  });

  it('takes a 404 as no children with onNotFound: empty', async () => {
    const shape = { ...SHAPE, childStatus: (id: number) => (id % 10 === 0 ? 404 : undefined) };
    const api = await startApi(relatedShape(shape));
    const memory = memorySink();
    await run(api.origin, '{ url: "/v1/customers/{id}/contacts", attach: contacts, onNotFound: empty }', { sink: memory.sink });

    expect(memory.records).toHaveLength(100);
    for (const record of memory.records) expect(record.contacts).toEqual((record.id as number) % 10 === 0 ? [] : contactsOf(record.id as number, SHAPE));
  });

  it('fails on a 404 by default, naming the parent record and the child URL, and writes nothing', async () => {
    const shape = { ...SHAPE, childStatus: (id: number) => (id === 30 ? 404 : undefined) };
    const api = await startApi(relatedShape(shape));
    const memory = memorySink();
    const error = await run(api.origin, '{ url: "/v1/customers/{id}/contacts", attach: contacts }', { sink: memory.sink }).catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`the children of record 10 of page 2 (${api.origin}/v1/customers/30/contacts)`);
    expect((error as Error).message).toContain('onNotFound: empty');
    expect(memory.records.some((record) => record.id === 30)).toBe(false);
  });

  it('fails when a child fails past its retries, naming the parent record and the redacted child URL', async () => {
    const shape = { ...SHAPE, childStatus: (id: number) => (id === 47 ? 500 : undefined) };
    const api = await startApi(relatedShape(shape));
    const error = await run(api.origin, '{ url: "/v1/customers/{id}/contacts?api_key=s3cr3t-key", emit: true }').catch((caught: Error) => caught);

    expect((error as Error).message).toMatch(/the children of record 7 of page 3 \(http:\/\/127\.0\.0\.1:\d+\/v1\/customers\/47\/contacts\?api_key=\*\*\*\) could not be read/);
    expect((error as Error).message).not.toContain('s3cr3t-key');
    // Tried as often as the source's retry policy says: 2 attempts.
    expect(childRequests(api.requests).filter((url) => url.pathname === '/v1/customers/47/contacts')).toHaveLength(2);
  });

  it('sends the source credentials with the child requests', async () => {
    const seen: (string | undefined)[] = [];
    const shape = relatedShape({ pages: 1, perPage: 3, childPages: () => 1 });
    const api = await startApi((url, headers) => {
      if (url.pathname.endsWith('/contacts')) seen.push(headers.authorization);
      return shape(url);
    });
    await run(api.origin, '{ url: "/v1/customers/{id}/contacts", attach: contacts }', { source: ', auth: { type: bearer, token: tkn-123 }' });
    expect(seen).toEqual(['Bearer tkn-123', 'Bearer tkn-123', 'Bearer tkn-123']);
  });

  it('fails a record without the field the url needs, naming it', async () => {
    const api = await startApi(relatedShape({ pages: 1, perPage: 3, childPages: () => 1 }));
    const error = await run(api.origin, '{ url: "/v1/customers/{account.id}/contacts", attach: contacts }').catch((caught: Error) => caught);
    expect((error as Error).message).toContain('fill in {account.id} of the url for record 1 of page 1: it is missing');
  });

  it('keeps the child records held in memory bounded with many children and a slow sink', async () => {
    // 3 pages × 20 customers, 6 pages of 10 contacts each: 3 600 contacts through a sink that takes 2 ms a record.
    const shape: RelatedApiOptions = { pages: 3, perPage: 20, childPages: () => 6, perChildPage: 10 };
    let served = 0;
    let written = 0;
    let mostAhead = 0;
    const relatedAnswer = relatedShape(shape);
    const api = await startApi((url) => {
      const answer = relatedAnswer(url);
      if (url.pathname.endsWith('/contacts')) {
        served += (answer.body as { data: unknown[] }).data.length;
        mostAhead = Math.max(mostAhead, served - written);
      }
      return answer;
    });
    const sink = createSlowStoreSink({ delayMs: 2, highWaterMark: 1, onChunk: (records) => (written = records) });
    const metrics = await run(api.origin, '{ url: "/v1/customers/{id}/contacts", emit: true, concurrency: 4, maxBufferedRecords: 40 }', { sink });

    expect(metrics.sinks[0].records).toBe(3600);
    // Held: maxBufferedRecords for the parents ahead, a page for each fetch in flight, the page being
    // written and the sinks' own buffers (a page or two); unbounded, it would be most of the 3 600.
    expect(mostAhead).toBeLessThanOrEqual(40 + 4 * 10 + 4 * 10);
  });
});
