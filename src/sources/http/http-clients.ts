import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

export interface ClientOptions {
  /** The origin of the configured `url`: the only one that gets the credentials. */
  readonly origin: string;
  /** Custom headers; treated as credentials. */
  readonly headers?: Readonly<Record<string, string>>;
  /** axios's own timeout, which only fires on an idle socket; `fetchPage` adds the hard deadline. */
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** The axios clients of one run: the one with credentials is only ever handed out for the configured origin. */
export interface HttpClients {
  clientFor(url: string): AxiosInstance;
  destroy(): void;
}

export function createHttpClients(options: ClientOptions): HttpClients {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  const create = (credentials: Record<string, string>) =>
    axios.create({
      httpAgent,
      httpsAgent,
      timeout: options.timeoutMs,
      maxContentLength: options.maxResponseBytes,
      // The body's bytes as received: the page reader checks them for UTF-8 before decoding.
      responseType: 'arraybuffer',
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
      maxRedirects: 0,
      headers: {
        ...credentials,
        // Without it Laravel answers an unauthenticated request with a redirect to a login page.
        Accept: 'application/json',
        'Accept-Encoding': 'gzip, deflate',
      },
    });
  const home = create({ ...options.headers });
  const away = create({});
  return {
    clientFor: (url) => (new URL(url).origin === options.origin ? home : away),
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
