import type { Redactor } from '../../errors/redact';
import type { DataRecord } from '../../record';

/** One request for one page. */
export interface PageRequest<P = unknown> {
  /** 1 for the first page requested, 2 for the next… (not the API's `page` parameter). */
  readonly index: number;
  readonly url: string;
  /** Where the paginator is at this page (JSON); the page's own `next` is read from it. */
  readonly position: P;
  /** Cancels the request (the run stopped, or a page requested ahead is no longer wanted). */
  readonly signal?: AbortSignal;
}

/** The request after a page, as the paginator made it. */
export interface NextRequest<P = unknown> {
  readonly position: P;
  readonly url: string;
}

/** One page as the source understood it. */
export interface Page<P = unknown> {
  readonly index: number;
  readonly url: string;
  readonly records: readonly DataRecord[];
  /** Size of the body as received (after decompression): what read-ahead is bounded by. */
  readonly bytes: number;
  /** The next request, or undefined at the end. */
  readonly next?: NextRequest<P>;
  /** True when the body was not valid UTF-8 (the bad bytes became U+FFFD). */
  readonly invalidUtf8?: boolean;
}

/** Describes a page in messages: `page 3 (https://…?page=3)`, secrets redacted. */
export function describePage(request: Pick<PageRequest, 'index' | 'url'>, redactor: Redactor): string {
  return `page ${request.index} (${redactor.redact(request.url)})`;
}
