import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataRecord } from '../record';

export interface SampleApiOptions {
  /** How many customers the API holds. @default 250 */
  readonly customers?: number;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Delay before each answer, as a distant API has. @default 0 */
  readonly latencyMs?: number;
  /**
   * Keep each page's JSON body after it was first built and serve it again from memory, so a
   * benchmark measures the client rather than the server. @default false
   */
  readonly cachePages?: boolean;
  /**
   * The page shape: `simplePaginate` (a next link only, as Mijn Klantportaal answers) or `paginate`
   * (Laravel's `paginate()`: also `last_page`, `total` and the page links, so the last page is known
   * from page 1). @default 'simplePaginate'
   */
  readonly shape?: 'simplePaginate' | 'paginate';
  /** The port on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
}

export interface SampleApi {
  /** Base URL, e.g. `http://127.0.0.1:43117`; customers are at `${url}/v1/customers`. */
  readonly url: string;
  /** Number of page requests answered so far. */
  readonly requests: () => number;
  close(): Promise<void>;
}

const CITIES = ['Amsterdam', 'Rotterdam', 'Utrecht', "'s-Hertogenbosch", 'Groningen', 'Zwolle'];
const NAMES = ['Test Company BV', 'Bakkerij "De Korenschoof"', 'Café \'t Hoekje, Utrecht', 'Smit & Zonen', 'Müller Großhandel GmbH'];

/** The sample customers the built-in API serves: deterministic, with the awkward values real data has. */
export function sampleCustomer(index: number): DataRecord {
  const number = index + 1;
  return {
    id: `cst_${number.toString(36).padStart(6, '0')}${(number * 7919).toString(16).padStart(8, '0')}`,
    companyName: `${NAMES[index % NAMES.length]} ${number}`,
    address: `Teststreet ${number}${index % 11 === 0 ? '\nunit B' : ''}`,
    zipCode: `${1000 + (index % 9000)}AB`,
    city: CITIES[index % CITIES.length],
    primaryEmail: `info${number}@example.nl`,
    phone: `+3120${String(1000000 + index).padStart(7, '0')}`,
    integration: index % 3 === 0 ? 'acumulus' : 'moneybird',
    integrationId: String(123456789 + index),
    customerGroups: index % 4 === 0 ? [] : [`cug_${(index % 5).toString().padStart(3, '0')}abc`, 'cug_all'],
    createdAt: new Date(Date.UTC(2024, 3, 28, 19) + index * 3_600_000).toISOString().replace('.000Z', '+00:00'),
  };
}

const ROLES = ['billing', 'technical', 'owner'];

/** The contacts of the sample customer at `index`: 0 to 3 of them, as `GET /v1/customers/{id}/contacts` serves them. */
export function sampleContacts(index: number): DataRecord[] {
  return Array.from({ length: index % 4 }, (_, n) => ({
    id: `con_${(index + 1).toString(36).padStart(6, '0')}${n + 1}`,
    name: `Contact ${n + 1} of customer ${index + 1}`,
    email: `contact${n + 1}.${index + 1}@example.nl`,
    role: ROLES[(index + n) % ROLES.length],
  }));
}

/** The index of the sample customer with this id, if it is one of the `total`. */
function customerIndex(id: string, total: number): number | undefined {
  const index = parseInt(id.slice(4, 10), 36) - 1;
  return Number.isInteger(index) && index >= 0 && index < total && sampleCustomer(index).id === id ? index : undefined;
}

/** Laravel `simplePaginate()`, with Mijn Klantportaal's trailing comma in `next_page_url`. */
function simplePaginateBody(base: string, page: number, perPage: number, total: number, data: DataRecord[]) {
  const from = (page - 1) * perPage;
  return {
    current_page: page,
    data,
    first_page_url: `${base}?page=1`,
    from: data.length > 0 ? from + 1 : null,
    next_page_url: from + data.length < total ? `${base}?page=${page + 1},` : null,
    path: base,
    per_page: perPage,
    prev_page_url: page > 1 ? `${base}?page=${page - 1}` : null,
    to: data.length > 0 ? from + data.length : null,
  };
}

/** Laravel `paginate()`: the page count is known, and the links lose the query string as Laravel's do. */
function paginateBody(base: string, page: number, perPage: number, total: number, data: DataRecord[]) {
  const from = (page - 1) * perPage;
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const pageUrl = (number: number) => (number >= 1 && number <= lastPage ? `${base}?page=${number}` : null);
  const window: { url: string | null; label: string; active: boolean }[] = [];
  for (let number = Math.max(1, page - 3); number <= Math.min(lastPage, page + 3); number += 1) {
    window.push({ url: pageUrl(number), label: String(number), active: number === page });
  }
  return {
    current_page: page,
    data,
    first_page_url: pageUrl(1),
    from: data.length > 0 ? from + 1 : null,
    last_page: lastPage,
    last_page_url: pageUrl(lastPage),
    links: [{ url: pageUrl(page - 1), label: '&laquo; Previous', active: false }, ...window, { url: pageUrl(page + 1), label: 'Next &raquo;', active: false }],
    next_page_url: pageUrl(page + 1),
    path: base,
    per_page: perPage,
    prev_page_url: pageUrl(page - 1),
    to: data.length > 0 ? from + data.length : null,
    total,
  };
}

/**
 * A local stand-in for the Mijn Klantportaal customers API: Laravel simplePaginate pages, the
 * documented trailing comma in `next_page_url`, a next link without the query string, and page 1
 * served for a page parameter Laravel cannot read; or Laravel paginate pages (`shape: 'paginate'`).
 */
export async function startSampleApi(options: SampleApiOptions = {}): Promise<SampleApi> {
  const total = options.customers ?? 250;
  let requests = 0;
  const cache = new Map<string, Buffer>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, body: Buffer) => {
      const reply = () => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body);
      };
      if (options.latencyMs) setTimeout(reply, options.latencyMs);
      else setImmediate(reply);
    };
    const answer = (status: number, body: unknown) => send(status, Buffer.from(JSON.stringify(body)));
    const contacts = /^\/v1\/customers\/([^/]+)\/contacts$/.exec(url.pathname);
    if (url.pathname !== '/v1/customers' && !contacts) return answer(404, { message: 'Not Found' });
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      return answer(401, { message: 'Unauthenticated.' });
    }
    requests += 1;
    if (contacts) {
      const index = customerIndex(decodeURIComponent(contacts[1]), total);
      if (index === undefined) return answer(404, { message: 'No query results for model [Customer].' });
      const all = sampleContacts(index);
      return answer(200, simplePaginateBody(`http://${request.headers.host}${url.pathname}`, 1, 15, all.length, all));
    }
    const cacheKey = `${request.headers.host} ${request.url}`;
    const cached = options.cachePages ? cache.get(cacheKey) : undefined;
    if (cached) return send(200, cached);
    const pageText = url.searchParams.get('page') ?? '1';
    const page = /^[1-9]\d*$/.test(pageText) ? Number(pageText) : 1;
    const perPage = Number(url.searchParams.get('per_page') ?? 15) || 15;
    const from = (page - 1) * perPage;
    const to = Math.min(from + perPage, total);
    const base = `http://${request.headers.host}/v1/customers`;
    const data: DataRecord[] = [];
    for (let index = from; index < to; index += 1) data.push(sampleCustomer(index));
    const pageBody = options.shape === 'paginate' ? paginateBody(base, page, perPage, total, data) : simplePaginateBody(base, page, perPage, total, data);
    const body = Buffer.from(JSON.stringify(pageBody));
    if (options.cachePages) cache.set(cacheKey, body);
    send(200, body);
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
