import { STATUS_CODES } from 'node:http';
import type { AxiosInstance } from 'axios';
import { SourceError } from '../../errors/source-error';
import { redact } from '../../errors/redact';
import { parseJson } from '../../json/parse-json';
import type { DataRecord } from '../../record';
import type { Credentials } from './auth/authenticator';
import { formatDuration } from './duration';
import { PROXY_REFUSED } from './http-clients';
import { HttpErrorCode, HttpStatusError } from './http-errors';
import { nextPageUrl, pageParameter, type QueryParams } from './page-url';
import { readPath } from './read-path';
import { serverWaitMs, windowUsedUp } from './server-wait';

/** One page as the source understood it. */
export interface Page {
  /** 1 for the first page requested, 2 for the next… (not the API's `page` parameter). */
  readonly index: number;
  readonly url: string;
  readonly records: readonly DataRecord[];
  /** The next page's URL, cleaned, or undefined at the end. */
  readonly next?: string;
  /** Set when the server said this was the last request of its rate-limit window (`X-RateLimit-Remaining: 0`). */
  readonly windowUsedUp?: { readonly resetInMs?: number };
}

export interface PageRequest {
  readonly index: number;
  readonly url: string;
  /** Cancels the request (the run stopped, or a prefetched page is no longer wanted). */
  readonly signal?: AbortSignal;
}

export interface PageReading {
  readonly recordsPath: string;
  readonly nextPath: string;
  readonly params?: QueryParams;
  /** Values to redact from every message. */
  readonly secrets: readonly string[];
  /** Hard deadline for the whole request, body included; none when unset. */
  readonly timeoutMs?: number;
  /** What a 401/403 asks to check (`Authenticator.hint`). */
  readonly authHint?: string;
}

/** Describes a page in messages: `page 3 (https://…?page=3)`, secrets redacted. */
export function describePage(request: Pick<PageRequest, 'index' | 'url'>, secrets: readonly string[]): string {
  return `page ${request.index} (${redact(request.url, secrets)})`;
}

// Connection failures worth another try; anything else from the socket layer (a bad host name) is not.
export const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ERR_NETWORK']);

/**
 * Makes one request for one page and reads its records and next link. Any failure is a one-line
 * `SourceError` whose `code` says what went wrong (see `HttpErrorCode`); a non-2xx answer is an
 * `HttpStatusError`. Retrying is the caller's business.
 */
export async function fetchPage(client: AxiosInstance, request: PageRequest, reading: PageReading, credentials?: Credentials): Promise<Page> {
  const where = describePage(request, reading.secrets);
  const url = redact(request.url, reading.secrets);
  const fail = (code: string, problem: string): never => {
    throw new SourceError(`${where}: ${redact(problem, reading.secrets)}`, { url, code });
  };

  const deadline = reading.timeoutMs === undefined ? undefined : AbortSignal.timeout(reading.timeoutMs);
  const signals = [deadline, request.signal].filter((signal): signal is AbortSignal => signal !== undefined);
  let response;
  try {
    response = await client.get<string>(withQuery(request.url, credentials?.query), {
      headers: credentials?.headers,
      signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
    });
  } catch (error) {
    // Only the error's code and message go into ours: an axios error carries the request headers, token included.
    const { code, message } = error as { code?: string; message?: string };
    if (deadline?.aborted) return fail(HttpErrorCode.timeout, `no complete answer within ${formatDuration(reading.timeoutMs!)}`);
    if (request.signal?.aborted) return fail(HttpErrorCode.request, 'request cancelled');
    if (code === PROXY_REFUSED) return fail(HttpErrorCode.proxy, message ?? 'the proxy refused the tunnel');
    if (message?.startsWith('maxContentLength')) return fail(HttpErrorCode.tooLarge, `response too large (${message})`);
    // Node's messages often repeat the code already ("connect ECONNREFUSED 127.0.0.1:80").
    const problem = `request failed: ${code && !message?.includes(code) ? `${code} ${message ?? ''}`.trim() : (message ?? code)}`;
    const network = (code && NETWORK_CODES.has(code)) || message === 'stream has been aborted';
    return fail(network ? HttpErrorCode.network : HttpErrorCode.request, problem);
  }
  if (response.status < 200 || response.status >= 300) {
    const problem = `HTTP ${response.status} ${serverMessage(response.data) ?? STATUS_CODES[response.status] ?? ''}`.trim();
    throw new HttpStatusError(
      `${where}: ${redact(problem + statusHint(response.status, reading.authHint), reading.secrets)}`,
      { url, status: response.status },
      serverWaitMs(response.headers),
    );
  }

  let body: unknown;
  try {
    body = parseJson(response.data);
  } catch {
    return fail(HttpErrorCode.badPage, `response is not JSON (starts with ${JSON.stringify(String(response.data).slice(0, 40))})`);
  }
  const records = readPath(body, reading.recordsPath);
  if (!Array.isArray(records)) {
    return fail(HttpErrorCode.badPage, `expected an array of records at "${reading.recordsPath}", got ${records === null ? 'null' : typeof records}`);
  }

  const asked = pageParameter(request.url);
  const served = readPath(body, 'current_page');
  if (asked !== undefined && typeof served === 'number' && served !== asked) {
    // Laravel answers an invalid page parameter with page 1: following on would loop forever.
    return fail(HttpErrorCode.badPage, `asked for page=${asked} but the server answered current_page ${served}`);
  }

  let next: string | undefined;
  try {
    next = nextPageUrl(readPath(body, reading.nextPath), request.url, reading.params);
  } catch (error) {
    return fail(HttpErrorCode.badPage, `unusable next link at "${reading.nextPath}": ${(error as Error).message}`);
  }
  const page: Page = { index: request.index, url: request.url, records: records as DataRecord[], next };
  return windowUsedUp(response.headers) ? { ...page, windowUsedUp: { resetInMs: serverWaitMs(response.headers) } } : page;
}

/** The URL with credentials that travel as query parameters (api-key in query); the page keeps its URL without them. */
function withQuery(url: string, query: Credentials['query']): string {
  if (!query) return url;
  const result = new URL(url);
  for (const [key, value] of Object.entries(query)) result.searchParams.set(key, value);
  return result.toString();
}

function serverMessage(data: unknown): string | undefined {
  try {
    const message = readPath(JSON.parse(String(data)), 'message');
    return typeof message === 'string' && message ? message : undefined;
  } catch {
    return undefined;
  }
}

function statusHint(status: number, hint = 'the credentials (auth, headers)'): string {
  if (status === 401) return ` — check ${hint}`;
  if (status === 403) return ` — check the permissions of ${hint}`;
  return '';
}
