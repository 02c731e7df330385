import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';

/**
 * The speed-of-light script: the fastest reasonable plain Node export of the benchmark's job (pages of
 * customers → dedup by `id` → `{ id, company, city, email }` → CSV or NDJSON, optionally gzipped), with
 * no framework and no dependency. pageflow is measured against it, and its output must be byte for
 * byte pageflow's: CSV quoted as csv-stringify quotes, NDJSON as `JSON.stringify`, gzip at zlib's
 * default level as the sinks use.
 *
 * It fetches one page at a time along the API's own end signal (`next_page_url` null), as pageflow does
 * at `concurrency: 1`; with `concurrency` > 1 it reads `last_page` from page 1 (Laravel `paginate()`)
 * and keeps that many page requests in flight, writing pages in order.
 */
export interface SpeedOfLightOptions {
  /** The first page's URL with its query, e.g. `http://127.0.0.1:4000/v1/customers?per_page=1000`. */
  readonly url: string;
  readonly format: 'csv' | 'ndjson';
  readonly gzip?: boolean;
  /** Output file; absent: stdout. */
  readonly output?: string;
  /** @default 1 */
  readonly concurrency?: number;
}

export interface Customer {
  readonly id: string;
  readonly companyName?: unknown;
  readonly city?: unknown;
  readonly primaryEmail?: unknown;
}

export interface Page {
  readonly data: Customer[];
  readonly next_page_url?: string | null;
  readonly last_page?: number;
}

/**
 * The two pieces the dependency floor (`dependency-floor.ts`) swaps for pageflow's dependencies: the
 * HTTP client and the writing of a CSV row. Everything else is the same script.
 */
export interface ExportParts {
  /** A client keeping up to `concurrency` connections alive. */
  client(concurrency: number): PageClient;
  csvRow(customer: Customer): string;
}

export interface PageClient {
  fetchPage(url: string): Promise<Page>;
  close(): void;
}

/** Runs the export; resolves with the number of records written. */
export async function speedOfLight({ url, format, gzip = false, output, concurrency = 1 }: SpeedOfLightOptions, parts: ExportParts = PLAIN_NODE): Promise<number> {
  const client = parts.client(concurrency);
  const file = output === undefined ? undefined : createWriteStream(output);
  const compressor = gzip ? createGzip() : undefined;
  const sink: Writable = compressor ?? file ?? process.stdout;
  if (compressor) compressor.pipe(file ?? process.stdout);
  const seen = new Set<string>();
  const row = format === 'csv' ? parts.csvRow : ndjsonRow;
  let written = 0;
  let header = format === 'csv';

  const take = async (page: Page) => {
    const before = seen.size;
    let text = pageText(page.data, seen, row);
    written += seen.size - before;
    if (header && text) {
      text = `id,company,city,email\n${text}`;
      header = false;
    }
    if (text && !sink.write(text)) await once(sink, 'drain');
  };

  const pageUrl = (number: number) => `${url}${url.includes('?') ? '&' : '?'}page=${number}`;
  const first = await client.fetchPage(pageUrl(1));
  await take(first);
  if (concurrency > 1) {
    if (typeof first.last_page !== 'number') throw new Error(`concurrency ${concurrency} needs last_page in page 1 of ${url}`);
    const lastPage = first.last_page;
    const inFlight: Promise<Page>[] = [];
    let next = 2;
    const fill = () => {
      while (next <= lastPage && inFlight.length < concurrency) inFlight.push(client.fetchPage(pageUrl(next++)));
    };
    fill();
    for (let page = inFlight.shift(); page; page = inFlight.shift()) {
      const body = await page;
      fill();
      await take(body);
    }
  } else {
    for (let number = 2, page = first; page.next_page_url; number += 1) {
      page = await client.fetchPage(pageUrl(number));
      await take(page);
    }
  }

  if (sink !== process.stdout) sink.end();
  if (file) await finished(file);
  else if (compressor) await finished(compressor);
  client.close();
  return written;
}

const PLAIN_NODE: ExportParts = {
  client(concurrency) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    return { fetchPage: (url) => fetchPage(url, agent), close: () => agent.destroy() };
  },
  csvRow,
};

function fetchPage(url: string, agent: http.Agent): Promise<Page> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`${url}: HTTP ${response.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve(JSON.parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString()) as Page);
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The page's rows for records whose id was not seen before. */
function pageText(customers: readonly Customer[], seen: Set<string>, row: (customer: Customer) => string): string {
  let text = '';
  for (const customer of customers) {
    if (seen.has(customer.id)) continue;
    seen.add(customer.id);
    text += row(customer);
  }
  return text;
}

function csvRow(customer: Customer): string {
  return `${csvCell(customer.id)},${csvCell(customer.companyName)},${csvCell(customer.city)},${csvCell(customer.primaryEmail)}\n`;
}

function ndjsonRow(customer: Customer): string {
  return `${JSON.stringify({ id: customer.id, company: customer.companyName, city: customer.city, email: customer.primaryEmail })}\n`;
}

// csv-stringify quotes a cell holding the delimiter, the quote or a line break, and doubles quotes.
export const NEEDS_QUOTES = /[",\n\r]/;

function csvCell(value: unknown): string {
  const text = cellText(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A value as pageflow's CSV writes it, before quoting: numbers as JavaScript prints them, booleans true/false, null and missing empty. */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The command line of the script (and of the dependency floor): `--url … [--format] [--gzip] [--output] [--concurrency]`. */
export function runFromCommandLine(name: string, parts?: ExportParts): void {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      gzip: { type: 'boolean', default: false },
      output: { type: 'string' },
      concurrency: { type: 'string', default: '1' },
    },
  });
  const { url, format } = values;
  if (!url || (format !== 'csv' && format !== 'ndjson')) {
    process.stderr.write(`usage: ${name} --url <first page> [--format csv|ndjson] [--gzip] [--output file] [--concurrency n]\n`);
    process.exit(2);
  }
  const options: SpeedOfLightOptions = { url, format, gzip: values.gzip, output: values.output, concurrency: Number(values.concurrency) };
  speedOfLight(options, parts).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

if (require.main === module) runFromCommandLine('speed-of-light');
