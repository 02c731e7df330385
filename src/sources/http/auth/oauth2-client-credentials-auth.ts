import { STATUS_CODES } from 'node:http';
import type * as SimpleOauth2 from 'simple-oauth2';
import { z } from 'zod';
import { redact } from '../../../errors/redact';
import { SourceError } from '../../../errors/source-error';
import { NETWORK_CODES } from '../fetch-page';
import { PROXY_REFUSED } from '../http-clients';
import { HttpErrorCode, HttpStatusError } from '../http-errors';
import { serverWaitMs } from '../server-wait';
import { type Credentials, credentialKey, defineAuth } from './authenticator';

/** `code` of a token request the endpoint refused (bad client credentials, scope): not retried. */
export const TOKEN_REFUSED = 'PF_AUTH_TOKEN';

// What simple-oauth2 accepts in a client id or secret (RFC 6749 appendix A); checked here so that its
// own error, which would quote the value, never fires.
const VSCHAR = /^[\x20-\x7E]+$/;
// A token is renewed when this share of its lifetime is left, at most a minute before it runs out.
const RENEW_SHARE = 0.25;
const MAX_RENEW_MARGIN_MS = 60_000;
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

const config = z
  .strictObject({
    type: z.literal('oauth2-client-credentials'),
    tokenUrl: z.url({ protocol: /^https?$/ }).meta({ description: "The authorization server's token endpoint.", examples: ['https://auth.example.com/oauth/token'] }),
    clientId: z
      .string()
      .regex(VSCHAR, 'the client id is empty or holds characters other than printable ASCII')
      .meta({ description: 'The client id; put it in the environment: `${CLIENT_ID}`.' }),
    clientSecret: z
      .string()
      .regex(VSCHAR, 'the client secret is empty or holds characters other than printable ASCII: set it from the environment, e.g. ${CLIENT_SECRET}')
      .meta({ description: 'The client secret; put it in the environment: `${CLIENT_SECRET}`.' }),
    scope: z.string().min(1).optional().meta({ description: 'Scopes to ask for, separated by spaces.', examples: ['customers.read'] }),
    clientAuth: z
      .enum(['client_secret_basic', 'client_secret_post'])
      .default('client_secret_basic')
      .meta({ description: 'How the token request carries the client credentials: an `Authorization: Basic` header, or `client_id`/`client_secret` form fields.' }),
  })
  .meta({
    description:
      'OAuth2 client credentials grant: fetches a token before the first page, sends `Authorization: Bearer <token>`, renews it shortly before `expires_in` runs out and once after a 401.',
  });

type OAuthConfig = z.output<typeof config>;

/** The form-encoded `id:secret` that `client_secret_basic` base64-encodes (RFC 6749 §2.3.1), as simple-oauth2 builds it. */
function basicPair({ clientId, clientSecret }: OAuthConfig): string {
  const encode = (value: string) =>
    encodeURIComponent(value)
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${encode(clientId)}:${encode(clientSecret)}`;
}

interface Token {
  readonly credentials: Credentials;
  /** When to fetch a new one (epoch ms); never when the endpoint gave no `expires_in`. */
  readonly renewAt: number;
}

export const oauth2ClientCredentialsAuth = defineAuth({
  type: 'oauth2-client-credentials',
  config,
  // The form-encoded pair too: its base64 form is what a Basic header would show.
  secrets: (options) => [basicPair(options), options.clientSecret],
  create: (options, deps) => {
    const secrets = [basicPair(options), options.clientSecret];
    const endpoint = new URL(options.tokenUrl);
    // Loaded when an OAuth2 source starts: simple-oauth2 (with joi) would cost every other run's start-up.
    const { ClientCredentials }: typeof SimpleOauth2 = require('simple-oauth2');
    const client = new ClientCredentials({
      client: { id: options.clientId, secret: options.clientSecret },
      auth: { tokenHost: endpoint.origin, tokenPath: `${endpoint.pathname}${endpoint.search}` },
      options: { authorizationMethod: options.clientAuth === 'client_secret_basic' ? 'header' : 'body' },
      // Through the run's proxy and CA, like the pages.
      http: { agent: deps.agentFor(options.tokenUrl), timeout: deps.timeoutMs, maxBytes: MAX_TOKEN_RESPONSE_BYTES },
    });
    const url = redact(`${endpoint.origin}${endpoint.pathname}`, secrets);
    const where = `OAuth2 token request to ${url}`;

    const requestToken = async (): Promise<Token> => {
      const asked = Date.now();
      let answer: Record<string, unknown>;
      try {
        answer = (await client.getToken(options.scope === undefined ? {} : { scope: options.scope })).token;
      } catch (error) {
        throw tokenError(error, { where, url, secrets });
      }
      const token = readToken(answer, where);
      secrets.push(token.accessToken);
      deps.onSecret(token.accessToken);
      const lifetimeMs = token.expiresInS === undefined ? Infinity : token.expiresInS * 1000;
      return {
        credentials: { headers: { Authorization: `Bearer ${token.accessToken}` } },
        renewAt: asked + lifetimeMs - Math.min(lifetimeMs * RENEW_SHARE, MAX_RENEW_MARGIN_MS),
      };
    };

    let current: Token | undefined;
    // One token request at a time, shared by every request waiting for it.
    let pending: Promise<Token> | undefined;
    const renew = (): Promise<Token> => {
      pending ??= requestToken()
        .then((token) => (current = token))
        .finally(() => (pending = undefined));
      return pending;
    };

    return {
      authorize: async (signal) => {
        if (current !== undefined && Date.now() < current.renewAt) return current.credentials;
        return (await abortable(renew(), signal)).credentials;
      },
      unauthorized: async (rejected) => {
        // Another request's 401 already brought a new token: just try again with it.
        if (current !== undefined && current.credentials !== rejected) return true;
        current = undefined;
        await renew();
        return true;
      },
      secrets,
      credentialKey: credentialKey('oauth2-client-credentials', options.tokenUrl, options.clientId),
      hint: 'the client credentials (auth.clientId/auth.clientSecret) and auth.scope',
    };
  },
});

function readToken(answer: Record<string, unknown>, where: string): { accessToken: string; expiresInS?: number } {
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = answer;
  if (typeof accessToken !== 'string' || accessToken === '') throw new SourceError(`${where}: the answer has no access_token`, { code: TOKEN_REFUSED });
  if (tokenType !== undefined && String(tokenType).toLowerCase() !== 'bearer') {
    throw new SourceError(`${where}: token_type is ${JSON.stringify(serverText(String(tokenType)))}, only Bearer tokens are supported`, { code: TOKEN_REFUSED });
  }
  const seconds = Number(expiresIn);
  return expiresIn === undefined || expiresIn === null || !(seconds > 0) ? { accessToken } : { accessToken, expiresInS: seconds };
}

/** What failed, as the run reports it: one line, redacted; network failures, timeouts and 5xx are retried like a page's. */
function tokenError(error: unknown, { where, url, secrets }: { where: string; url: string; secrets: readonly string[] }): SourceError {
  const failure = error as {
    message?: string;
    output?: { statusCode?: number };
    data?: { isResponseError?: boolean; payload?: unknown; headers?: Record<string, unknown>; res?: { statusCode?: number; headers?: Record<string, unknown> }; code?: string; message?: string };
  };
  const line = (problem: string) => redact(`${where} failed: ${problem}`, secrets);
  const data = failure.data;
  if (data?.isResponseError) {
    const status = failure.output?.statusCode ?? 0;
    const problem = `HTTP ${status} ${oauthError(data.payload) ?? STATUS_CODES[status] ?? ''}`.trim();
    if (status >= 500 || status === 429) return new HttpStatusError(line(problem), { url, status }, serverWaitMs(data.headers ?? {}));
    return new SourceError(line(problem + hintFor(data.payload)), { url, status, code: TOKEN_REFUSED });
  }
  if (data?.res) {
    // The body could not be read as JSON.
    const type = data.res.headers?.['content-type'];
    return new SourceError(line(`HTTP ${data.res.statusCode} with a body that is not JSON${typeof type === 'string' ? ` (${serverText(type)})` : ''}`), { url, code: TOKEN_REFUSED });
  }
  if (failure.message === 'Client request timeout') return new SourceError(line('no answer in time'), { url, code: HttpErrorCode.timeout });
  const code = data?.code;
  if (code === PROXY_REFUSED) return new SourceError(line(data?.message ?? 'refused by the proxy'), { url, code: HttpErrorCode.proxy });
  if (code !== undefined) {
    const message = data?.message ?? '';
    return new SourceError(line(`${message.includes(code) ? message : `${code} ${message}`.trim()}`), { url, code: NETWORK_CODES.has(code) ? HttpErrorCode.network : HttpErrorCode.request });
  }
  return new SourceError(line(serverText(failure.message ?? String(error))), { url, code: TOKEN_REFUSED });
}

/** `invalid_client: Client authentication failed` from an RFC 6749 §5.2 error body. */
function oauthError(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const { error, error_description: description } = payload as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return serverText(typeof description === 'string' && description ? `${error}: ${description}` : error);
}

function hintFor(payload: unknown): string {
  const error = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).error : undefined;
  if (error === 'invalid_scope') return ' — check auth.scope';
  if (error === 'unsupported_grant_type' || error === 'unauthorized_client') return ' — the client is not allowed the client credentials grant';
  return ' — check the client credentials (auth.clientId/auth.clientSecret) and auth.clientAuth';
}

/** Text from the server, safe to print on one line: no control characters, not much of it. */
function serverText(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/** Waits for `promise` unless `signal` aborts first; the shared promise goes on for the others. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
