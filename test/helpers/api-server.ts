import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a shape answers to one request: a JSON body by default, or raw bytes. */
export interface Answer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly raw?: string | Buffer;
}

/** An API shape: the answer to a request for `url` (absolute, with the server's origin). Pure, so tests can also call it without a server. */
export type Shape = (url: URL, headers: IncomingHttpHeaders) => Answer;

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Every request, in arrival order. */
  readonly requests: URL[];
  /** Most requests being answered at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/** Serves a shape on loopback (port 0), answering each request after `latencyMs` (or a macrotask), recording them all. */
export async function startApiServer(shape: Shape, { latencyMs = 0 }: { latencyMs?: number } = {}): Promise<ApiServer> {
  const requests: URL[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    requests.push(url);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on('close', () => (inFlight -= 1));
    const answer = () => {
      const { status = 200, headers, body, raw } = shape(url, request.headers);
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(raw ?? (body === undefined ? '' : JSON.stringify(body)));
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else setImmediate(answer);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
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

/** For a test file: starts API servers, each closed after the test that started it. */
export function startApiServerPerTest(): typeof startApiServer {
  const running: ApiServer[] = [];
  afterEach(() => Promise.all(running.splice(0).map((api) => api.close())));
  return async (shape, options) => {
    const api = await startApiServer(shape, options);
    running.push(api);
    return api;
  };
}

/** `n` records `{ id, name }`, numbered from 1. */
export const numberedRecords = (n: number): Array<{ id: number; name: string }> => Array.from({ length: n }, (_, index) => ({ id: index + 1, name: `Customer ${index + 1}` }));

/** A query parameter as a whole number ≥ `min`, else `fallback` (as Laravel and most APIs read them). */
export function intParam(url: URL, name: string, fallback: number, min = 1): number {
  const text = url.searchParams.get(name);
  return text !== null && /^\d+$/.test(text) && Number(text) >= min ? Number(text) : fallback;
}
