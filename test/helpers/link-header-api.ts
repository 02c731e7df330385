import type { Shape } from './api-server';
import { intParam } from './api-server';

/**
 * A GitHub-style API: the body is the array of records; pages are linked in the `Link` header
 * (`<…?page=2&per_page=30>; rel="next", <…>; rel="last"`), which keeps the query parameters and is
 * left out when everything fits on one page.
 */
export const linkHeaderApi = (records: readonly unknown[], { defaultPerPage = 30 }: { defaultPerPage?: number } = {}): Shape => (url) => {
  const page = intParam(url, 'page', 1);
  const perPage = intParam(url, 'per_page', defaultPerPage);
  const lastPage = Math.max(Math.ceil(records.length / perPage), 1);
  const link = (n: number) => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    return `<${target}>`;
  };
  const relations = [
    page > 1 && `${link(page - 1)}; rel="prev"`,
    page < lastPage && `${link(page + 1)}; rel="next"`,
    page < lastPage && `${link(lastPage)}; rel="last"`,
    page > 1 && `${link(1)}; rel="first"`,
  ].filter(Boolean);
  const headers: Record<string, string> = lastPage > 1 ? { link: relations.join(', ') } : {};
  return { body: records.slice((page - 1) * perPage, page * perPage), headers };
};
