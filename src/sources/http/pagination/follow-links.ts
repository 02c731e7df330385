import { z } from 'zod';
import { followingPageUrl, LostParams, pageParameter, resolveLink } from '../page-url';
import { PageProblem, type PageView, type Paginator } from './paginator';

const linkPosition = z.strictObject({ url: z.string().optional() });
/** Where a link-following crawl is: the server's link to request next (resolved, without our `params`); none for the first URL. */
type LinkPosition = z.output<typeof linkPosition>;

/**
 * What the link-following strategies (next-link, link-header) share. The server's link is the
 * position; its URL gets back the query parameters of the first request it lost. Links of the form
 * `?page=n+1` (Laravel's, GitHub's) are guessed ahead, and each page's own link must confirm the guess.
 */
export function followLinks(linkOf: (page: PageView) => unknown): Paginator<LinkPosition> {
  const lost = new LostParams();
  return {
    position: linkPosition,
    first: () => ({}),
    url: (position, start) => (position.url === undefined ? start : lost.restore(position.url, start)),
    // Laravel answers a page parameter it cannot read (`page=2,`) with page 1: following on would loop.
    expectedPage: (_position, url) => pageParameter(url),
    next: (_position, page) => {
      const link = linkOf(page);
      let url;
      try {
        url = resolveLink(link, page.url);
      } catch (error) {
        throw new PageProblem(`unusable next link: ${(error as Error).message}`);
      }
      return url === undefined ? undefined : { url };
    },
    ahead: (_position, url) => {
      const following = followingPageUrl(url);
      return following === undefined ? undefined : { position: { url: following }, exact: false };
    },
  };
}
