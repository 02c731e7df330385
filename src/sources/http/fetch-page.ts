import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import type { AxiosInstance } from 'axios';
import type { Redactor } from '../../errors/redact';
import { SourceError } from '../../errors/source-error';
import type { Credentials } from './auth/authenticator';
import { readPath } from './body-path';
import { type BodyText, BodyTooLargeError, readBodyText } from './body-text';
import { formatDuration } from './duration';
import { PROXY_REFUSED } from './http-clients';
import { HttpErrorCode, HttpStatusError } from './http-errors';
import { describePage, type PageRequest } from './page';
import { type ResponseHeaders, serverWaitMs } from './server-wait';
import { serverText } from './server-text';

/** A 2xx answer, its body read as text. */
export interface Exchange extends BodyText {
  readonly status: number;
  readonly headers: ResponseHeaders;
}

export interface FetchOptions {
  /** Hard deadline for the whole request, body included. */
  readonly timeoutMs: number;
  /** The largest body to read; a larger one fails the request. */
  readonly maxResponseBytes: number;
  readonly redactor: Redactor;
  /** What to check after a 401 or 403 (`the token (auth.token)`); undefined when the source has no `auth`. */
  readonly authHint?: string;
}

// Connection failures worth another try; anything else from the socket layer (a bad host name) is not.
export const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ERR_NETWORK']);
// Error bodies larger than this are not parsed for their `message`.
const MAX_ERROR_BODY_PARSED = 1024 * 1024;

/**
 * Makes one request for one page and returns the answer if it is a 2xx. Any failure is a one-line
 * `SourceError` whose `code` says what went wrong (see `HttpErrorCode`); a non-2xx answer is an
 * `HttpStatusError`. Retrying is the caller's business.
 */
export async function fetchPage(client: AxiosInstance, request: PageRequest, options: FetchOptions, credentials?: Credentials): Promise<Exchange> {
  const fail = (code: string, problem: string): never => {
    throw new SourceError(`${describePage(request, options.redactor)}: ${options.redactor.redact(problem)}`, { url: options.redactor.redact(request.url), code });
  };

  // One controller per request, not AbortSignal.timeout/any: those cost more than the rest of the page path.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const cancel = () => controller.abort();
  if (request.signal?.aborted) cancel();
  request.signal?.addEventListener('abort', cancel, { once: true });
  let status: number;
  let headers: ResponseHeaders;
  let body: BodyText;
  try {
    // The body as a stream, read by the deadline above.
    const response = await client.get<Readable>(withQuery(request.url, credentials?.query), { headers: credentials?.headers, signal: controller.signal });
    ({ status, headers } = response);
    body = await readBodyText(response.data, options.maxResponseBytes);
  } catch (error) {
    // Only the error's code and message go into ours: an axios error carries the request headers, token included.
    const { code, message } = error as { code?: string; message?: string };
    if (timedOut) return fail(HttpErrorCode.timeout, `no complete answer within ${formatDuration(options.timeoutMs)}`);
    if (request.signal?.aborted) return fail(HttpErrorCode.request, 'request cancelled');
    if (error instanceof BodyTooLargeError) return fail(HttpErrorCode.tooLarge, `response too large (${message})`);
    if (code === PROXY_REFUSED) return fail(HttpErrorCode.proxy, message ?? 'the proxy refused the tunnel');
    // Node's messages often repeat the code already ("connect ECONNREFUSED 127.0.0.1:80").
    const problem = `request failed: ${code && !message?.includes(code) ? `${code} ${message ?? ''}`.trim() : (message ?? code)}`;
    const network = (code && NETWORK_CODES.has(code)) || message === 'stream has been aborted';
    return fail(network ? HttpErrorCode.network : HttpErrorCode.request, problem);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', cancel);
  }

  if (status >= 200 && status < 300) return { status, headers, ...body };
  const problem = `HTTP ${status} ${serverMessage(body.text) ?? STATUS_CODES[status] ?? ''}`.trim() + statusHint(status, headers, options.authHint);
  throw new HttpStatusError(`${describePage(request, options.redactor)}: ${options.redactor.redact(problem)}`, { url: options.redactor.redact(request.url), status }, serverWaitMs(headers));
}

/** The URL with credentials that travel as query parameters (api-key in query); the page keeps its URL without them. */
function withQuery(url: string, query: Credentials['query']): string {
  if (!query) return url;
  const result = new URL(url);
  for (const [key, value] of Object.entries(query)) result.searchParams.set(key, value);
  return result.toString();
}

/** The `message` of a JSON error body, or the start of a body too large to parse; made safe to print. */
function serverMessage(text: string): string | undefined {
  if (text.length === 0) return undefined;
  if (text.length > MAX_ERROR_BODY_PARSED) return serverText(text);
  try {
    const message = readPath(JSON.parse(text), 'message');
    return typeof message === 'string' && message ? serverText(message) : undefined;
  } catch {
    return undefined;
  }
}

function statusHint(status: number, headers: ResponseHeaders, authHint: string | undefined): string {
  if (status === 401) return authHint ? ` — check ${authHint}` : ' — the API wants credentials: add `auth` to the source';
  if (status === 403) return authHint ? ` — check the permissions of ${authHint}` : ' — access denied; if the API needs credentials, add `auth` to the source';
  if (status >= 300 && status < 400) {
    const location = headers.location;
    const target = typeof location === 'string' && location ? `it points to ${serverText(location)}` : 'it gives no Location';
    return ` — redirects are not followed: ${target}`;
  }
  return '';
}
