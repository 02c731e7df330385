import type { z } from 'zod';
import type { Redactor } from '../../errors/redact';
import type { Logger } from '../../logger';
import { createAuthenticator } from '../../sources/http/auth/auth-types';
import { type Exchange, fetchPage } from '../../sources/http/fetch-page';
import { createHttpClients, type TlsOptions } from '../../sources/http/http-clients';
import type { httpSourceConfig } from '../../sources/http/http-source';
import { originOf } from '../../sources/http/page-url';

/** An HTTP source's settings after validation, `tls.ca` resolved against the pipeline's folder. */
export type HttpSourceSettings = Omit<z.output<typeof httpSourceConfig>, 'tls'> & { readonly tls?: TlsOptions };

/**
 * Single requests made as the source makes them (clients, proxy, TLS, auth, the origin rule for
 * credentials, the one-line errors with their 401 hints), without retries, pacing or a crawl: what
 * `init`, `check` and `record` look at pages with.
 */
export interface HttpProbe {
  /** GETs `url`, the `index`th page of the probe (for messages). Throws `SourceError` (`HttpStatusError` for a non-2xx). */
  get(url: string, index: number): Promise<Exchange>;
  close(): void;
}

export function openHttpProbe(settings: HttpSourceSettings, { logger, redactor }: { logger: Logger; redactor: Redactor }): HttpProbe {
  const origin = new URL(settings.url).origin;
  const clients = createHttpClients({ origin, headers: settings.headers, timeoutMs: settings.timeout, tls: settings.tls, logger });
  const authenticator =
    settings.auth && createAuthenticator(settings.auth, { logger, onSecret: (secret) => redactor.add(secret), agentFor: clients.agentFor, timeoutMs: settings.timeout });
  for (const secret of authenticator?.secrets ?? []) redactor.add(secret);
  return {
    get: async (url, index) => {
      const credentials = originOf(url) === origin ? await authenticator?.authorize() : undefined;
      return fetchPage(clients.clientFor(url), { index, url, position: undefined }, { timeoutMs: settings.timeout, maxResponseBytes: settings.maxResponseBytes, redactor, authHint: authenticator?.hint }, credentials);
    },
    close: () => clients.destroy(),
  };
}
