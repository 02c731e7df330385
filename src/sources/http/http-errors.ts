import { SourceError } from '../../errors/source-error';

/** The `code` of each `SourceError` the HTTP source throws. */
export const HttpErrorCode = {
  /** The server answered with a non-2xx status; `details.status` says which. */
  status: 'PF_HTTP_STATUS',
  /** The connection failed: reset, refused, dropped mid-body. Retried. */
  network: 'PF_HTTP_NETWORK',
  /** No complete answer within `timeout`. Retried. */
  timeout: 'PF_HTTP_TIMEOUT',
  /** The answer is larger than `maxResponseBytes`. */
  tooLarge: 'PF_HTTP_TOO_LARGE',
  /** The proxy (`HTTPS_PROXY`) refused to tunnel to the server. */
  proxy: 'PF_HTTP_PROXY',
  /** Any other failure to send the request (bad host name, cancelled). */
  request: 'PF_HTTP_REQUEST',
  /** The body is not JSON, lacks the records array or a configured pagination path, has a record that is not an object, or is the wrong page. */
  badPage: 'PF_HTTP_BAD_PAGE',
  /** A next link points at a page already read. */
  paginationLoop: 'PF_HTTP_PAGINATION_LOOP',
  /** `maxPages` pages were read and there are more: the export would be incomplete. */
  maxPages: 'PF_HTTP_MAX_PAGES',
  /** Too many empty pages in a row that still have a next link. */
  emptyPages: 'PF_HTTP_EMPTY_PAGES',
  /** A next link leads to another origin and `allowCrossOrigin` is off. */
  crossOrigin: 'PF_HTTP_CROSS_ORIGIN',
  /** A next link is not http(s), or carries a user name or password. */
  badLink: 'PF_HTTP_BAD_LINK',
  /** The run waited `retry.maxTotalWait` in all (retries, 429s, rate-limit windows) and was asked to wait more. */
  waitedTooLong: 'PF_HTTP_WAITED_TOO_LONG',
} as const;

/** A non-2xx answer. `serverWaitMs` is how long the server asked us to wait (`Retry-After`, `X-RateLimit-Reset`), if it did. */
export class HttpStatusError extends SourceError {
  constructor(
    message: string,
    details: { readonly url: string; readonly status: number },
    readonly serverWaitMs?: number,
  ) {
    super(message, { ...details, code: HttpErrorCode.status });
  }

  get status(): number {
    return this.details.status!;
  }
}
