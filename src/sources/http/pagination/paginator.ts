import type { z } from 'zod';
import type { DataRecord } from '../../../record';
import { existingPathsHint, findPaths, readPath } from '../body-path';
import type { QueryParams } from '../page-url';
import type { ResponseHeaders } from '../server-wait';

/** A page as a pagination strategy reads it: after its records were found, before it is emitted. */
export interface PageView {
  /** The URL requested; relative links resolve against it. */
  readonly url: string;
  readonly body: unknown;
  readonly headers: ResponseHeaders;
  readonly records: readonly DataRecord[];
}

/** A request that may be issued before the page in front of it has been read. */
export interface Ahead<P> {
  readonly position: P;
  /** True when the page count is known, so the page surely exists; false for a guess the page before must confirm. */
  readonly exact: boolean;
}

/** A page that does not say how the export goes on; the page loader names the page in the error. */
export class PageProblem extends Error {
  override name = 'PageProblem';
}

/**
 * One pagination strategy at run time. The crawler owns order, read-ahead, demand and the guards; the
 * strategy only knows positions: where a crawl starts, the URL of a position, the position after a
 * page (or the end), and which positions may be requested ahead. Positions are JSON (`PageMark.resume`
 * carries them), and contain no configured parameter: those are put on each URL.
 */
export interface Paginator<P = unknown> {
  /** Validates a position handed back to resume a crawl. */
  readonly position: z.ZodType<P>;
  first(): P;
  /** The URL to request for a position; `start` is the first page's URL (configured `url` with `params`). */
  url(position: P, start: string): string;
  /** The page number the body's `current_page` must show, when the strategy knows it. */
  expectedPage?(position: P, url: string): number | undefined;
  /** The position after this page, or undefined when it was the last. Throws `PageProblem`. */
  next(position: P, page: PageView): P | undefined;
  /** The position after `position` (requested at `url`) when it can be told before its page is read. */
  ahead?(position: P, url: string): Ahead<P> | undefined;
}

export interface PaginationDeps {
  /** The source's `params`, sent with every request (a strategy's own parameter replaces one of the same name). */
  readonly params: QueryParams;
}

/** One pagination strategy: its `type:`, its options' schema and a factory. One file per type, listed in `pagination-types.ts`. */
export interface PaginationType<C extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly config: C;
  create(config: z.output<C>, deps: PaginationDeps): Paginator;
}

/** A paginator, typed by its position schema (a strategy's `create` returns one). */
export const definePaginator = <P>(paginator: Paginator<P>): Paginator => paginator;

export const definePagination = <C extends z.ZodType>(definition: PaginationType<C>): PaginationType<C> => definition;

/** Key names that look like a way to the next page, for the hint of a missing path. */
const NEXT_LIKE = /next|cursor|continu|after|more|token|offset/i;
const COUNT_LIKE = /last|total|count|pages/i;

const isNextLike = (key: string, value: unknown) => NEXT_LIKE.test(key) && (value === null || ['string', 'number', 'boolean'].includes(typeof value));
const isCountLike = (key: string, value: unknown) => COUNT_LIKE.test(key) && (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)));

/** Paths in the body that look like a next link or cursor (`links.next`, `meta.next_cursor`). */
export const nextLikePaths = (body: unknown): string[] => findPaths(body, isNextLike);

/**
 * The value at a configured path. Absent (not null: absent) means the configuration does not fit the
 * API, and ending the export there would lose pages silently: it fails, naming what does exist.
 */
export function readConfigured(body: unknown, path: string, option: string, lookAlike: 'next' | 'count'): unknown {
  const value = readPath(body, path);
  if (value !== undefined) return value;
  const similar = findPaths(body, lookAlike === 'next' ? isNextLike : isCountLike);
  throw new PageProblem(`no "${path}" in the page (pagination.${option})${existingPathsHint(similar, 'paths')}`);
}

/** A count (`last_page`, `total`) read from a configured path: a whole number. */
export function readCount(body: unknown, path: string, option: string): number {
  const value = readConfigured(body, path, option, 'count');
  const count = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new PageProblem(`expected a whole number at "${path}" (pagination.${option}), got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return count;
}

/** A page size from `params` (`per_page: 100`), when set as a whole number. */
export function sizeFrom(params: QueryParams, name: string): number | undefined {
  const value = params[name];
  const size = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof size === 'number' && Number.isSafeInteger(size) && size > 0 ? size : undefined;
}
