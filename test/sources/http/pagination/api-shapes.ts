import type { Shape } from '../../../helpers/api-server';
import { laravelCursorApi } from '../../../helpers/laravel-cursor-api';
import { laravelPaginateApi } from '../../../helpers/laravel-paginate-api';
import { laravelResourceApi } from '../../../helpers/laravel-resource-api';
import { laravelSimpleApi } from '../../../helpers/laravel-simple-api';
import { linkHeaderApi } from '../../../helpers/link-header-api';
import { offsetApi } from '../../../helpers/offset-api';
import { stripeApi } from '../../../helpers/stripe-api';
import type { HttpSourceOptions } from '../../../../src/sources/http/http-source';

/** One API shape and the source options that export it; `exact`: the page count is known, so no request may go past the last page. */
export interface ShapeCase {
  readonly name: string;
  readonly api: (records: ReadonlyArray<{ id: number; name: string }>) => Shape;
  readonly path: string;
  readonly options: Omit<HttpSourceOptions, 'url'>;
  readonly exact: boolean;
}

const stripeRecords = (records: ReadonlyArray<{ id: number; name: string }>) => records.map((record) => ({ ...record, id: `cus_${String(record.id).padStart(4, '0')}`, n: record.id }));

/** A next-link API whose last full page still links on, to an extra empty page without a link. */
const extraEmptyPageApi = (records: ReadonlyArray<{ id: number; name: string }>): Shape => (url) => {
  const page = Number(url.searchParams.get('page') ?? 1);
  const data = records.slice((page - 1) * 10, page * 10);
  return { body: { data, next: data.length === 10 ? `${url.pathname}?page=${page + 1}` : null } };
};

/** Every strategy against the API shapes it is for, 10 records a page. */
export const SHAPES: readonly ShapeCase[] = [
  { name: 'Laravel simplePaginate, next-link (default)', api: laravelSimpleApi, path: '/api/customers', options: { params: { per_page: 10 } }, exact: false },
  { name: 'next-link to an extra empty page, relative links', api: extraEmptyPageApi, path: '/items', options: { params: { per_page: 10 }, pagination: { type: 'next-link', next: 'next' } }, exact: false },
  { name: 'Laravel API Resources, next-link on links.next', api: laravelResourceApi, path: '/api/customers', options: { params: { per_page: 10 }, pagination: { type: 'next-link', next: 'links.next' } }, exact: false },
  { name: 'Laravel cursorPaginate, next-link', api: laravelCursorApi, path: '/api/customers', options: { params: { per_page: 10 } }, exact: false },
  { name: 'Laravel cursorPaginate, cursor on next_cursor', api: laravelCursorApi, path: '/api/customers', options: { params: { per_page: 10 }, pagination: { type: 'cursor', cursor: 'next_cursor' } }, exact: false },
  { name: 'Laravel paginate, page-number with lastPage', api: laravelPaginateApi, path: '/api/customers', options: { params: { per_page: 10 }, pagination: { type: 'page-number', lastPage: 'last_page' } }, exact: true },
  { name: 'Laravel paginate, page-number with total', api: laravelPaginateApi, path: '/api/customers', options: { params: { per_page: 10 }, pagination: { type: 'page-number', total: 'total' } }, exact: true },
  { name: 'Laravel paginate, page-number without a count', api: laravelPaginateApi, path: '/api/customers', options: { params: { per_page: 10 }, pagination: { type: 'page-number' } }, exact: false },
  { name: 'Laravel API Resources, page-number with meta.last_page', api: laravelResourceApi, path: '/api/customers', options: { params: { per_page: 10 }, pagination: { type: 'page-number', lastPage: 'meta.last_page' } }, exact: true },
  { name: 'Link header (GitHub)', api: linkHeaderApi, path: '/repos/o/r/issues', options: { records: '', params: { per_page: 10 }, pagination: { type: 'link-header' } }, exact: false },
  { name: 'offset with total', api: offsetApi, path: '/v2/items', options: { records: 'items', pagination: { type: 'offset', limit: 10, total: 'total' } }, exact: true },
  { name: 'offset without total', api: (records) => offsetApi(records, { withTotal: false }), path: '/v2/items', options: { records: 'items', pagination: { type: 'offset', limit: 10 } }, exact: false },
  {
    name: 'Stripe cursor (starting_after, has_more)',
    api: (records) => stripeApi(stripeRecords(records)),
    path: '/v1/customers',
    options: { params: { limit: 10 }, pagination: { type: 'cursor', fromLastRecord: 'id', param: 'starting_after', hasMore: 'has_more' } },
    exact: false,
  },
  {
    name: 'cursor from the last record, ending on an empty page',
    api: (records) => stripeApi(stripeRecords(records)),
    path: '/v1/customers',
    options: { params: { limit: 10 }, pagination: { type: 'cursor', fromLastRecord: 'id', param: 'starting_after' } },
    exact: false,
  },
];

/** What each shape serves as a record (Stripe's ids are strings). */
export const servedIds = (shape: ShapeCase, count: number): unknown[] => Array.from({ length: count }, (_, index) => (shape.name.includes('Stripe') || shape.name.startsWith('cursor from') ? `cus_${String(index + 1).padStart(4, '0')}` : index + 1));
