import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import { defer, EMPTY, expand, finalize, from, mergeMap, switchMap } from 'rxjs';
import { z } from 'zod';
import { defineSource } from '../../pipeline/component';
import type { Source } from '../source';
import { fetchPage, type Page, type PageReading } from './fetch-page';
import { firstPageUrl } from './page-url';

export const httpSourceConfig = z.strictObject({
  type: z.literal('http'),
  url: z.url().meta({ description: 'URL of the first page.', examples: ['https://api.mijnklantportaal.nl/v1/customers'] }),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .meta({ description: 'Query parameters for every page request; put back when a next link lost them.', examples: [{ per_page: 100 }] }),
  headers: z.record(z.string(), z.string()).optional().meta({ description: 'Extra request headers (values are treated as secrets).' }),
  auth: z
    .strictObject({
      type: z.literal('bearer'),
      token: z.string().min(1, 'the token is empty: set it from the environment, e.g. ${MKP_TOKEN}'),
    })
    .optional()
    .meta({ description: 'Authentication. The token is sent as `Authorization: Bearer …` and never printed.' }),
  records: z.string().default('data').meta({ description: 'Dot path of the records array in each page.' }),
  next: z.string().default('next_page_url').meta({ description: 'Dot path of the next page link in each page; null ends the export.' }),
});

export type HttpSourceOptions = Omit<z.input<typeof httpSourceConfig>, 'type'>;

/** The values an HTTP source must never print: the token, header values, and secret-looking query parameters. */
export function httpSecrets(options: HttpSourceOptions): string[] {
  const secretParams = Object.entries(options.params ?? {})
    .filter(([key]) => /token|key|secret|password|signature/i.test(key))
    .map(([, value]) => String(value));
  return [options.auth?.token, ...Object.values(options.headers ?? {}), ...secretParams].filter((value): value is string => !!value);
}

/**
 * Records of a paginated JSON API, page by page along the next links (Laravel's `next_page_url` by
 * default). The next page is requested only once the sinks have taken the current one.
 */
export function createHttpSource(options: HttpSourceOptions): Source {
  const reading: PageReading = {
    recordsPath: options.records ?? 'data',
    nextPath: options.next ?? 'next_page_url',
    params: options.params,
    secrets: httpSecrets(options),
  };
  return (context) =>
    defer(() => {
      const httpAgent = new http.Agent({ keepAlive: true });
      const httpsAgent = new https.Agent({ keepAlive: true });
      const client = axios.create({
        httpAgent,
        httpsAgent,
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
        maxRedirects: 0,
        headers: {
          ...options.headers,
          // Without it Laravel answers an unauthenticated request with a redirect to a login page.
          Accept: 'application/json',
          'Accept-Encoding': 'gzip, deflate',
          ...(options.auth ? { Authorization: `Bearer ${options.auth.token}` } : {}),
        },
      });
      const fetch = async (index: number, url: string): Promise<Page> => {
        const page = await fetchPage(client, { index, url }, reading);
        context.metrics.pages += 1;
        context.metrics.recordsRead += page.records.length;
        return page;
      };
      return from(fetch(1, firstPageUrl(options.url, options.params))).pipe(
        expand((page) => (page.next ? from(context.demand()).pipe(switchMap(() => fetch(page.index + 1, page.next!))) : EMPTY)),
        mergeMap((page) => page.records),
        finalize(() => {
          httpAgent.destroy();
          httpsAgent.destroy();
        }),
      );
    });
}

export const httpSource = defineSource({
  type: 'http',
  summary: 'Pages through a JSON REST API along its next links (Laravel simplePaginate by default).',
  config: httpSourceConfig,
  secrets: ({ type: _type, ...options }) => httpSecrets(options),
  create: ({ type: _type, ...options }) => createHttpSource(options),
});
