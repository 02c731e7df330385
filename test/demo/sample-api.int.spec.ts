import { startSampleApi } from '../../src/demo/sample-api';

async function getPage(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('sample API page shapes', () => {
  it('answers Laravel simplePaginate pages by default, with the trailing comma in next_page_url', async () => {
    const api = await startSampleApi({ customers: 5 });
    try {
      const first = await getPage(`${api.url}/v1/customers?per_page=2`);
      expect(Object.keys(first)).toEqual(['current_page', 'data', 'first_page_url', 'from', 'next_page_url', 'path', 'per_page', 'prev_page_url', 'to']);
      expect(first).toMatchObject({ current_page: 1, from: 1, to: 2, next_page_url: `${api.url}/v1/customers?page=2,` });
      const last = await getPage(`${api.url}/v1/customers?per_page=2&page=3`);
      expect(last).toMatchObject({ current_page: 3, from: 5, to: 5, next_page_url: null });
      expect(last.data).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('answers Laravel paginate pages with shape: paginate, the last page known from page 1', async () => {
    const api = await startSampleApi({ customers: 5, shape: 'paginate' });
    const base = `${api.url}/v1/customers`;
    try {
      const first = await getPage(`${base}?per_page=2`);
      expect(first).toMatchObject({
        current_page: 1,
        last_page: 3,
        total: 5,
        per_page: 2,
        from: 1,
        to: 2,
        first_page_url: `${base}?page=1`,
        last_page_url: `${base}?page=3`,
        next_page_url: `${base}?page=2`,
        prev_page_url: null,
      });
      expect(first.links).toEqual([
        { url: null, label: '&laquo; Previous', active: false },
        { url: `${base}?page=1`, label: '1', active: true },
        { url: `${base}?page=2`, label: '2', active: false },
        { url: `${base}?page=3`, label: '3', active: false },
        { url: `${base}?page=2`, label: 'Next &raquo;', active: false },
      ]);
      const last = await getPage(`${base}?per_page=2&page=3`);
      expect(last).toMatchObject({ current_page: 3, last_page: 3, next_page_url: null, prev_page_url: `${base}?page=2`, from: 5, to: 5 });
      const beyond = await getPage(`${base}?per_page=2&page=4`);
      expect(beyond).toMatchObject({ current_page: 4, data: [], from: null, to: null, next_page_url: null });
    } finally {
      await api.close();
    }
  });
});
