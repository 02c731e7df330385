import { PageflowError } from '../../errors/pageflow-error';
import type { ResponseHeaders } from '../../sources/http/server-wait';
import type { HttpProbe } from '../probe/http-probe';

/** A page `init` looked at: parsed with `JSON.parse`, as detection only needs its shape. */
export interface ProbedPage {
  readonly url: string;
  readonly headers: ResponseHeaders;
  readonly body: unknown;
}

/** The pages `init` requests: the first (as given), then the ones a candidate pagination leads to, to confirm it. */
export type PageFetcher = (url: string) => Promise<ProbedPage>;

/** A fetcher over a probe, numbering the pages it requests; a body that is not JSON fails, naming the page. */
export function pageFetcher(probe: HttpProbe): PageFetcher {
  let index = 0;
  return async (url) => {
    index += 1;
    const { headers, text } = await probe.get(url, index);
    try {
      return { url, headers, body: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown };
    } catch {
      throw new PageflowError(`page ${index} (${url}): the answer is not JSON (starts with ${JSON.stringify(text.slice(0, 40))}): pageflow reads JSON APIs`, {
        code: 'PF_INIT_NOT_JSON',
      });
    }
  };
}
