import { z } from 'zod';
import { existingPathsHint, readPath } from '../body-path';
import { followLinks } from './follow-links';
import { definePagination, nextLikePaths, PageProblem } from './paginator';

/** The target of the `rel="next"` link in an RFC 8288 `Link` header, if there is one. */
export function nextRelation(header: string): string | undefined {
  // `<target>` then `; name=value` parameters, where a quoted value may hold `,` and `;`.
  for (const [, target, parameters] of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,=\s]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))?)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(parameters);
    if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) return target;
  }
  return undefined;
}

export const linkHeaderPagination = definePagination({
  type: 'link-header',
  config: z.strictObject({ type: z.literal('link-header') }).meta({
    description: 'Follows the `rel="next"` link of the `Link` response header (RFC 8288: GitHub, GitLab and many others); a page without one is the last.',
  }),
  create: () =>
    followLinks((page) => {
      const header = page.headers.link;
      if (typeof header === 'string') return nextRelation(header) ?? null;
      // No header at all ends a single-page answer (GitHub sends none then), unless the body links on:
      // then the API pages in the body, and stopping here would lose every page after this one.
      const inBody = nextLikePaths(page.body).filter((path) => typeof readPath(page.body, path) === 'string');
      if (inBody.length > 0) throw new PageProblem(`no Link header, but the body looks paginated (use pagination type next-link or cursor)${existingPathsHint(inBody, 'paths')}`);
      return null;
    }),
});
