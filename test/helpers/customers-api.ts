import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataRecord } from '../../src/record';

export interface CustomersApiOptions {
  /** Every customer the API holds, in order. */
  readonly customers: readonly DataRecord[];
  /** Page size when the request has no `per_page`, as Laravel's default. @default 15 */
  readonly defaultPerPage?: number;
  /** Each page after the first also repeats this many customers from the end of the page before it. @default 0 */
  readonly overlap?: number;
  /** When set, requests must carry `Authorization: Bearer <token>`; others get a 401. */
  readonly token?: string;
  /** Pages (1-based `page` parameter) answered with `failStatus` and a JSON message. */
  readonly failPages?: readonly number[];
  /** @default 500 */
  readonly failStatus?: number;
}

/** One request the API received. */
export interface RecordedRequest {
  readonly path: string;
  /** The raw query string parameters, e.g. `{ page: '2', per_page: '3' }`. */
  readonly query: Readonly<Record<string, string>>;
  readonly headers: http.IncomingHttpHeaders;
}

export interface CustomersApi {
  /** Base URL, e.g. `http://127.0.0.1:43117`; customers are at `${url}/v1/customers`. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback stand-in for a Laravel simplePaginate customers API, configurable per test, recording
 * every request. It answers asynchronously (as real servers do) and, like Laravel, serves page 1 for
 * a page parameter it cannot read, such as `2,`.
 */
export async function startCustomersApi(options: CustomersApiOptions): Promise<CustomersApi> {
  const { customers, defaultPerPage = 15, overlap = 0, token, failPages = [], failStatus = 500 } = options;
  const requests: RecordedRequest[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers });
    const answer = (status: number, body: unknown) =>
      setImmediate(() => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });

    if (url.pathname !== '/v1/customers') return answer(404, { message: 'Not Found' });
    if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) return answer(401, { message: 'Unauthenticated.' });
    const pageText = url.searchParams.get('page') ?? '1';
    const page = /^[1-9]\d*$/.test(pageText) ? Number(pageText) : 1;
    if (failPages.includes(page)) return answer(failStatus, { message: `Page ${page} is broken` });

    const perPage = Number(url.searchParams.get('per_page') ?? defaultPerPage) || defaultPerPage;
    const end = Math.min(page * perPage, customers.length);
    const start = Math.max(0, (page - 1) * perPage - (page > 1 ? overlap : 0));
    const base = `http://${request.headers.host}/v1/customers`;
    answer(200, {
      current_page: page,
      data: customers.slice(start, end),
      first_page_url: `${base}?page=1`,
      from: start < end ? start + 1 : null,
      // As documented: a trailing comma, and none of the request's other parameters (Laravel drops them unless told otherwise).
      next_page_url: end < customers.length ? `${base}?page=${page + 1},` : null,
      path: base,
      per_page: perPage,
      prev_page_url: page > 1 ? `${base}?page=${page - 1}` : null,
      to: start < end ? end : null,
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
