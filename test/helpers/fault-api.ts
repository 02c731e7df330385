import { once } from 'node:events';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request as the fault API saw it. */
export interface SeenRequest {
  readonly url: URL;
  /** The `page` query parameter (1 when absent). */
  readonly page: number;
  readonly headers: IncomingHttpHeaders;
  /** 1 for the first request for this page, 2 for its first retry… */
  readonly attempt: number;
  /** When it arrived (`Date.now()`). */
  readonly at: number;
}

/** What to answer instead of the normal page. */
export type Fault =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly raw: string }
  | { readonly drop: true }
  | { readonly stall: true };

export interface FaultApiOptions {
  /** Pages of records; page n holds records `{ id: 'p<n>r<i>', page: n }`. */
  readonly pages: number;
  readonly perPage?: number;
  /** Delay before every answer. @default 0 */
  readonly latencyMs?: number;
  /** Return a fault to answer it instead of the page, or undefined for the normal page. */
  readonly fault?: (request: SeenRequest) => Fault | undefined;
  /** The page's next link; by default `<origin>/items?page=n+1` up to the last page. */
  readonly nextLink?: (page: number, origin: string) => string | null;
  /** Headers added to every normal page. */
  readonly headers?: (request: SeenRequest) => Readonly<Record<string, string>> | undefined;
  /** Records on a page; by default `perPage` of them. */
  readonly records?: (page: number) => number;
  /** Serve HTTPS with this certificate (see `createTestCa`) instead of HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface FaultApi {
  readonly origin: string;
  /** The first page: `<origin>/items`. */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Most requests the server was answering at once. */
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

/** A Laravel-like paginated API on loopback that injects the faults a test asks for. */
export async function startFaultApi(options: FaultApiOptions): Promise<FaultApi> {
  const requests: SeenRequest[] = [];
  const attempts = new Map<number, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', `${options.tls ? 'https' : 'http'}://${request.headers.host}`);
    const page = Number(url.searchParams.get('page') ?? 1);
    const attempt = (attempts.get(page) ?? 0) + 1;
    attempts.set(page, attempt);
    const seen: SeenRequest = { url, page, headers: request.headers, attempt, at: Date.now() };
    requests.push(seen);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on('close', () => (inFlight -= 1));
    const answer = () => respond(response, seen, url.origin, options);
    if (options.latencyMs) setTimeout(answer, options.latencyMs);
    else setImmediate(answer);
  };
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    origin,
    url: `${origin}/items`,
    requests,
    maxInFlight: () => maxInFlight,
    close: async () => {
      if (!server.listening) return;
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function respond(response: ServerResponse, request: SeenRequest, origin: string, options: FaultApiOptions): void {
  const fault = options.fault?.(request);
  if (fault && 'drop' in fault) return void response.socket?.destroy();
  if (fault && 'stall' in fault) {
    // Headers and a trickle of bytes: the socket never idles, so only a hard deadline ends it.
    response.writeHead(200, { 'content-type': 'application/json' });
    const trickle = setInterval(() => response.write(' '), 10);
    response.on('close', () => clearInterval(trickle));
    return;
  }
  if (fault && 'raw' in fault) {
    response.writeHead(200, { 'content-type': 'application/json' });
    return void response.end(fault.raw);
  }
  if (fault) {
    response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
    return void response.end(JSON.stringify(fault.body ?? {}));
  }
  const { page } = request;
  const count = page >= 1 && page <= options.pages ? (options.records?.(page) ?? options.perPage ?? 2) : 0;
  const data = Array.from({ length: count }, (_, index) => ({ id: `p${page}r${index}`, page }));
  const next = options.nextLink ? options.nextLink(page, origin) : page < options.pages ? `${origin}/items?page=${page + 1}` : null;
  response.writeHead(200, { 'content-type': 'application/json', ...options.headers?.(request) });
  response.end(JSON.stringify({ current_page: page, data, next_page_url: next }));
}

/** For a test file: a function that starts fault APIs, each closed after the test that started it. */
export function startFaultApiPerTest(): (options: FaultApiOptions) => Promise<FaultApi> {
  const running: FaultApi[] = [];
  afterEach(() => Promise.all(running.splice(0).map((api) => api.close())));
  return async (options) => {
    const api = await startFaultApi(options);
    running.push(api);
    return api;
  };
}
