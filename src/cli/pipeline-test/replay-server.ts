import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCRUBBED, type ReplayPage } from './recorded-pages';

export interface ReplayOptions {
  readonly pages: readonly ReplayPage[];
  /** Origins written in the pages (next links, Link headers): replaced by the server's own. */
  readonly origins: readonly string[];
  /** Query values left out when requests are matched: the run's credentials and stand-ins (auth is ignored). */
  readonly ignoredValues: ReadonlySet<string>;
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Requests no page matched (answered 404), as `GET /path?query`. */
  readonly unmatched: readonly string[];
  /** Pages no request asked for. */
  unrequested(): string[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that answers with the given pages, matching each request by method, path
 * and query (parameters in any order; credentials ignored, and a `***` in a page's request matches
 * any value). Pages with the same request are served in turn, the last one again after that.
 */
export async function startReplayServer({ pages, origins, ignoredValues }: ReplayOptions): Promise<ReplayServer> {
  const queues = new Map<string, ReplayPage[]>();
  for (const page of pages) {
    const key = requestKey(page.method, page.request, (value) => value === SCRUBBED);
    queues.set(key, [...(queues.get(key) ?? []), page]);
  }
  const served = new Set<ReplayPage>();
  const unmatched: string[] = [];
  let origin = '';

  const server = http.createServer((request, response) => {
    const method = request.method ?? 'GET';
    // A secret scrubbed in a recorded next link comes back as `***`: ignored like the run's own secrets.
    const queue = queues.get(requestKey(method, request.url ?? '/', (value) => value === SCRUBBED || ignoredValues.has(value)));
    request.resume();
    if (!queue) {
      unmatched.push(`${method} ${request.url}`);
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'pageflow test: no page for this request' }));
      return;
    }
    const page = queue.length > 1 ? queue.shift()! : queue[0];
    served.add(page);
    const body = Buffer.from(replaceOrigins(page.body.toString('utf8'), origins, origin));
    const headers = Object.fromEntries(Object.entries(page.headers).map(([name, value]) => [name, replaceOrigins(value, origins, origin)]));
    response.writeHead(page.status, { ...headers, 'content-length': body.length }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    unmatched,
    unrequested: () => pages.filter((page) => !served.has(page)).map((page) => `${page.method} ${page.request}`),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** `GET /v1/customers?page=2&per_page=100`, parameters sorted, those whose value `ignore`s left out. */
function requestKey(method: string, pathAndQuery: string, ignore: (value: string) => boolean): string {
  const url = new URL(pathAndQuery, 'http://replay.invalid');
  const params = [...url.searchParams].filter(([, value]) => !ignore(value)).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  return `${method.toUpperCase()} ${url.pathname}?${new URLSearchParams(params).toString()}`;
}

/** Every origin, also in the `https:\/\/host` form of JSON written by PHP, replaced by `target`. */
function replaceOrigins(text: string, origins: readonly string[], target: string): string {
  return origins.reduce((result, from) => result.split(from).join(target).split(from.replace(/\//g, '\\/')).join(target.replace(/\//g, '\\/')), text);
}
