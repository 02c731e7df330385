import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SourceError } from '../../../src/errors/source-error';
import { silentLogger } from '../../../src/logger';
import { fetchPage, type PageReading } from '../../../src/sources/http/fetch-page';
import { createHttpClients, type HttpClients } from '../../../src/sources/http/http-clients';

/** Canned answers by path, sent asynchronously as a real server does. */
const answers: Record<string, { status?: number; body: string }> = {};
let server: http.Server;
let base: string;
let clients: HttpClients;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const answer = answers[new URL(request.url ?? '/', 'http://x').pathname] ?? { status: 404, body: '{"message":"Not Found"}' };
    setImmediate(() => {
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      response.end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  clients = createHttpClients({ origin: base, timeoutMs: 5000, maxResponseBytes: 1_000_000, logger: silentLogger });
});

afterAll(async () => {
  clients.destroy();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const reading: PageReading = { recordsPath: 'data', nextPath: 'next_page_url', params: { per_page: 2 }, secrets: ['s3cr3t-api-key'] };
const page = (path: string, body: unknown, status = 200) => {
  answers[path] = { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
  return `${base}${path}`;
};
const fetch = (url: string, index = 1, options: PageReading = reading) => fetchPage(clients.clientFor(url), { index, url }, options);

describe('fetchPage', () => {
  it('reads the records and the cleaned next link, with lost params put back', async () => {
    const url = page('/ok', { current_page: 1, data: [{ id: 1 }, { id: 2 }], next_page_url: `${base}/ok?page=2,` });
    await expect(fetch(`${url}?page=1&per_page=2`)).resolves.toEqual({
      index: 1,
      url: `${url}?page=1&per_page=2`,
      records: [{ id: 1 }, { id: 2 }],
      next: `${base}/ok?page=2&per_page=2`,
    });
  });

  it('has no next page when next_page_url is null', async () => {
    const url = page('/last', { current_page: 3, data: [{ id: 5 }], next_page_url: null });
    await expect(fetch(`${url}?page=3`, 3)).resolves.toMatchObject({ records: [{ id: 5 }], next: undefined });
  });

  it('reads records and the next link at configured paths', async () => {
    const url = page('/nested', { items: { list: [{ id: 'a' }] }, links: { next: '/nested?cursor=abc' } });
    await expect(fetch(url, 1, { ...reading, recordsPath: 'items.list', nextPath: 'links.next', params: {} })).resolves.toMatchObject({
      records: [{ id: 'a' }],
      next: `${base}/nested?cursor=abc`,
    });
  });

  it('fails when the server answered another page than the one asked for (Laravel serves page 1 for page=2,)', async () => {
    const url = page('/wrong-page', { current_page: 1, data: [{ id: 1 }], next_page_url: `${base}/wrong-page?page=2,` });
    const failure = fetch(`${url}?page=2`, 2);
    await expect(failure).rejects.toBeInstanceOf(SourceError);
    await expect(failure).rejects.toThrow(`page 2 (${url}?page=2): asked for page=2 but the server answered current_page 1`);
  });

  it('fails on a body that is not JSON, quoting its start', async () => {
    const url = page('/html', '<!DOCTYPE html><html><body>Login</body></html>');
    await expect(fetch(url)).rejects.toThrow(`page 1 (${url}): response is not JSON (starts with "<!DOCTYPE html><html><body>Login</body><")`);
  });

  it('fails when the records are not an array', async () => {
    const url = page('/no-data', { current_page: 1, next_page_url: null });
    await expect(fetch(url)).rejects.toThrow(`page 1 (${url}): expected an array of records at "data", got undefined`);
  });

  it('fails on a next link that is not a string', async () => {
    const url = page('/bad-next', { data: [], next_page_url: 2 });
    await expect(fetch(url)).rejects.toThrow(/unusable next link at "next_page_url": expected the next link to be a string or null/);
  });

  it('fails on an HTTP error status with the server’s message, as a one-line error with the status', async () => {
    const url = page('/broken', { message: 'Server Error' }, 500);
    const failure = fetch(`${url}?page=4`, 4);
    await expect(failure).rejects.toMatchObject({ details: { status: 500 } });
    await expect(failure).rejects.toThrow(/^page 4 \(http:\/\/127\.0\.0\.1:\d+\/broken\?page=4\): HTTP 500 Server Error$/);
  });

  it('never puts a secret query parameter in its messages', async () => {
    const url = page('/secret', { message: 'Unauthenticated.' }, 401);
    const failure = fetch(`${url}?api_key=s3cr3t-api-key&page=1`);
    await expect(failure).rejects.toThrow(`page 1 (${url}?api_key=***&page=1): HTTP 401 Unauthenticated.`);
    const error = (await failure.then(
      () => undefined,
      (caught: unknown) => caught,
    )) as SourceError;
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain('s3cr3t-api-key');
  });
});
