import { z } from 'zod';
import { followLinks } from './follow-links';
import { definePagination, readConfigured } from './paginator';

export const nextLinkPagination = definePagination({
  type: 'next-link',
  config: z
    .strictObject({
      type: z.literal('next-link'),
      next: z.string().default('next_page_url').meta({
        secret: false,
        description: "Dot path of the next page's URL in each page (absolute, or relative to the page); null or empty ends the export, an absent path fails it.",
        examples: ['next_page_url', 'links.next'],
      }),
    })
    .meta({ description: 'Follows the next link in each page: Laravel simplePaginate (`next_page_url`), API Resources (`links.next`).' }),
  create: ({ next }) => followLinks((page) => readConfigured(page.body, next, 'next', 'next')),
});
