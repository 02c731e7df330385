import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../errors/config-error';
import { describeSystemError } from '../../errors/describe-system-error';
import { parseConfigText, readConfigFile } from '../../pipeline/load-pipeline';
import { zodIssues } from '../../pipeline/schema';

/** The file that lists a recorded fixture's pages, in its directory beside their bodies. */
export const PAGES_FILE = 'pages.json';
export const PAGES_FORMAT = 'pageflow-recorded-pages/1';

/** A query parameter value that was a secret when the page was recorded: it matches any value on replay. */
export const SCRUBBED = '***';

/** What pageflow needs of a response to replay it: pagination reads its body and a few headers. */
export const recordedPage = z.strictObject({
  method: z.string().regex(/^[A-Z]+$/, 'expected an HTTP method in capitals, e.g. GET').default('GET').meta({ description: 'The request method.' }),
  request: z
    .string()
    .startsWith('/', 'expected the path and query of the request, e.g. /v1/customers?page=2')
    .meta({ description: 'Path and query of the request, as the source sent it; secret query values written as `***`.', examples: ['/v1/customers?page=2&per_page=100'] }),
  status: z.int().min(100).max(599).default(200).meta({ description: 'The response status.' }),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .meta({ description: 'Response headers pagination reads (content-type, link, x-ratelimit-*, retry-after, x-total-count…); names in lower case.' }),
  body: z.string().min(1).meta({ description: 'File holding the response body, relative to the fixture directory.', examples: ['page-1.json'] }),
});

/** `pages.json`: the responses of one recorded crawl, in the order they were requested. */
export const recordedPagesFile = z.strictObject({
  format: z.literal(PAGES_FORMAT).meta({ description: 'The version of this format.' }),
  origin: z.url().meta({ description: 'Scheme, host and port the pages were recorded from: replaced in bodies and headers by the replay server’s.' }),
  recordedAt: z.string().optional().meta({ description: 'When the pages were recorded (ISO 8601).' }),
  pages: z.array(recordedPage).min(1, 'expected at least one page'),
});

/** One response to replay, body loaded. */
export interface ReplayPage {
  readonly method: string;
  /** Path and query. */
  readonly request: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface RecordedPages {
  /** The origin the pages came from, to be replaced by the replay server's. */
  readonly origin: string;
  readonly pages: readonly ReplayPage[];
}

/**
 * Reads a recorded fixture: a directory with `pages.json` and one body file per page.
 *
 * ```
 * test/fixtures/customers/
 *   pages.json      {"format": "pageflow-recorded-pages/1", "origin": "https://api.example.nl",
 *                    "pages": [{"method": "GET", "request": "/v1/customers?per_page=100", "status": 200,
 *                               "headers": {"content-type": "application/json"}, "body": "page-1.json"}, …]}
 *   page-1.json     the body, byte for byte as the server sent it (secrets scrubbed)
 * ```
 */
export async function readRecordedPages(dir: string): Promise<RecordedPages> {
  const file = join(dir, PAGES_FILE);
  const text = await readConfigFile(file);
  const source = parseConfigText(text, file, 'recorded pages');
  const raw = source.document.toJS() as unknown;
  const parsed = recordedPagesFile.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, zodIssues([], parsed.error, recordedPagesFile, raw).map((issue) => source.locate(issue)));
  const pages = await Promise.all(
    parsed.data.pages.map(async ({ body, ...page }, index) => {
      try {
        return { ...page, body: await readFile(join(dir, body)) };
      } catch (error) {
        throw new ConfigError(file, [{ ...source.locate({ segments: ['pages', index, 'body'], path: `pages[${index}].body`, message: '' }), message: `cannot read ${body}: ${describeSystemError(error)}` }]);
      }
    }),
  );
  return { origin: new URL(parsed.data.origin).origin, pages };
}
