import { RejectRouter } from '../../../src/pipeline/reject-router';
import { lastValueFrom, toArray } from 'rxjs';
import { silentLogger } from '../../../src/logger';
import { RunMetrics } from '../../../src/pipeline/run-metrics';
import { httpSource } from '../../../src/sources/http/http-source';
import { startConnectProxy } from '../../helpers/connect-proxy';
import { startFaultApiPerTest } from '../../helpers/fault-api';
import { createTestCa, type TestCa } from '../../helpers/test-ca';
import { startTokenEndpoint } from '../../helpers/token-endpoint';
import { fastRetry, runSource, runSourceError } from './run-source';

const TOKEN = 'tok_tls_4c8e1a9f';
const auth = { type: 'bearer' as const, token: TOKEN };
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

let ca: TestCa;
beforeAll(async () => {
  ca = await createTestCa();
});
afterAll(() => ca.remove());

// Each test sets the proxy variables it wants; none leaks into the next.
const savedEnv = { ...process.env };
afterEach(() => {
  for (const name of PROXY_VARIABLES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});
const useProxyEnv = (env: Record<string, string>) => {
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
};

describe('tls', () => {
  const start = startFaultApiPerTest();
  const ids = ['p1r0', 'p1r1', 'p2r0', 'p2r1'];

  it('an https API with a private CA fails without tls.ca, and is read with it', async () => {
    const api = await start({ pages: 2, tls: ca });
    const error = await runSourceError({ url: api.url, auth, retry: fastRetry });
    expect(error.message).toMatch(/^page 1 \(https:\/\/127\.0\.0\.1:\d+\/items\): request failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    const run = await runSource({ url: api.url, auth, tls: { ca: ca.caFile } });
    expect(run.records.map((record) => record.id)).toEqual(ids);
    expect(run.logs).toEqual([]);
  });

  it('tls.ca adds to NODE_EXTRA_CA_CERTS rather than replacing it', async () => {
    const other = await createTestCa();
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    try {
      const api = await start({ pages: 2, tls: ca });
      process.env.NODE_EXTRA_CA_CERTS = ca.caFile;
      const run = await runSource({ url: api.url, tls: { ca: other.caFile } });
      expect(run.records.map((record) => record.id)).toEqual(ids);
      delete process.env.NODE_EXTRA_CA_CERTS;
      const error = await runSourceError({ url: api.url, tls: { ca: other.caFile }, retry: fastRetry });
      expect(error.message).toMatch(/request failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
      await other.remove();
    }
  });

  it("a relative tls.ca resolves against the pipeline file's folder", async () => {
    const api = await start({ pages: 2, tls: ca });
    const config = httpSource.config.parse({ type: 'http', url: api.url, tls: { ca: 'ca.pem' } });
    const source = httpSource.create(config, { metrics: new RunMetrics(), logger: silentLogger, startedAt: new Date(), pipelineDir: ca.dir, rejects: new RejectRouter() });
    const records = await lastValueFrom(source({ metrics: new RunMetrics(), logger: silentLogger, demand: async () => {} }).pipe(toArray()));
    expect(records.map((record) => record.id)).toEqual(ids);
  });

  it('a missing or unusable CA file is a config error naming the file', async () => {
    const missing = await runSourceError({ url: 'https://127.0.0.1:9/items', tls: { ca: `${ca.dir}/nope.pem` } });
    expect(missing).toMatchObject({ name: 'ConfigError', exitCode: 2 });
    expect(missing.message).toBe(`http source: 1 problem\n  tls.ca: cannot read the CA file ${ca.dir}/nope.pem: ENOENT: no such file or directory, open '${ca.dir}/nope.pem'`);
    const notPem = await runSourceError({ url: 'https://127.0.0.1:9/items', tls: { ca: `${ca.dir}/server.ext` } });
    expect(notPem.message).toBe(`http source: 1 problem\n  tls.ca: the CA file ${ca.dir}/server.ext holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  });

  it('insecure: true reads the API without checking its certificate, warning at every run', async () => {
    const api = await start({ pages: 2, tls: ca });
    for (let run = 0; run < 2; run += 1) {
      const { records, logs } = await runSource({ url: api.url, auth, tls: { insecure: true } });
      expect(records.map((record) => record.id)).toEqual(ids);
      expect(logs).toEqual([
        {
          level: 'warn',
          message: `tls.insecure is on: certificates of ${api.origin} and of the token endpoint are not checked, so anyone on the network path can read and change the traffic, credentials included`,
          fields: undefined,
        },
      ]);
    }
  });
});

describe('proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)', () => {
  const start = startFaultApiPerTest();
  const ids = ['p1r0', 'p1r1', 'p2r0', 'p2r1'];
  const proxies: { close(): Promise<void> }[] = [];
  afterEach(() => Promise.all(proxies.splice(0).map((proxy) => proxy.close())));
  const startProxy = async (options?: Parameters<typeof startConnectProxy>[0]) => {
    const proxy = await startConnectProxy(options);
    proxies.push(proxy);
    return proxy;
  };

  it('tunnels https pages and the OAuth2 token request through a CONNECT proxy, with the private CA', async () => {
    const tokens = await startTokenEndpoint({ clientId: 'cid', clientSecret: 'csecret_9a8b7c', tls: ca });
    const api = await start({ pages: 2, tls: ca, fault: (request) => (tokens.accepts(request.headers.authorization) ? undefined : { status: 401 }) });
    const proxy = await startProxy();
    useProxyEnv({ HTTPS_PROXY: proxy.url });
    try {
      const run = await runSource({
        url: api.url,
        tls: { ca: ca.caFile },
        auth: { type: 'oauth2-client-credentials', tokenUrl: tokens.url, clientId: 'cid', clientSecret: 'csecret_9a8b7c' },
      });
      expect(run.records.map((record) => record.id)).toEqual(ids);
    } finally {
      await tokens.close();
    }
    const tunnels = proxy.requests.map((request) => `${request.method} ${request.target}`);
    expect(new Set(tunnels)).toEqual(new Set([`CONNECT ${new URL(tokens.url).host}`, `CONNECT ${new URL(api.url).host}`]));
    expect(api.requests).toHaveLength(2);
  });

  it('sends plain-http requests to HTTP_PROXY, and none through a proxy for a NO_PROXY host', async () => {
    const api = await start({ pages: 2 });
    const proxy = await startProxy();
    useProxyEnv({ HTTP_PROXY: proxy.url });
    expect((await runSource({ url: api.url, auth })).records.map((record) => record.id)).toEqual(ids);
    expect(proxy.requests.map((request) => `${request.method} ${request.target}`)).toEqual([`GET ${api.url}`, `GET ${api.url}?page=2`]);

    useProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    expect((await runSource({ url: api.url, auth })).records.map((record) => record.id)).toEqual(ids);
    expect(proxy.requests).toHaveLength(2);
  });

  it('a proxy that refuses CONNECT (403) is reported as a proxy error naming the proxy, without its password', async () => {
    const api = await start({ pages: 2, tls: ca });
    const proxy = await startProxy({ refuseWith: 403 });
    const proxyUrl = new URL(proxy.url);
    useProxyEnv({ HTTPS_PROXY: `http://squid-user:pr0xy-pa55@${proxyUrl.host}` });
    const error = await runSourceError({ url: api.url, auth, tls: { ca: ca.caFile }, retry: fastRetry });
    expect(error.message).toBe(
      `page 1 (${api.url}): the proxy http://${proxyUrl.host} refused to tunnel to 127.0.0.1:${new URL(api.url).port}: 403 Forbidden — check HTTPS_PROXY, NO_PROXY and what the proxy allows`,
    );
    expect(error.code).toBe('PF_HTTP_PROXY');
    expect(proxy.requests).toEqual([{ method: 'CONNECT', target: new URL(api.url).host, proxyAuthorization: `Basic ${Buffer.from('squid-user:pr0xy-pa55').toString('base64')}` }]);
    expect(api.requests).toHaveLength(0);
  });

  it('a proxy variable that is not a URL is a config error that does not print it', async () => {
    useProxyEnv({ HTTPS_PROXY: 'http://user:pa55w0rd@[proxy' });
    const error = await runSourceError({ url: 'https://127.0.0.1:9/items' });
    expect(error).toMatchObject({ name: 'ConfigError', exitCode: 2 });
    expect(error.message).toBe('environment: 1 problem\n  HTTPS_PROXY / HTTP_PROXY / ALL_PROXY: the proxy for https://127.0.0.1:9 is not a URL');
  });

  it('a proxy asking for credentials (407) says so', async () => {
    const api = await start({ pages: 2, tls: ca });
    const proxy = await startProxy({ refuseWith: 407 });
    useProxyEnv({ HTTPS_PROXY: proxy.url });
    const error = await runSourceError({ url: api.url, tls: { ca: ca.caFile } });
    expect(error.message).toMatch(/: the proxy http:\/\/127\.0\.0\.1:\d+ refused to tunnel to 127\.0\.0\.1:\d+: 407 Proxy Authentication Required — check the proxy credentials$/);
  });
});
