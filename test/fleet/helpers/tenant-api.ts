import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TenantApiOptions {
  /** Bearer token → tenant name; any other token gets a 401. */
  readonly tokens: Readonly<Record<string, string>>;
  /** Pages per export; page n of tenant t holds records `{ id: '<t>-p<n>-r<i>', tenant, page }`. */
  readonly pages: number;
  /** Pages of one tenant's export, when they differ. @default pages */
  readonly pagesOf?: (tenant: string) => number;
  readonly perPage: number;
  /** Per token, at most `requests` in any `perMs` window (arrival times); beyond that, a 429. */
  readonly rateLimit?: { readonly requests: number; readonly perMs: number };
  /** Delay before every answer. @default 0 */
  readonly latencyMs?: number;
  /** Characters of filler in each record's `text` field, to make large exports. @default 0 */
  readonly recordBytes?: number;
  /** Characters of filler on page `page`, when pages differ. @default recordBytes */
  readonly recordBytesOf?: (page: number) => number;
  /** Pages answered 400 Bad Request (a request the API refuses: no retry helps). */
  readonly refuse?: (tenant: string, page: number) => boolean;
  /** Awaited before a page is answered: a test holds a page back with it. */
  readonly hold?: (tenant: string, page: number) => Promise<void> | void;
}

export interface TenantApi {
  /** `<origin>/v1/customers`. */
  readonly url: string;
  /** Page requests answered 200 per tenant. */
  readonly served: Map<string, number>;
  /** Answers 429. */
  readonly throttled: () => number;
  /** The records tenant `tenant` exports, in order. */
  records(tenant: string): { id: string; tenant: string; page: number; text?: string }[];
  close(): Promise<void>;
}

/** A Laravel-like paginated API on loopback (`next_page_url`, `last_page`) with one rate limit per bearer token, as SaaS APIs have. */
export async function startTenantApi(options: TenantApiOptions): Promise<TenantApi> {
  const arrivals = new Map<string, number[]>();
  const served = new Map<string, number>();
  let throttled = 0;
  const pageRecords = (tenant: string, page: number) => {
    const bytes = options.recordBytesOf?.(page) ?? options.recordBytes;
    return Array.from({ length: options.perPage }, (_, index) => ({
      id: `${tenant}-p${page}-r${index}`,
      tenant,
      page,
      ...(bytes ? { text: `${tenant}${page}:${index}`.padEnd(bytes, 'x') } : {}),
    }));
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const tenant = options.tokens[token];
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (tenant === undefined) return answer(401, { message: 'Unauthenticated.' });
    if (options.rateLimit) {
      const now = Date.now();
      const recent = (arrivals.get(token) ?? []).filter((at) => at > now - options.rateLimit!.perMs);
      recent.push(now);
      arrivals.set(token, recent);
      if (recent.length > options.rateLimit.requests) {
        throttled += 1;
        return answer(429, { message: 'Too Many Attempts.' }, { 'retry-after': String(Math.ceil(options.rateLimit.perMs / 1000)) });
      }
    }
    const page = Number(url.searchParams.get('page') ?? 1);
    const pages = options.pagesOf?.(tenant) ?? options.pages;
    void (async () => {
      await options.hold?.(tenant, page);
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      if (options.refuse?.(tenant, page)) return answer(400, { message: 'Bad Request.' });
      served.set(tenant, (served.get(tenant) ?? 0) + 1);
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      answer(200, { current_page: page, last_page: pages, data: page <= pages ? pageRecords(tenant, page) : [], next_page_url: page < pages ? next.href : null });
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/customers`,
    served,
    throttled: () => throttled,
    records: (tenant) => Array.from({ length: options.pagesOf?.(tenant) ?? options.pages }, (_, index) => pageRecords(tenant, index + 1)).flat(),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
