import { SourceError } from '../../errors/source-error';
import type { Redactor } from '../../errors/redact';
import { parseJson } from '../../json/parse-json';
import type { Logger } from '../../logger';
import { existingPathsHint, findPaths, readPath } from '../../sources/http/body-path';
import type { Exchange } from '../../sources/http/fetch-page';
import { firstPageUrl } from '../../sources/http/page-url';
import { PageProblem } from '../../sources/http/pagination/paginator';
import { createPaginator } from '../../sources/http/pagination/pagination-types';
import { type HttpSourceSettings, openHttpProbe } from '../probe/http-probe';
import { type CheckResult, failed, passed } from './check-result';

const describeValue = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

/**
 * The source's checks, on its first page only: the API answers with the configured credentials, the
 * page is JSON with the records where `records` says, and the pagination finds its way on (its paths
 * exist) or sees the end.
 */
export async function checkHttpSource(settings: HttpSourceSettings, { logger, redactor }: { logger: Logger; redactor: Redactor }): Promise<CheckResult[]> {
  const url = firstPageUrl(settings.url, settings.params);
  const shown = redactor.redact(url);
  const probe = openHttpProbe(settings, { logger, redactor });
  let exchange: Exchange;
  const started = performance.now();
  try {
    exchange = await probe.get(url, 1);
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    return [failed('API', error.message)];
  } finally {
    probe.close();
  }
  const credentials = settings.auth ? `with the ${settings.auth.type} credentials` : 'without credentials';
  const results = [passed('API', `GET ${shown} answered ${exchange.status} ${credentials} in ${Math.round(performance.now() - started)}ms`)];
  let body: unknown;
  try {
    body = parseJson(exchange.text.replace(/^\uFEFF/, ''));
  } catch {
    return [...results, failed('records', `the first page is not JSON (starts with ${JSON.stringify(exchange.text.slice(0, 40))})`)];
  }
  const records = readPath(body, settings.records);
  if (!Array.isArray(records)) {
    const arrays = findPaths(body, (_key, value) => Array.isArray(value));
    const found = records === undefined ? `no "${settings.records}" in the first page` : `"${settings.records}" is ${describeValue(records)}, not a list`;
    return [...results, failed('records', `${found} (source.records)${existingPathsHint(arrays, 'lists')}`)];
  }
  results.push(passed('records', `"${settings.records}" holds ${records.length} records on the first page`));
  const paginator = createPaginator(settings.pagination, { params: settings.params ?? {} });
  try {
    const position = paginator.next(paginator.first(), { url, body, headers: exchange.headers, records });
    const next = position === undefined ? 'the first page is the last' : `the next page is ${redactor.redact(paginator.url(position, url))}`;
    results.push(passed('pagination', `${settings.pagination.type}: ${next}`));
  } catch (error) {
    if (!(error instanceof PageProblem)) throw error;
    results.push(failed('pagination', `${settings.pagination.type}: ${redactor.redact(error.message)}`));
  }
  return results;
}
