import type { IncomingHttpHeaders } from 'node:http';
import type { AuthConfig } from '../../../../src/sources/http/auth/auth-types';
import { type SeenRequest, startFaultApiPerTest } from '../../../helpers/fault-api';
import { startTokenEndpoint, type TokenEndpoint } from '../../../helpers/token-endpoint';
import { fastRetry, runSource, runSourceError } from '../run-source';

const USER = 'export-bot';
const PASSWORD = 'pa55:w0rd/ü+';
const KEY = 'key_live_5f2e9a7c31';
const CLIENT_ID = 'pageflow-client';
const CLIENT_SECRET = 's3cr3t!(client)*';

const unauthorized = { status: 401, body: { message: 'Unauthenticated.' } };
const basicUser = (headers: IncomingHttpHeaders) => {
  const match = /^Basic (.+)$/.exec(headers.authorization ?? '');
  return match ? Buffer.from(match[1], 'base64').toString('utf8') : undefined;
};

describe('auth types end to end: the API checks the credentials', () => {
  const start = startFaultApiPerTest();
  const endpoints: TokenEndpoint[] = [];
  afterEach(() => Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close())));
  const ids = (pages: number) => Array.from({ length: pages * 2 }, (_, index) => `p${Math.floor(index / 2) + 1}r${index % 2}`);

  it('basic: sends `Authorization: Basic` with the UTF-8 user:password', async () => {
    const api = await start({ pages: 3, fault: (request) => (basicUser(request.headers) === `${USER}:${PASSWORD}` ? undefined : unauthorized) });
    const run = await runSource({ url: api.url, auth: { type: 'basic', username: USER, password: PASSWORD } });
    expect(run.records.map((record) => record.id)).toEqual(ids(3));
    expect(api.requests).toHaveLength(3);
  });

  it('basic: a 401 names the user name and password to check, without printing them', async () => {
    const api = await start({ pages: 3, fault: () => ({ status: 401, body: { message: `Bad credentials ${USER}:${PASSWORD}` } }) });
    const error = await runSourceError({ url: api.url, auth: { type: 'basic', username: USER, password: PASSWORD }, retry: fastRetry });
    expect(error.message).toBe(`page 1 (${api.url}): HTTP 401 Bad credentials *** — check the user name and password (auth.username/auth.password)`);
  });

  it('api-key in a header', async () => {
    const api = await start({ pages: 2, fault: (request) => (request.headers['x-api-key'] === KEY ? undefined : unauthorized) });
    const run = await runSource({ url: api.url, auth: { type: 'api-key', name: 'X-Api-Key', value: KEY } });
    expect(run.records.map((record) => record.id)).toEqual(ids(2));
  });

  it('api-key in the query: on every request, in no printed URL', async () => {
    const api = await start({ pages: 3, fault: (request) => (request.url.searchParams.get('api_key') === KEY ? undefined : { status: 403, body: { message: 'Invalid key' } }) });
    const run = await runSource({ url: api.url, auth: { type: 'api-key', name: 'api_key', value: KEY, in: 'query' } });
    expect(run.records.map((record) => record.id)).toEqual(ids(3));
    expect(api.requests.map((request) => request.url.searchParams.get('page'))).toEqual([null, '2', '3']);

    const failing = await start({ pages: 3, fault: (request) => (request.page === 2 ? { status: 403, body: { message: 'Invalid key' } } : undefined) });
    const error = await runSourceError({ url: failing.url, auth: { type: 'api-key', name: 'api_key', value: KEY, in: 'query' } });
    expect(error.message).toBe(`page 2 (${failing.origin}/items?page=2): HTTP 403 Invalid key — check the permissions of the API key (auth.value, sent as query parameter api_key)`);
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)('oauth2-client-credentials (%s): one token request, the token on every page', async (clientAuth) => {
    const tokens = await startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clientAuth, scope: 'customers.read', expiresInS: 3600 });
    endpoints.push(tokens);
    const api = await start({ pages: 4, fault: (request) => (tokens.accepts(request.headers.authorization) ? undefined : unauthorized) });
    const run = await runSource({ url: api.url, concurrency: 3, auth: { type: 'oauth2-client-credentials', tokenUrl: tokens.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scope: 'customers.read', clientAuth } });
    expect(run.records.map((record) => record.id)).toEqual(ids(4));
    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests[0].form).toMatchObject({ grant_type: 'client_credentials', scope: 'customers.read' });
    expect(new Set(api.requests.map((request) => request.headers.authorization))).toEqual(new Set([`Bearer ${tokens.issued[0]}`]));
  });
});

describe('credentials never go to another origin', () => {
  const start = startFaultApiPerTest();
  let tokens: TokenEndpoint;
  beforeAll(async () => {
    tokens = await startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  });
  afterAll(() => tokens.close());

  const cases: { name: string; auth: () => AuthConfig; secrets: () => string[] }[] = [
    { name: 'bearer', auth: () => ({ type: 'bearer', token: 'tok_never_elsewhere' }), secrets: () => ['tok_never_elsewhere'] },
    { name: 'basic', auth: () => ({ type: 'basic', username: USER, password: PASSWORD }), secrets: () => [Buffer.from(`${USER}:${PASSWORD}`).toString('base64')] },
    { name: 'api-key (header)', auth: () => ({ type: 'api-key', name: 'X-Api-Key', value: KEY, in: 'header' }), secrets: () => [KEY] },
    { name: 'api-key (query)', auth: () => ({ type: 'api-key', name: 'api_key', value: KEY, in: 'query' }), secrets: () => [KEY] },
    {
      name: 'oauth2-client-credentials',
      auth: () => ({ type: 'oauth2-client-credentials', tokenUrl: tokens.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clientAuth: 'client_secret_basic' }),
      secrets: () => [...tokens.issued],
    },
  ];

  it.each(cases)('$name: a cross-origin next link (allowCrossOrigin) is fetched without them', async ({ auth, secrets }) => {
    const elsewhere = await start({ pages: 2, nextLink: () => null });
    const home = await start({ pages: 2, nextLink: (page, origin) => (page === 1 ? `${origin}/items?page=2` : `${elsewhere.url}?page=2`) });
    const run = await runSource({ url: home.url, auth: auth(), allowCrossOrigin: true });
    expect(run.records.map((record) => record.id)).toEqual(['p1r0', 'p1r1', 'p2r0', 'p2r1', 'p2r0', 'p2r1']);
    expect(elsewhere.requests).toHaveLength(1);
    const seen = (request: SeenRequest) => JSON.stringify({ url: request.url.href, headers: request.headers });
    const homeSeen = home.requests.map(seen).join('\n');
    const awaySeen = elsewhere.requests.map(seen).join('\n');
    expect(secrets().length).toBeGreaterThan(0);
    for (const secret of secrets()) {
      expect(homeSeen).toContain(secret); // the check below could fail
      expect(awaySeen).not.toContain(secret);
    }
    expect(elsewhere.requests[0].headers.authorization).toBeUndefined();
  });
});
