import { z } from 'zod';
import { readPath } from '../body-path';
import { QueryTemplate } from '../page-url';
import { definePagination, definePaginator, PageProblem, readConfigured } from './paginator';

const cursorPosition = z.strictObject({ cursor: z.string().optional() });

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

export const cursorPagination = definePagination({
  type: 'cursor',
  config: z
    .strictObject({
      type: z.literal('cursor'),
      cursor: z.string().optional().meta({ secret: false, description: 'Dot path of the next cursor in each page; null or empty ends the export.', examples: ['next_cursor', 'meta.next_cursor'] }),
      fromLastRecord: z.string().optional().meta({ secret: false, description: "Instead of `cursor`: the last record's field is the cursor (Stripe's `starting_after`).", examples: ['id'] }),
      param: z.string().min(1).default('cursor').meta({ secret: false, description: 'Query parameter that carries the cursor.', examples: ['cursor', 'starting_after'] }),
      hasMore: z.string().optional().meta({ secret: false, description: 'Dot path of a boolean that says whether more pages exist; false ends the export.', examples: ['has_more', 'meta.has_more'] }),
    })
    .refine((config) => (config.cursor === undefined) !== (config.fromLastRecord === undefined), { message: 'set either cursor (a path in the page) or fromLastRecord (a field of the records)', path: ['cursor'] })
    .meta({ description: "Passes each page's cursor to the next request: from a path in the page (`cursor`) or the last record (`fromLastRecord`)." }),
  create: ({ cursor: cursorPath, fromLastRecord, param, hasMore }) => {
    const template = new QueryTemplate([param]);
    return definePaginator<z.output<typeof cursorPosition>>({
      position: cursorPosition,
      first: () => ({}),
      url: (position, start) => (position.cursor === undefined ? start : template.url(start, { [param]: position.cursor })),
      next: (_position, { body, records }) => {
        if (hasMore !== undefined) {
          const more = readConfigured(body, hasMore, 'hasMore', 'next');
          if (typeof more !== 'boolean') throw new PageProblem(`expected true or false at "${hasMore}" (pagination.hasMore), got ${describe(more)}`);
          if (!more) return undefined;
        }
        let cursor: unknown;
        if (cursorPath !== undefined) {
          cursor = readConfigured(body, cursorPath, 'cursor', 'next');
        } else {
          if (records.length === 0) return undefined;
          cursor = readPath(records[records.length - 1], fromLastRecord!);
          if (cursor === undefined || cursor === null) throw new PageProblem(`the last record has no "${fromLastRecord}" (pagination.fromLastRecord) to continue from`);
        }
        if (cursor === null || cursor === '') return undefined;
        if (typeof cursor === 'object' && !('text' in cursor)) throw new PageProblem(`expected a cursor (text or number), got ${describe(cursor)}`);
        return { cursor: String(cursor) };
      },
    });
  },
});
