import http from 'node:http';
import axios from 'axios';
import { stringify } from 'csv-stringify/sync';
import { type Customer, cellText, type ExportParts, NEEDS_QUOTES, type Page, runFromCommandLine, speedOfLight, type SpeedOfLightOptions } from './speed-of-light';

/**
 * The dependency floor: the speed-of-light script with its HTTP client and its CSV writing swapped for
 * pageflow's dependencies (axios, csv-stringify), each used the fastest way found for them. It shows how
 * close pageflow can come to the speed of light while it keeps those dependencies: what pageflow spends
 * above the floor is its own, what the floor spends above the speed of light is the dependencies'.
 *
 * - axios: one instance for the whole export, a keep-alive agent, the body as an `arraybuffer` (no
 *   string transform by axios), `JSON.parse` on the decoded text as the script does.
 * - csv-stringify: a row none of whose cells needs quoting is joined directly (as pageflow does); a row
 *   that needs quoting is written by csv-stringify's sync API, one call per row (the sync API has no
 *   reusable stringifier; one call per page for every row measured slower).
 */
export const DEPENDENCY_PARTS: ExportParts = {
  client(concurrency) {
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const instance = axios.create({ httpAgent, responseType: 'arraybuffer', transformResponse: [], maxRedirects: 0 });
    return {
      fetchPage: async (url) => {
        const { data } = await instance.get<Buffer>(url);
        return JSON.parse(data.toString()) as Page;
      },
      close: () => httpAgent.destroy(),
    };
  },
  csvRow,
};

const ROW_OPTIONS = { header: false } as const;

function csvRow(customer: Customer): string {
  const row = [cellText(customer.id), cellText(customer.companyName), cellText(customer.city), cellText(customer.primaryEmail)];
  return row.some((text) => NEEDS_QUOTES.test(text)) ? stringify([row], ROW_OPTIONS) : `${row.join(',')}\n`;
}

/** The floor's export, as `speedOfLight` runs it. */
export function dependencyFloor(options: SpeedOfLightOptions): Promise<number> {
  return speedOfLight(options, DEPENDENCY_PARTS);
}

if (require.main === module) runFromCommandLine('dependency-floor', DEPENDENCY_PARTS);
