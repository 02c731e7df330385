import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import axios from 'axios';
import { stringify } from 'csv-stringify/sync';

interface Customer {
  readonly id: string;
  readonly companyName: string;
  readonly city: string;
  readonly primaryEmail: string;
}

interface CustomersPage {
  readonly data: Customer[];
  readonly next_page_url: string | null;
}

const COLUMNS = ['id', 'company', 'city', 'email'];

/**
 * The hand-written script pageflow is measured against: what a developer would write for this one
 * export without a framework. A sequential page loop, a Set for dedup, csv-stringify per page.
 */
export async function baselineExport(url: string, perPage: number, output: string): Promise<number> {
  const file = createWriteStream(output);
  const seen = new Set<string>();
  let written = 0;
  for (let page = 1; ; page += 1) {
    const { data: body } = await axios.get<CustomersPage>(`${url}/v1/customers`, { params: { page, per_page: perPage } });
    const rows = [];
    for (const customer of body.data) {
      if (seen.has(customer.id)) continue;
      seen.add(customer.id);
      rows.push({ id: customer.id, company: customer.companyName, city: customer.city, email: customer.primaryEmail });
    }
    if (!file.write(stringify(rows, { header: page === 1, columns: COLUMNS }))) await once(file, 'drain');
    written += rows.length;
    if (!body.next_page_url) break;
  }
  file.end();
  await finished(file);
  return written;
}
