import type { Redactor } from '../../errors/redact';
import { SourceError } from '../../errors/source-error';
import { parseJson } from '../../json/parse-json';
import type { DataRecord } from '../../record';
import { existingPathsHint, findPaths, readPath } from './body-path';
import type { Exchange } from './fetch-page';
import { HttpErrorCode } from './http-errors';
import { describePage, type Page, type PageRequest } from './page';
import { PageProblem, type Paginator } from './pagination/paginator';
import { serverText } from './server-text';

/** How a crawl reads its pages. */
export interface PageReading {
  /** Dot path of the records array; empty for a body that is the array. */
  readonly records: string;
  readonly paginator: Paginator;
  /** The first page's URL: the paginator builds the others from it. */
  readonly start: string;
  readonly redactor: Redactor;
}

/**
 * Records nested deeper than this fail the page: encoders and operators recurse into nested values,
 * and a hostile page nested thousands deep would otherwise overflow the stack somewhere downstream.
 */
export const MAX_RECORD_DEPTH = 1000;

const UTF8_BOM = 0xfeff;

const describeValue = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

/** True when `value` has objects or arrays nested more than `levels` deep. Visits nested values only: a flat record costs a typeof per field. */
function nestedDeeper(value: object, levels: number): boolean {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null && (levels === 0 || nestedDeeper(item, levels - 1))) return true;
    return false;
  }
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && (levels === 0 || nestedDeeper(child, levels - 1))) return true;
  }
  return false;
}

/** Fails unless every record is an object nested at most `MAX_RECORD_DEPTH` deep. */
function assertRecords(records: readonly unknown[], fail: (problem: string) => never): asserts records is readonly DataRecord[] {
  for (let index = 0; index < records.length; index += 1) {
    const record = records[index];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) fail(`record ${index + 1} of ${records.length} is ${describeValue(record)}, not an object`);
    if (nestedDeeper(record, MAX_RECORD_DEPTH - 1)) fail(`record ${index + 1} of ${records.length} is nested more than ${MAX_RECORD_DEPTH} levels deep`);
  }
}

/** Laravel's `current_page`, top level (paginate) or in `meta` (API Resources). */
function servedPage(body: unknown): unknown {
  const top = readPath(body, 'current_page');
  return top === undefined ? readPath(body, 'meta.current_page') : top;
}

/**
 * Reads a page's body: UTF-8 (invalid bytes are flagged, not fatal), JSON, the records array (each an
 * object), the served page number, and where the paginator goes next. Any problem is a `SourceError`
 * naming the page; none of them is worth a retry.
 */
export function readPage(request: PageRequest, exchange: Exchange, reading: PageReading): Page {
  const fail = (problem: string): never => {
    throw new SourceError(`${describePage(request, reading.redactor)}: ${reading.redactor.redact(problem)}`, {
      url: reading.redactor.redact(request.url),
      code: HttpErrorCode.badPage,
    });
  };

  const { invalidUtf8 } = exchange;
  let { text } = exchange;
  if (text.charCodeAt(0) === UTF8_BOM) text = text.slice(1);
  let body: unknown;
  try {
    body = parseJson(text);
  } catch {
    return fail(`response is not JSON (starts with ${serverText(JSON.stringify(text.slice(0, 40)))})`);
  }

  const records = readPath(body, reading.records);
  if (!Array.isArray(records)) {
    const arrays = findPaths(body, (_key, value) => Array.isArray(value));
    const found = records === undefined ? `no "${reading.records}" in the page` : `"${reading.records}" is ${describeValue(records)}, not an array`;
    return fail(`${found} (records: the path of the records array)${existingPathsHint(arrays, 'arrays')}`);
  }
  assertRecords(records, fail);

  const { paginator, start } = reading;
  const asked = paginator.expectedPage?.(request.position, request.url);
  const served = servedPage(body);
  if (asked !== undefined && typeof served === 'number' && served !== asked) {
    // Laravel answers an invalid page parameter with page 1: following on would loop or repeat pages.
    return fail(`asked for page ${asked} but the server answered current_page ${served}`);
  }

  let position: unknown;
  try {
    position = paginator.next(request.position, { url: request.url, body, headers: exchange.headers, records });
  } catch (error) {
    if (error instanceof PageProblem) return fail(error.message);
    throw error;
  }
  return {
    index: request.index,
    url: request.url,
    records,
    bytes: exchange.bytes,
    next: position === undefined ? undefined : { position, url: paginator.url(position, start) },
    ...(invalidUtf8 ? { invalidUtf8 } : {}),
  };
}
