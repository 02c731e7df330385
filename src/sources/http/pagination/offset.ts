import { z } from 'zod';
import { QueryTemplate } from '../page-url';
import { definePagination, definePaginator, PageProblem, readCount } from './paginator';

const offsetPosition = z.strictObject({
  offset: z.int().min(0),
  /** The record total, once a page has told (`total`). */
  total: z.int().min(0).optional(),
});

export const offsetPagination = definePagination({
  type: 'offset',
  config: z
    .strictObject({
      type: z.literal('offset'),
      param: z.string().min(1).default('offset').meta({ secret: false, description: 'Query parameter that carries the offset of the first record of a page.' }),
      limitParam: z.string().min(1).default('limit').meta({ secret: false, description: 'Query parameter that carries the page size.' }),
      limit: z.int().min(1).meta({ description: 'Records per page: a shorter page ends the export.', examples: [100] }),
      total: z.string().optional().meta({ secret: false, description: 'Dot path of the record total: pages are then requested `concurrency` at a time.', examples: ['total', 'meta.total'] }),
    })
    .meta({ description: 'Requests `offset=0, limit`, `offset=limit`…: ends at the total, an empty page or a page shorter than `limit`.' }),
  create: ({ param, limitParam, limit, total }) => {
    const template = new QueryTemplate([limitParam, param]);
    return definePaginator<z.output<typeof offsetPosition>>({
      position: offsetPosition,
      first: () => ({ offset: 0 }),
      url: (position, start) => template.url(start, { [limitParam]: limit, [param]: position.offset }),
      next: (position, { body, records }) => {
        const offset = position.offset + limit;
        if (total === undefined) return records.length < limit ? undefined : { offset };
        const count = readCount(body, total, 'total');
        if (offset >= count) return undefined;
        // Before the total is reached, a short page means the server serves fewer than `limit` a page:
        // stepping on by `limit` would skip records.
        if (records.length < limit) throw new PageProblem(`${records.length} records at offset ${position.offset}, fewer than limit ${limit}, with ${count} in total: does the server cap ${limitParam}?`);
        return { offset, total: count };
      },
      ahead: (position) => {
        const offset = position.offset + limit;
        if (position.total === undefined) return { position: { offset }, exact: false };
        return offset < position.total ? { position: { offset, total: position.total }, exact: true } : undefined;
      },
    });
  },
});
