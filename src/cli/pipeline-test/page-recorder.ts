import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Redactor } from '../../errors/redact';
import type { Exchange } from '../../sources/http/fetch-page';
import { firstPageUrl } from '../../sources/http/page-url';
import { createPaginator } from '../../sources/http/pagination/pagination-types';
import { readPage } from '../../sources/http/read-page';
import type { HttpProbe, HttpSourceSettings } from '../probe/http-probe';
import { PAGES_FILE, PAGES_FORMAT, type recordedPage } from './recorded-pages';

/** Response headers a replay needs (pagination, rate limits, the body's type); the rest (cookies…) is not kept. */
const KEPT_HEADER = /^(content-type|link|retry-after|x-ratelimit-[a-z-]+|ratelimit(-[a-z]+)?|x-total(-count)?|x-(next|per)-page|x-page(-count)?)$/;

export interface Recording {
  readonly pages: number;
  /** The last recorded page links on: a replay will ask for the page after it. */
  readonly open: boolean;
}

/**
 * Requests up to `count` pages as the source crawls them (the real paginator, one page after the
 * other) and writes them in the recorded-pages format `pageflow test` replays: `pages.json` and a
 * body file per page, every secret scrubbed by the run's redactor (credentials in every encoding,
 * credential-looking query parameters and JSON members) from requests, bodies and headers. A page
 * the source could not read fails the recording, naming the page.
 */
export async function recordPages(settings: HttpSourceSettings, probe: HttpProbe, { count, dir, redactor }: { count: number; dir: string; redactor: Redactor }): Promise<Recording> {
  const paginator = createPaginator(settings.pagination, { params: settings.params ?? {} });
  const start = firstPageUrl(settings.url, settings.params);
  const origin = new URL(start).origin;
  const recorded: { entry: z.input<typeof recordedPage>; body: string }[] = [];
  let request: { url: string; position: unknown } | undefined = { url: start, position: paginator.first() };
  for (let index = 1; request && index <= count; index += 1) {
    const exchange = await probe.get(request.url, index);
    const page = readPage({ index, ...request }, exchange, { records: settings.records, paginator, start, redactor });
    const url = new URL(request.url);
    const name = `page-${index}.json`;
    recorded.push({
      entry: { method: 'GET', request: redactor.redact(`${url.pathname}${url.search}`), status: exchange.status, headers: keptHeaders(exchange, redactor), body: name },
      body: redactor.redact(exchange.text),
    });
    request = page.next;
  }
  await mkdir(dir, { recursive: true });
  await Promise.all(recorded.map(({ entry, body }) => writeFile(join(dir, entry.body), body)));
  const file = { format: PAGES_FORMAT, origin, recordedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), pages: recorded.map(({ entry }) => entry) };
  await writeFile(join(dir, PAGES_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return { pages: recorded.length, open: request !== undefined };
}

function keptHeaders({ headers }: Exchange, redactor: Redactor): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (KEPT_HEADER.test(name.toLowerCase()) && (typeof value === 'string' || typeof value === 'number')) kept[name.toLowerCase()] = redactor.redact(String(value));
  }
  return kept;
}
