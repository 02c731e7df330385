import type { AxiosInstance } from 'axios';
import { SourceError } from '../../errors/source-error';
import { redact } from '../../errors/redact';
import type { DataRecord } from '../../record';
import { nextPageUrl, pageParameter, type QueryParams } from './page-url';
import { readPath } from './read-path';

/** One page as the source understood it. */
export interface Page {
  /** 1 for the first page requested, 2 for the next… (not the API's `page` parameter). */
  readonly index: number;
  readonly url: string;
  readonly records: readonly DataRecord[];
  /** The next page's URL, cleaned, or undefined at the end. */
  readonly next?: string;
}

export interface PageRequest {
  readonly index: number;
  readonly url: string;
}

export interface PageReading {
  readonly recordsPath: string;
  readonly nextPath: string;
  readonly params?: QueryParams;
  /** Values to redact from every message. */
  readonly secrets: readonly string[];
}

/** Describes a page in messages: `page 3 (https://…?page=3)`, secrets redacted. */
export function describePage(request: PageRequest, secrets: readonly string[]): string {
  return `page ${request.index} (${redact(request.url, secrets)})`;
}

/** Requests one page and reads its records and next link; any failure is a one-line `SourceError`. */
export async function fetchPage(client: AxiosInstance, request: PageRequest, reading: PageReading): Promise<Page> {
  const where = describePage(request, reading.secrets);
  const fail = (problem: string, details: { status?: number; cause?: unknown } = {}): never => {
    throw new SourceError(`${where}: ${redact(problem, reading.secrets)}`, { url: redact(request.url, reading.secrets), ...details });
  };

  let response;
  try {
    response = await client.get<string>(request.url);
  } catch (error) {
    return fail(`request failed: ${(error as Error).message}`, { cause: error });
  }
  if (response.status < 200 || response.status >= 300) {
    return fail(`HTTP ${response.status}${serverMessage(response.data)}`, { status: response.status });
  }

  let body: unknown;
  try {
    body = JSON.parse(response.data);
  } catch {
    return fail(`response is not JSON (starts with ${JSON.stringify(String(response.data).slice(0, 40))})`);
  }
  const records = readPath(body, reading.recordsPath);
  if (!Array.isArray(records)) {
    return fail(`expected an array of records at "${reading.recordsPath}", got ${records === null ? 'null' : typeof records}`);
  }

  const asked = pageParameter(request.url);
  const served = readPath(body, 'current_page');
  if (asked !== undefined && typeof served === 'number' && served !== asked) {
    // Laravel answers an invalid page parameter with page 1: following on would loop forever.
    return fail(`asked for page=${asked} but the server answered current_page ${served}`);
  }

  let next: string | undefined;
  try {
    next = nextPageUrl(readPath(body, reading.nextPath), request.url, reading.params);
  } catch (error) {
    return fail(`unusable next link at "${reading.nextPath}": ${(error as Error).message}`);
  }
  return { index: request.index, url: request.url, records: records as DataRecord[], next };
}

function serverMessage(data: unknown): string {
  try {
    const message = readPath(JSON.parse(String(data)), 'message');
    return typeof message === 'string' && message ? `: ${message}` : '';
  } catch {
    return '';
  }
}
