import { silentLogger } from '../../../src/logger';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redactor } from '../../../src/errors/redact';
import { SourceError } from '../../../src/errors/source-error';
import { fetchPage, type FetchOptions } from '../../../src/sources/http/fetch-page';
import { createHttpClients, type HttpClients } from '../../../src/sources/http/http-clients';

/** Canned answers by path, sent asynchronously as a real server does. */
const answers: Record<string, { status?: number; body: string; headers?: Record<string, string> }> = {};
let server: http.Server;
let base: string;
let clients: HttpClients;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const answer = answers[new URL(request.url ?? '/', 'http://x').pathname] ?? { status: 404, body: '{"message":"Not Found"}' };
    setImmediate(() => {
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  clients = createHttpClients({ origin: base, timeoutMs: 5000, logger: silentLogger });
});

afterAll(async () => {
  clients.destroy();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const options: FetchOptions = { timeoutMs: 5000, maxResponseBytes: 1_000_000, redactor: new Redactor(['s3cr3t-api-key']), authHint: 'the token (auth.token)' };
const page = (path: string, body: unknown, status = 200, headers?: Record<string, string>) => {
  answers[path] = { status, body: typeof body === 'string' ? body : JSON.stringify(body), headers };
  return `${base}${path}`;
};
const fetch = (url: string, index = 1, fetchOptions: FetchOptions = options) => fetchPage(clients.clientFor(url), { index, url, position: {} }, fetchOptions);
const failure = async (promise: Promise<unknown>): Promise<SourceError> => {
  try {
    await promise;
  } catch (error) {
    return error as SourceError;
  }
  throw new Error('expected a failure');
};

describe('fetchPage', () => {
  it('returns a 2xx answer with its body decoded as UTF-8 and its size in bytes', async () => {
    const url = page('/ok', '{"data":["caf\u00e9"]}');
    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"data":["café"]}');
    expect(answer.bytes).toBe(18);
    expect(answer.invalidUtf8).toBe(false);
  });

  it('fails on an HTTP error status with the server’s message, as a one-line error with the status', async () => {
    const url = page('/broken', { message: 'Server Error' }, 500);
    const error = await failure(fetch(`${url}?page=4`, 4));
    expect(error.details.status).toBe(500);
    expect(error.message).toMatch(/^page 4 \(http:\/\/127\.0\.0\.1:\d+\/broken\?page=4\): HTTP 500 Server Error$/);
  });

  it('never puts a secret query parameter in its messages', async () => {
    const url = page('/secret', { message: 'Unauthenticated.' }, 401);
    const error = await failure(fetch(`${url}?api_key=s3cr3t-api-key&page=1`));
    expect(error.message).toBe(`page 1 (${url}?api_key=***&page=1): HTTP 401 Unauthenticated. — check the token (auth.token)`);
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain('s3cr3t-api-key');
  });

  it.each([
    { status: 401, hint: 'the token (auth.token)', expected: ' — check the token (auth.token)' },
    { status: 403, hint: 'the token (auth.token)', expected: ' — check the permissions of the token (auth.token)' },
    { status: 401, hint: undefined, expected: ' — the API wants credentials: add `auth` to the source' },
    { status: 403, hint: undefined, expected: ' — access denied; if the API needs credentials, add `auth` to the source' },
  ])('hints at the configured auth on a $status (auth hint: $hint)', async ({ status, hint, expected }) => {
    const url = page(`/denied-${status}`, { message: 'No.' }, status);
    const error = await failure(fetch(url, 1, { ...options, authHint: hint }));
    expect(error.message).toBe(`page 1 (${url}): HTTP ${status} No.${expected}`);
  });

  it('says where a redirect points (redacted) and that redirects are not followed', async () => {
    const url = page('/moved', '', 302, { location: 'https://svc:pw@elsewhere.example/login?next=%2F&access_token=abc123def' });
    const error = await failure(fetch(url));
    expect(error.message).toBe(`page 1 (${url}): HTTP 302 Found — redirects are not followed: it points to https://elsewhere.example/login?next=%2F&access_token=***`);
    expect(error.details.status).toBe(302);
  });

  it('escapes control characters in the server’s message and cuts a long one', async () => {
    const url = page('/hostile', { message: `forged\nerror: all good\u001b]0;pwned\u0007${'x'.repeat(5000)}` }, 500);
    const error = await failure(fetch(url));
    expect(error.message).toMatch(/^page 1 \(.*\): HTTP 500 forged\\nerror: all good\\u001b\]0;pwned\\u0007x+… \(5032 characters\)$/);
    expect(error.message.length).toBeLessThan(500);
  });

  it('fails with a timeout when the server does not answer in time', async () => {
    const slow = http.createServer(() => {});
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/items`;
    const error = await failure(fetch(url, 1, { ...options, timeoutMs: 50 }));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe('PF_HTTP_TIMEOUT');
    expect(error.message).toBe(`page 1 (${url}): no complete answer within 50ms`);
    slow.closeAllConnections();
    slow.close();
  });
});
