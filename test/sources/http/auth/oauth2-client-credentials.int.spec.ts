import http from 'node:http';
import { createAuthenticator } from '../../../../src/sources/http/auth/auth-types';
import { startFaultApiPerTest } from '../../../helpers/fault-api';
import { startTokenEndpoint, type TokenEndpoint, type TokenEndpointOptions } from '../../../helpers/token-endpoint';
import { fastRetry, runSource, runSourceError } from '../run-source';

const CLIENT_ID = 'pageflow-client';
const CLIENT_SECRET = 'cl_secret_8d1f4b2a';
const unauthorized = { status: 401, body: { message: 'Unauthenticated.' } };

describe('oauth2-client-credentials', () => {
  const start = startFaultApiPerTest();
  const endpoints: TokenEndpoint[] = [];
  afterEach(() => Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close())));
  const startTokens = async (options: Partial<TokenEndpointOptions> = {}) => {
    const endpoint = await startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
    endpoints.push(endpoint);
    return endpoint;
  };
  const auth = (tokens: TokenEndpoint) => ({ type: 'oauth2-client-credentials' as const, tokenUrl: tokens.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const ids = (pages: number) => Array.from({ length: pages * 2 }, (_, index) => `p${Math.floor(index / 2) + 1}r${index % 2}`);

  it('renews a token shortly before expires_in runs out: no page ever meets an expired token', async () => {
    const tokens = await startTokens({ expiresInS: 1 });
    const answers: number[] = [];
    const api = await start({
      pages: 8,
      latencyMs: 200,
      fault: (request) => {
        const accepted = tokens.accepts(request.headers.authorization);
        answers.push(accepted ? 200 : 401);
        return accepted ? undefined : unauthorized;
      },
    });
    const run = await runSource({ url: api.url, auth: auth(tokens) });
    expect(run.records.map((record) => record.id)).toEqual(ids(8));
    expect(answers).toEqual(Array(8).fill(200));
    // 8 pages at 200 ms outlive a 1 s token at least once; each token is renewed with a quarter of its life left.
    expect(tokens.requests.length).toBeGreaterThanOrEqual(2);
    expect(tokens.requests.length).toBeLessThanOrEqual(4);
    expect(new Set(api.requests.map((request) => request.headers.authorization)).size).toBe(tokens.requests.length);
  });

  it('after a 401 on a token the server revoked, renews it once and retries the page', async () => {
    const tokens = await startTokens({ expiresInS: 3600 });
    const api = await start({
      pages: 4,
      fault: (request) => {
        if (request.page === 3 && request.attempt === 1) tokens.revoke(tokens.issued[0]);
        return tokens.accepts(request.headers.authorization) ? undefined : unauthorized;
      },
    });
    const run = await runSource({ url: api.url, auth: auth(tokens) });
    expect(run.records.map((record) => record.id)).toEqual(ids(4));
    expect(tokens.requests).toHaveLength(2);
    expect(api.requests.map((request) => [request.page, request.headers.authorization])).toEqual([
      [1, `Bearer ${tokens.issued[0]}`],
      [2, `Bearer ${tokens.issued[0]}`],
      [3, `Bearer ${tokens.issued[0]}`],
      [3, `Bearer ${tokens.issued[1]}`],
      [4, `Bearer ${tokens.issued[1]}`],
    ]);
    expect(run.metrics.retries).toBe(0);
  });

  it('requests in flight together that all get a 401 share one renewal', async () => {
    const tokens = await startTokens();
    const api = await start({
      pages: 8,
      latencyMs: 30,
      fault: (request) => {
        if (request.page === 3 && request.attempt === 1) tokens.revoke(tokens.issued[0]);
        return tokens.accepts(request.headers.authorization) ? undefined : unauthorized;
      },
    });
    const run = await runSource({ url: api.url, auth: auth(tokens), concurrency: 4 });
    expect(run.records.map((record) => record.id)).toEqual(ids(8));
    expect(tokens.requests).toHaveLength(2);
    const refused = api.requests.filter((request) => request.headers.authorization === `Bearer ${tokens.issued[0]}` && request.page >= 3);
    expect(refused.length).toBeGreaterThan(1); // several were in flight with the revoked token
  });

  it('a 401 to a freshly renewed token is final: the run fails naming what to check, after one renewal', async () => {
    const tokens = await startTokens();
    const api = await start({ pages: 3, fault: () => unauthorized });
    const error = await runSourceError({ url: api.url, auth: auth(tokens), retry: fastRetry });
    expect(error.message).toBe(`page 1 (${api.url}): HTTP 401 Unauthenticated. — check the client credentials (auth.clientId/auth.clientSecret) and auth.scope`);
    expect(tokens.requests).toHaveLength(2);
    expect(api.requests).toHaveLength(2);
  });

  it('a token endpoint that answers an error fails the run with its error and error_description, on one line, redacted', async () => {
    const tokens = await startTokens({ fault: () => ({ status: 401, body: { error: 'invalid_client', error_description: `Unknown client\n\u001b[2Jsecret ${CLIENT_SECRET} rejected` } }) });
    const api = await start({ pages: 2 });
    const error = await runSourceError({ url: api.url, auth: auth(tokens), retry: fastRetry });
    expect(error.message).toBe(
      `OAuth2 token request to ${tokens.url} failed: HTTP 401 invalid_client: Unknown client  [2Jsecret *** rejected — check the client credentials (auth.clientId/auth.clientSecret) and auth.clientAuth`,
    );
    expect(error.code).toBe('PF_AUTH_TOKEN');
    expect(tokens.requests).toHaveLength(1);
    expect(api.requests).toHaveLength(0);
  });

  it('names a refused scope', async () => {
    const tokens = await startTokens({ scope: 'customers.read' });
    const error = await runSourceError({ url: 'http://127.0.0.1:9/items', auth: { ...auth(tokens), scope: 'customers.write' } });
    expect(error.message).toBe(`OAuth2 token request to ${tokens.url} failed: HTTP 400 invalid_scope: scope must be customers.read — check auth.scope`);
  });

  it('retries a token endpoint that answers 503 like a page, then goes on', async () => {
    const tokens = await startTokens({ fault: (request) => (request === 1 ? { status: 503, body: { error: 'temporarily_unavailable' } } : undefined) });
    const api = await start({ pages: 2, fault: (request) => (tokens.accepts(request.headers.authorization) ? undefined : unauthorized) });
    const run = await runSource({ url: api.url, auth: auth(tokens), retry: fastRetry });
    expect(run.records.map((record) => record.id)).toEqual(ids(2));
    expect(tokens.requests).toHaveLength(2);
    expect(run.logs.map((line) => line.message)).toEqual([expect.stringMatching(/^OAuth2 token request to .* failed: HTTP 503 temporarily_unavailable: retry 1 of 2 in \d+ms$/)]);
  });

  it('never prints the client secret or a token, and keeps them out of the page URLs', async () => {
    const tokens = await startTokens({ expiresInS: 1 });
    const api = await start({
      pages: 2,
      fault: (request) => (request.page === 2 ? { status: 403, body: { message: `token ${request.headers.authorization} may not read this` } } : undefined),
    });
    const error = await runSourceError({ url: api.url, auth: auth(tokens) });
    expect(error.message).toBe(`page 2 (${api.origin}/items?page=2): HTTP 403 token Bearer *** may not read this — check the permissions of the client credentials (auth.clientId/auth.clientSecret) and auth.scope`);
  });

  describe('the authenticator', () => {
    const deps = { logger: { log: () => {} }, onSecret: () => {}, agentFor: () => new http.Agent(), timeoutMs: 5000 };

    it('shares one token request among concurrent authorize calls; one that is cancelled gives up alone', async () => {
      const tokens = await startTokens({ latencyMs: 50 });
      const authenticator = createAuthenticator({ ...auth(tokens), clientAuth: 'client_secret_basic' }, deps);
      const cancelled = new AbortController();
      const waiting = [authenticator.authorize(), authenticator.authorize(cancelled.signal), authenticator.authorize(), authenticator.authorize()];
      cancelled.abort(new Error('page no longer wanted'));
      const results = await Promise.allSettled(waiting);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const headers = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.headers?.Authorization] : []));
      expect(headers).toEqual(Array(3).fill(`Bearer ${tokens.issued[0]}`));
      expect(tokens.requests).toHaveLength(1);
      expect(await authenticator.authorize()).toEqual({ headers: { Authorization: `Bearer ${tokens.issued[0]}` } });
      expect(tokens.requests).toHaveLength(1);
    });

    it('reports every token it gets as a secret', async () => {
      const tokens = await startTokens({ clientAuth: 'client_secret_post' });
      const learnt: string[] = [];
      const authenticator = createAuthenticator({ ...auth(tokens), clientAuth: 'client_secret_post' }, { ...deps, onSecret: (secret) => learnt.push(secret) });
      const first = await authenticator.authorize();
      expect(await authenticator.unauthorized?.(first)).toBe(true);
      await authenticator.authorize();
      expect(learnt).toEqual(tokens.issued);
      expect(tokens.issued).toHaveLength(2);
      // A 401 to the token already replaced does not renew it again.
      expect(await authenticator.unauthorized?.(first)).toBe(true);
      expect(tokens.issued).toHaveLength(2);
    });
  });
});
