import type { Answer } from './api-server';

export interface RelatedApiOptions {
  /** Parent pages, `perPage` customers each. */
  readonly pages: number;
  readonly perPage: number;
  /** Child pages of a customer (0 = an empty first page). */
  readonly childPages: (id: number) => number;
  /** Contacts per child page. @default 2 */
  readonly perChildPage?: number;
  /** Customers whose contacts answer with this status instead (404 for "not found", 500 for a broken one). */
  readonly childStatus?: (id: number) => number | undefined;
}

export interface Contact {
  readonly id: string;
  readonly customer: number;
}

/** The contacts of customer `id`, as the API serves them, in order. */
export function contactsOf(id: number, options: RelatedApiOptions): Contact[] {
  const perChildPage = options.perChildPage ?? 2;
  return Array.from({ length: options.childPages(id) * perChildPage }, (_, index) => ({ id: `${id}-${index + 1}`, customer: id }));
}

/**
 * Customers (`/v1/customers?page=n`) and each customer's contacts (`/v1/customers/{id}/contacts?page=n`),
 * both in Laravel's simplePaginate shape with `next_page_url`: the Mijn Klantportaal parent/child shape.
 */
export function relatedShape(options: RelatedApiOptions): (url: URL) => Answer {
  const perChildPage = options.perChildPage ?? 2;
  return (url) => {
    const page = Number(url.searchParams.get('page') ?? '1');
    const next = (more: boolean) => (more ? `${url.origin}${url.pathname}?page=${page + 1}` : null);
    if (url.pathname === '/v1/customers') {
      const data = Array.from({ length: options.perPage }, (_, index) => ({ id: (page - 1) * options.perPage + index + 1, name: `Customer ${(page - 1) * options.perPage + index + 1}` }));
      return { body: { data: page <= options.pages ? data : [], next_page_url: next(page < options.pages) } };
    }
    const child = /^\/v1\/customers\/(\d+)\/contacts$/.exec(url.pathname);
    if (!child) return { status: 404, body: { message: 'no such route' } };
    const id = Number(child[1]);
    const status = options.childStatus?.(id);
    if (status !== undefined) return { status, body: { message: `status ${status}` } };
    const all = contactsOf(id, options);
    return { body: { data: all.slice((page - 1) * perChildPage, page * perChildPage), next_page_url: next(page * perChildPage < all.length) } };
  };
}
