import { readPath } from '../../sources/http/body-path';
import { nextRelation } from '../../sources/http/pagination/link-header';
import { PageProblem, nextLikePaths } from '../../sources/http/pagination/paginator';
import { createPaginator, paginationConfig } from '../../sources/http/pagination/pagination-types';
import { firstPageUrl, type QueryParams } from '../../sources/http/page-url';
import type { PageFetcher, ProbedPage } from './probe-pages';
import type { Sureness } from './sureness';

/** A way the pages may follow each other, as `pagination:` and `params:` of the source. */
interface Candidate {
  /** `Laravel paginate`, `Link header`, `cursor in "next_page_token"`. */
  readonly shape: string;
  /** A known shape, recognised by its keys: the second page only confirms it. */
  readonly named: boolean;
  readonly pagination: Readonly<Record<string, unknown>>;
  readonly params: QueryParams;
}

export interface DetectedPagination extends Candidate {
  readonly sureness: Sureness;
  readonly why: string;
  /** The records of the second page, when there was one. */
  readonly secondRecords: readonly unknown[];
}

// Query parameters and body keys that carry a page size.
const SIZE_NAMES = ['per_page', 'perPage', 'page_size', 'pageSize', 'limit', 'size', 'per-page', 'count'];

const has = (body: unknown, path: string) => readPath(body, path) !== undefined;
const wholeNumber = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : undefined;
};
const isUrlLike = (value: unknown) => typeof value === 'string' && /^(https?:\/\/|\/|\?)/.test(value);

/** The page size a next link asks for (`?per_page=30`), as the parameter to set. */
function sizeInLink(link: string | undefined, base: string): QueryParams {
  if (!link) return {};
  const url = new URL(link, base);
  const name = SIZE_NAMES.find((candidate) => wholeNumber(url.searchParams.get(candidate)) !== undefined);
  return name ? { [name]: Number(url.searchParams.get(name)) } : {};
}

/** Laravel's `per_page` (top level, or `meta.per_page` of API Resources), set explicitly so that every page has the size page 1 had. */
function laravelSize(body: unknown): QueryParams {
  const size = wholeNumber(readPath(body, 'per_page') ?? readPath(body, 'meta.per_page'));
  return size === undefined ? {} : { per_page: size };
}

/** Cursor parameter names to try for a cursor found at `path`: `next_page_token` → `page_token`, `nextCursor` → `cursor`. */
function cursorParams(path: string): string[] {
  const key = path.split('.').pop() ?? path;
  const stripped = key.replace(/^next[_-]?/i, '');
  const lowered = stripped.charAt(0).toLowerCase() + stripped.slice(1);
  return [...new Set([lowered, 'cursor', 'page_token', 'pageToken', 'after', 'next', 'token', 'continuation', key].filter(Boolean))];
}

/** The candidates for a first page, most specific first: Laravel's four shapes by name, the Link header, then generic shapes. */
function candidates(page: ProbedPage, records: readonly Record<string, unknown>[]): Candidate[] {
  const { body, headers, url } = page;
  const found: Candidate[] = [];
  const link = typeof headers.link === 'string' ? headers.link : undefined;
  if (link !== undefined && nextRelation(link) !== undefined) {
    found.push({ shape: 'Link header (RFC 8288)', named: true, pagination: { type: 'link-header' }, params: sizeInLink(nextRelation(link), url) });
  }
  if (has(body, 'next_cursor') && has(body, 'per_page')) {
    found.push({ shape: 'Laravel cursorPaginate', named: true, pagination: { type: 'cursor', cursor: 'next_cursor', param: 'cursor' }, params: laravelSize(body) });
  }
  if (has(body, 'last_page') && has(body, 'next_page_url') && has(body, 'current_page')) {
    found.push({ shape: 'Laravel paginate (length-aware)', named: true, pagination: { type: 'page-number', lastPage: 'last_page' }, params: laravelSize(body) });
  }
  if (has(body, 'links.next') && has(body, 'meta.current_page')) {
    found.push({ shape: 'Laravel API Resources', named: true, pagination: { type: 'next-link', next: 'links.next' }, params: laravelSize(body) });
  }
  if (has(body, 'next_page_url') && has(body, 'current_page') && !has(body, 'last_page')) {
    found.push({ shape: 'Laravel simplePaginate', named: true, pagination: { type: 'next-link', next: 'next_page_url' }, params: laravelSize(body) });
  }
  const nextPaths = nextLikePaths(body).filter((path) => !/prev|first|last/i.test(path));
  for (const path of nextPaths.filter((candidate) => isUrlLike(readPath(body, candidate)))) {
    found.push({ shape: `next link in "${path}"`, named: false, pagination: { type: 'next-link', next: path }, params: sizeInLink(readPath(body, path) as string, url) });
  }
  const hasMore = nextLikePaths(body).find((path) => typeof readPath(body, path) === 'boolean');
  // An offset is a position, not a token the server hands out: the offset candidate below covers it.
  const tokens = nextPaths.filter((candidate) => ['string', 'number'].includes(typeof readPath(body, candidate)) && !isUrlLike(readPath(body, candidate)) && !/offset|skip/i.test(candidate));
  for (const path of tokens) {
    for (const param of cursorParams(path)) {
      found.push({ shape: `cursor in "${path}", sent as ?${param}=`, named: false, pagination: { type: 'cursor', cursor: path, param }, params: bodySize(body, records) });
    }
  }
  if (hasMore !== undefined && records.length > 0 && records[records.length - 1].id !== undefined) {
    for (const param of ['starting_after', 'after', 'since_id']) {
      found.push({ shape: `has-more flag "${hasMore}", the last id sent as ?${param}=`, named: false, pagination: { type: 'cursor', fromLastRecord: 'id', param, hasMore }, params: bodySize(body, records) });
    }
  }
  const offset = ['offset', 'meta.offset', 'skip'].find((path) => typeof readPath(body, path) === 'number');
  if (offset !== undefined) {
    const limitKey = ['limit', 'meta.limit', 'take'].find((path) => wholeNumber(readPath(body, path)) !== undefined);
    const limit = (limitKey && wholeNumber(readPath(body, limitKey))) || records.length;
    const total = ['total', 'meta.total', 'count', 'total_count'].find((path) => typeof readPath(body, path) === 'number');
    if (limit > 0) {
      found.push({
        shape: `offset in "${offset}"${total ? `, total in "${total}"` : ''}`,
        named: false,
        pagination: { type: 'offset', param: offset.split('.').pop(), limitParam: limitKey?.split('.').pop() ?? 'limit', limit, ...(total ? { total } : {}) },
        params: {},
      });
    }
  }
  const pageKey = ['page', 'current_page', 'meta.page', 'meta.current_page', 'page_number', 'pageNumber'].find((path) => typeof readPath(body, path) === 'number');
  if (pageKey !== undefined) {
    const last = ['total_pages', 'totalPages', 'last_page', 'pages', 'page_count', 'meta.total_pages', 'meta.last_page'].find((path) => wholeNumber(readPath(body, path)) !== undefined);
    const size = bodySize(body, records);
    found.push({
      shape: `page number in "${pageKey}"${last ? `, last page in "${last}"` : ''}`,
      named: false,
      pagination: { type: 'page-number', param: 'page', ...(last ? { lastPage: last } : {}), ...(Object.keys(size).length > 0 ? { sizeParam: Object.keys(size)[0] } : {}) },
      params: size,
    });
  }
  return found;
}

/** A page size the body echoes (`limit: 20`, `page_size: 50`), as the parameter to set. */
function bodySize(body: unknown, records: readonly unknown[]): QueryParams {
  for (const name of SIZE_NAMES) {
    const size = wholeNumber(readPath(body, name) ?? readPath(body, `meta.${name}`));
    if (size !== undefined && size >= records.length) return { [name]: size };
  }
  return {};
}

/** What a candidate makes of the first page: the second page's URL, the end (null), or why it does not fit. */
function secondUrl(candidate: Candidate, first: ProbedPage, records: readonly Record<string, unknown>[]): string | null | Error {
  const config = paginationConfig.safeParse(candidate.pagination);
  if (!config.success) return new Error(config.error.issues[0]?.message ?? 'invalid pagination');
  const paginator = createPaginator(config.data, { params: candidate.params });
  const start = firstPageUrl(first.url, candidate.params);
  try {
    const position = paginator.next(paginator.first(), { url: first.url, body: first.body, headers: first.headers, records });
    return position === undefined ? null : paginator.url(position, start);
  } catch (error) {
    if (error instanceof PageProblem) return error;
    throw error;
  }
}

const sameRecord = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface PaginationDetection {
  readonly detected?: DetectedPagination;
  /** Each candidate that did not fit, and why: what `init` says when none did. */
  readonly rejected: readonly string[];
}

/**
 * Which pagination fits the first page, confirmed on the second: each candidate (most specific
 * first) computes the second page's URL with the real paginator, which is requested; the first whose
 * second page brings new records wins. When the first page is the only one, the first candidate that
 * reads it is taken, unconfirmed.
 */
export async function detectPagination(first: ProbedPage, recordsPath: string, fetch: PageFetcher): Promise<PaginationDetection> {
  const records = readPath(first.body, recordsPath) as Record<string, unknown>[];
  const rejected: string[] = [];
  let unconfirmed: DetectedPagination | undefined;
  for (const candidate of candidates(first, records)) {
    const next = secondUrl(candidate, first, records);
    if (next instanceof Error) {
      rejected.push(`${candidate.shape}: ${next.message}`);
      continue;
    }
    if (next === null) {
      unconfirmed ??= {
        ...candidate,
        sureness: candidate.named ? 'likely' : 'guess',
        why: 'the first page is also the last, so no second page could confirm it',
        secondRecords: [],
      };
      continue;
    }
    // A page 2 that fails (a 400 for a parameter the API does not know) rules the candidate out; the reason is kept.
    const second = await fetch(next).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    const secondRecords = second instanceof Error ? undefined : readPath(second.body, recordsPath);
    if (!Array.isArray(secondRecords) || secondRecords.length === 0 || sameRecord(secondRecords[0], records[0])) {
      const why = second instanceof Error ? second.message : !Array.isArray(secondRecords) ? `page 2 has no list at "${recordsPath}"` : secondRecords.length === 0 ? 'page 2 is empty' : 'page 2 repeats page 1';
      rejected.push(`${candidate.shape}: ${why}`);
      continue;
    }
    return {
      detected: { ...candidate, sureness: candidate.named ? 'sure' : 'likely', why: `page 2 (${new URL(next).search || next}) brought ${secondRecords.length} new records`, secondRecords },
      rejected,
    };
  }
  return { detected: unconfirmed, rejected };
}
