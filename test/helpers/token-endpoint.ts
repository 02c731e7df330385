import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface TokenEndpointOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** How clients must send their credentials (RFC 6749 §2.3.1). @default 'client_secret_basic' */
  readonly clientAuth?: 'client_secret_basic' | 'client_secret_post';
  /** `expires_in` of each token; its tokens are refused once it has run out. Undefined: no `expires_in`, tokens never expire. */
  readonly expiresInS?: number;
  /** When set, the scope a request must ask for. */
  readonly scope?: string;
  /** Answer the n-th token request (1 for the first) with this instead, e.g. an RFC 6749 §5.2 error body. */
  readonly fault?: (request: number) => { readonly status: number; readonly body: unknown } | undefined;
  /** Delay before each answer. @default 0 */
  readonly latencyMs?: number;
  /** Serve HTTPS with this certificate (see `createTestCa`). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** One token request as the endpoint saw it. */
export interface TokenRequest {
  readonly form: Readonly<Record<string, string>>;
  readonly authorization?: string;
  readonly at: number;
}

export interface TokenEndpoint {
  /** The token URL: `http(s)://127.0.0.1:<port>/oauth/token`. */
  readonly url: string;
  readonly requests: readonly TokenRequest[];
  /** Every access token issued, oldest first. */
  readonly issued: readonly string[];
  /** Whether an API should take this `Authorization` header: a Bearer token issued here, not expired, not revoked. */
  accepts(authorization: string | undefined): boolean;
  revoke(token: string): void;
  close(): Promise<void>;
}

const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

/** An OAuth2 authorization server on loopback that grants client credentials as RFC 6749 §4.4 says. */
export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  const { clientAuth = 'client_secret_basic' } = options;
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const expiresAt = new Map<string, number>();
  const revoked = new Set<string>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    requests.push({ form, authorization: request.headers.authorization, at: Date.now() });
    const answer = (status: number, body: unknown) =>
      setTimeout(() => {
        response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        response.end(JSON.stringify(body));
      }, options.latencyMs ?? 0);

    const fault = options.fault?.(requests.length);
    if (fault) return answer(fault.status, fault.body);
    if (request.method !== 'POST' || !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return answer(400, { error: 'invalid_request', error_description: 'POST a form' });
    }
    if (!clientAuthenticated(request.headers.authorization, form)) return answer(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    if (form.grant_type !== 'client_credentials') return answer(400, { error: 'unsupported_grant_type' });
    if (options.scope !== undefined && form.scope !== options.scope) return answer(400, { error: 'invalid_scope', error_description: `scope must be ${options.scope}` });
    const token = `at_${issued.length + 1}_${randomBytes(12).toString('hex')}`;
    issued.push(token);
    expiresAt.set(token, options.expiresInS === undefined ? Infinity : Date.now() + options.expiresInS * 1000);
    answer(200, { access_token: token, token_type: 'Bearer', ...(options.expiresInS === undefined ? {} : { expires_in: options.expiresInS }) });
  };
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);

  function clientAuthenticated(authorization: string | undefined, form: Record<string, string>): boolean {
    if (clientAuth === 'client_secret_post') return authorization === undefined && form.client_id === options.clientId && form.client_secret === options.clientSecret;
    const match = /^Basic (.+)$/.exec(authorization ?? '');
    if (!match || 'client_secret' in form) return false;
    const pair = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    return formDecode(pair.slice(0, colon)) === options.clientId && formDecode(pair.slice(colon + 1)) === options.clientSecret;
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`,
    requests,
    issued,
    accepts: (authorization) => {
      const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
      return token !== undefined && Date.now() < (expiresAt.get(token) ?? 0) && !revoked.has(token);
    },
    revoke: (token) => revoked.add(token),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
