import { z } from 'zod';
import { QueryTemplate } from '../page-url';
import { definePagination, definePaginator, PageProblem, readCount, sizeFrom } from './paginator';

const pagePosition = z.strictObject({
  page: z.int().min(0),
  /** The last page, once a page has told (`lastPage`, or `total` ÷ page size). */
  last: z.int().min(0).optional(),
  /** The page size `total` is divided by, when it was taken from the first page. */
  size: z.int().min(1).optional(),
  /** Stop after this page even if there are more: a crawl of a page range (one job of a split export). */
  until: z.int().min(0).optional(),
});
export type PagePosition = z.output<typeof pagePosition>;

/** The position that crawls pages `from`…`to` only (with `resumeFrom`: one part of an export split by page ranges). */
export const pageRange = (from: number, to: number): PagePosition => ({ page: from, until: to });

export const pageNumberPagination = definePagination({
  type: 'page-number',
  config: z
    .strictObject({
      type: z.literal('page-number'),
      param: z.string().min(1).default('page').meta({ secret: false, description: 'Query parameter that carries the page number.' }),
      start: z.int().min(0).default(1).meta({ description: 'Number of the first page.' }),
      sizeParam: z
        .string()
        .min(1)
        .default('per_page')
        .meta({ description: 'The `params` entry that sets the page size: when it is set, a page shorter than that ends the export.' }),
      lastPage: z.string().optional().meta({ secret: false, description: 'Dot path of the last page number (Laravel paginate `last_page`, API Resources `meta.last_page`): pages are then requested `concurrency` at a time.', examples: ['last_page', 'meta.last_page'] }),
      total: z.string().optional().meta({ secret: false, description: 'Dot path of the record total (pages = total ÷ page size): pages are then requested `concurrency` at a time.', examples: ['total', 'meta.total'] }),
    })
    .refine((config) => config.lastPage === undefined || config.total === undefined, { message: 'set lastPage or total, not both', path: ['total'] })
    .meta({ description: 'Requests page 1, 2, 3…: ends at the last page (`lastPage`, `total`), an empty page, or a page shorter than the page size.' }),
  create: ({ param, start, sizeParam, lastPage, total }, { params }) => {
    const template = new QueryTemplate([param]);
    const configuredSize = sizeFrom(params, sizeParam);
    /** The last page as this page tells it, with the page size `total` is divided by. */
    const countOf = (body: unknown, records: number, position: PagePosition): Pick<PagePosition, 'last' | 'size'> => {
      if (lastPage !== undefined) return { last: readCount(body, lastPage, 'lastPage') };
      if (total === undefined) return {};
      // Without a configured size, the first page's is the page size (the server's default).
      const size = configuredSize ?? position.size ?? (records > 0 ? records : undefined);
      const count = readCount(body, total, 'total');
      return { last: start + Math.max(1, Math.ceil(count / (size ?? 1))) - 1, size: configuredSize === undefined ? size : undefined };
    };
    return definePaginator<PagePosition>({
      position: pagePosition,
      first: () => ({ page: start }),
      url: (position, startUrl) => template.url(startUrl, { [param]: position.page }),
      expectedPage: (position) => position.page,
      next: (position, { body, records }) => {
        const { last, size } = countOf(body, records.length, position);
        const rangeEnds = position.until !== undefined && position.page >= position.until;
        if (last !== undefined) {
          if (position.page >= last) return undefined;
          // Before the last page, a short page means the server serves fewer records than the count assumes:
          // ending at the count would lose the rest. Checked at the end of a range too, as one crawl would.
          const pageSize = configuredSize ?? size;
          if (records.length === 0 || (pageSize !== undefined && records.length < pageSize)) {
            throw new PageProblem(
              `page ${position.page} of ${last} has ${records.length} records${pageSize === undefined ? '' : `, fewer than the page size ${pageSize}`}: the count and the pages disagree (does the server cap ${sizeParam}?)`,
            );
          }
          if (rangeEnds) return undefined;
          return { page: position.page + 1, last, ...(size === undefined ? {} : { size }), ...(position.until === undefined ? {} : { until: position.until }) };
        }
        if (rangeEnds || records.length === 0 || (configuredSize !== undefined && records.length < configuredSize)) return undefined;
        return { page: position.page + 1, ...(position.until === undefined ? {} : { until: position.until }) };
      },
      ahead: (position) => {
        const page = position.page + 1;
        if (position.until !== undefined && page > position.until) return undefined;
        if (position.last === undefined) return { position: { ...position, page }, exact: false };
        return page <= position.last ? { position: { ...position, page }, exact: true } : undefined;
      },
    });
  },
});
