import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { type ConnectProxy, startConnectProxy } from '../helpers/connect-proxy';
import { type FaultApi, startFaultApi } from '../helpers/fault-api';
import { runCli } from '../helpers/run-cli';
import { createTestCa, type TestCa } from '../helpers/test-ca';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';
import { startTokenEndpoint, type TokenEndpoint } from '../helpers/token-endpoint';

jest.setTimeout(30_000);

const CLIENT_ID = 'cli-client';
const CLIENT_SECRET = 'cli_s3cret+/=&key';

/** A secret in each form it could be printed in. */
const forms = (secret: string) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];

const pipeline = (apiUrl: string, tokenUrl: string) => `name: oauth-over-tls
source:
  type: http
  url: ${apiUrl}
  tls: { ca: certs/ca.pem }
  auth:
    type: oauth2-client-credentials
    tokenUrl: ${tokenUrl}
    clientId: \${CLIENT_ID}
    clientSecret: \${CLIENT_SECRET}
    clientAuth: client_secret_basic
sinks:
  - type: stdout
`;

describe('pageflow run: OAuth2 over HTTPS with a private CA, through a CONNECT proxy', () => {
  let ca: TestCa;
  let dir: TmpDir;
  let tokens: TokenEndpoint;
  let failing: TokenEndpoint;
  let api: FaultApi;
  let proxy: ConnectProxy;
  beforeAll(async () => {
    [ca, dir, proxy] = await Promise.all([createTestCa(), createTmpDir(), startConnectProxy()]);
    [tokens, failing] = await Promise.all([
      startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, expiresInS: 3600, tls: ca }),
      startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tls: ca, fault: () => ({ status: 400, body: { error: 'invalid_client', error_description: `client ${CLIENT_SECRET} is disabled` } }) }),
    ]);
    api = await startFaultApi({ pages: 3, tls: ca, fault: (request) => (tokens.accepts(request.headers.authorization) ? undefined : { status: 401, body: { message: `Unauthenticated: ${request.headers.authorization}` } }) });
    await mkdir(dir.resolve('certs'));
    await copyFile(ca.caFile, dir.resolve('certs', 'ca.pem'));
    await writeFile(dir.resolve('ok.yaml'), pipeline(api.url, tokens.url));
    await writeFile(dir.resolve('refused.yaml'), pipeline(api.url, failing.url));
  });
  afterAll(() => Promise.all([ca.remove(), dir.remove(), tokens.close(), failing.close(), api.close(), proxy.close()]));

  // DEBUG=* would make simple-oauth2 print the client credentials and the proxy agents the proxy URL.
  const env = () => ({ CLIENT_ID, CLIENT_SECRET, HTTPS_PROXY: proxy.url, DEBUG: '*' });

  it('exports every record, and no secret shows in stdout, stderr or the summary', async () => {
    const run = await runCli(['run', 'ok.yaml', '--log-format', 'json', '--verbose', '--summary-json', 'summary.json'], { cwd: dir.path, env: env() });
    expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 0, stderr: expect.any(String) });
    expect(run.stdout.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual(['p1r0', 'p1r1', 'p2r0', 'p2r1', 'p3r0', 'p3r1']);
    expect(new Set(proxy.requests.map((request) => request.method))).toEqual(new Set(['CONNECT']));
    expect(tokens.requests).toHaveLength(1);
    const printed = [run.stdout, run.stderr, await readFile(dir.resolve('summary.json'), 'utf8')].join('\n');
    const basicPair = `${CLIENT_ID}:${encodeURIComponent(CLIENT_SECRET)}`;
    for (const secret of [CLIENT_SECRET, basicPair, ...tokens.issued]) {
      for (const form of forms(secret)) expect(printed).not.toContain(form);
    }
  });

  it('a token endpoint error fails the run (exit 1) with its error and error_description, redacted', async () => {
    const run = await runCli(['run', 'refused.yaml'], { cwd: dir.path, env: env() });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`OAuth2 token request to ${failing.url} failed: HTTP 400 invalid_client: client *** is disabled — check the client credentials (auth.clientId/auth.clientSecret) and auth.clientAuth`);
    for (const form of forms(CLIENT_SECRET)) expect(run.stderr).not.toContain(form);
    expect(run.stdout).toBe('');
  });
});
