import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { buildPipeline } from '../../src/pipeline/build-pipeline';
import { readPipelineFile } from '../../src/pipeline/load-pipeline';
import { runStreams, StreamStoppedError } from '../../src/pipeline/run-streams';
import type { PipelineFile } from '../../src/pipeline/schema';
import { LocalRateBudgets } from '../../src/sources/local-rate-budgets';
import { type Answer, startApiServerPerTest } from '../helpers/api-server';
import { contactsOf, type RelatedApiOptions, relatedShape } from '../helpers/related-api';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

const startApi = startApiServerPerTest();

/** Answers 429 to a request that would be the 11th within 2 s (counted at arrival, as a fixed-window throttle would). */
function throttled(shape: (url: URL) => Answer, { requests = 10, perMs = 2000 } = {}) {
  const arrivals: number[] = [];
  const state = { rejected: 0, served: 0 };
  const answer = (url: URL): Answer => {
    const now = Date.now();
    while (arrivals.length > 0 && arrivals[0] <= now - perMs) arrivals.shift();
    if (arrivals.length >= requests) {
      state.rejected += 1;
      return { status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too Many Attempts.' } };
    }
    arrivals.push(now);
    state.served += 1;
    return shape(url);
  };
  return { answer, state };
}

/** Groups: 4 pages of 3, under /v1/groups. */
function groupsShape(url: URL): Answer {
  const page = Number(url.searchParams.get('page') ?? '1');
  return { body: { data: [1, 2, 3].map((n) => ({ id: `g${(page - 1) * 3 + n}` })), next_page_url: page < 4 ? `${url.origin}/v1/groups?page=${page + 1}` : null } };
}

function load(text: string): PipelineFile {
  return readPipelineFile(text, 'streams.yaml', { env: {} }).file;
}

function run(file: PipelineFile) {
  const streams = file.streams.map((definition) => ({ name: definition.name, options: buildPipeline(definition) }));
  return runStreams({ streams, onStreamFailure: file.onStreamFailure, parallelStreams: file.parallelStreams, budgets: new LocalRateBudgets(file.budget) });
}

describe('several streams in one run (loopback API)', () => {
  let tmp: TmpDir;
  beforeEach(async () => {
    tmp = await createTmpDir();
  });
  afterEach(async () => {
    await tmp.remove();
  });

  const customersShape: RelatedApiOptions = { pages: 2, perPage: 5, childPages: (id) => (id % 2) + 1 };

  const file = (origin: string, extra = '') =>
    load(`name: mkp
budget: { rateLimit: { requests: 10, per: 2s } }
${extra}
streams:
  customers:
    source: { type: http, url: "${origin}/v1/customers", auth: { type: bearer, token: same-token } }
    transforms:
      - request: { url: "/v1/customers/{id}/contacts", attach: contacts, concurrency: 4 }
    sinks: [{ type: file, path: "${tmp.resolve('customers.ndjson')}" }]
  groups:
    source: { type: http, url: "${origin}/v1/groups", auth: { type: bearer, token: same-token }, retry: { attempts: 2, baseDelay: 1ms } }
    sinks: [{ type: file, path: "${tmp.resolve('groups.ndjson')}" }]
`);

  const both = (shape: (url: URL) => Answer) => (url: URL) => (url.pathname.startsWith('/v1/groups') ? groupsShape(url) : shape(url));
  /** The file with the groups stream reading /v1/broken, which always answers 500. */
  const brokenGroups = (base: PipelineFile, origin: string): PipelineFile => ({
    ...base,
    streams: base.streams.map((stream) => (stream.name === 'groups' ? { ...stream, source: { ...stream.source, url: `${origin}/v1/broken` } } : stream)),
  });
  const brokenApi = () => startApi((url) => (url.pathname === '/v1/broken' ? { status: 500, body: {} } : both(relatedShape(customersShape))(url)));

  it('paces parent, child and second-stream requests to one shared budget: no 429, and no slower than the limit allows', async () => {
    const limited = throttled(both(relatedShape(customersShape)));
    const api = await startApi(limited.answer);
    const started = Date.now();
    const outcomes = await run(file(api.origin));
    const elapsedMs = Date.now() - started;

    expect(outcomes.map((outcome) => [outcome.name, outcome.error])).toEqual([
      ['customers', undefined],
      ['groups', undefined],
    ]);
    // 2 customer pages, 15 contact pages (1 or 2 a customer), 4 group pages.
    const requests = api.requests.length;
    expect(requests).toBe(2 + 15 + 4);
    expect(limited.state.rejected).toBe(0);
    expect(outcomes.reduce((sum, outcome) => sum + outcome.metrics.throttled, 0)).toBe(0);
    // 10 requests per 2 s: 21 requests take about 4.2 s when paced evenly; the budget is shared, so
    // the two streams together are no faster than that (else the server would have answered 429).
    const paced = (requests / 10) * 2000;
    expect(elapsedMs).toBeLessThanOrEqual(paced * 1.2);
    expect(elapsedMs).toBeGreaterThanOrEqual(((requests - 10) / 10) * 2000);

    const customers = (await readFile(tmp.resolve('customers.ndjson'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { id: number; contacts: unknown });
    expect(customers.map((customer) => customer.contacts)).toEqual(customers.map((customer) => contactsOf(customer.id, customersShape)));
    expect((await readFile(tmp.resolve('groups.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(12);
  }, 20_000);

  it('rolls back every stream when one fails (onStreamFailure: rollback, the default)', async () => {
    const api = await brokenApi();
    const outcomes = await run(brokenGroups(file(api.origin), api.origin));

    const groups = outcomes.find((outcome) => outcome.name === 'groups')!;
    const customers = outcomes.find((outcome) => outcome.name === 'customers')!;
    expect((groups.error as Error).message).toContain('/v1/broken');
    expect(customers.error).toBeInstanceOf(StreamStoppedError);
    expect(existsSync(tmp.resolve('customers.ndjson'))).toBe(false);
    expect(existsSync(tmp.resolve('groups.ndjson'))).toBe(false);
  }, 20_000);

  it('keeps the other streams with onStreamFailure: continue', async () => {
    const api = await brokenApi();
    const outcomes = await run(brokenGroups(file(api.origin, 'onStreamFailure: continue'), api.origin));

    expect(outcomes.find((outcome) => outcome.name === 'customers')!.error).toBeUndefined();
    expect((outcomes.find((outcome) => outcome.name === 'groups')!.error as Error).message).toContain('/v1/broken');
    expect((await readFile(tmp.resolve('customers.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(10);
    expect(existsSync(tmp.resolve('groups.ndjson'))).toBe(false);
  }, 20_000);

  it('runs the streams at most parallelStreams at once, and every stream to the end', async () => {
    const api = await startApi(both(relatedShape(customersShape)), { latencyMs: 20 });
    const base = file(api.origin, 'parallelStreams: 1');
    const outcomes = await run({ ...base, budget: undefined });
    expect(outcomes.every((outcome) => outcome.error === undefined)).toBe(true);
    // One stream at a time: every customers request came before the first groups request.
    const firstGroup = api.requests.findIndex((url) => url.pathname === '/v1/groups');
    expect(api.requests.slice(firstGroup).every((url) => url.pathname === '/v1/groups')).toBe(true);
  }, 20_000);
});
