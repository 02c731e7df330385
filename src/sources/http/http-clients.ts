import { readFileSync } from 'node:fs';
import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import { resolve } from 'node:path';
import tls from 'node:tls';
import type { AgentConnectOpts } from 'agent-base';
import type { AxiosInstance, AxiosStatic } from 'axios';
import createDebug from 'debug';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { z } from 'zod';
import { ConfigError } from '../../errors/config-error';
import type { Logger } from '../../logger';

export const tlsConfig = z
  .strictObject({
    ca: z
      .string()
      .min(1)
      .optional()
      .meta({
        description: "PEM file of CA certificates to trust besides Node's own (and `NODE_EXTRA_CA_CERTS`), for a private CA; a relative path resolves against the pipeline file's folder.",
        examples: ['certs/internal-ca.pem'],
      }),
    insecure: z
      .boolean()
      .default(false)
      .meta({ description: 'Accept any certificate, warned at every run: only for a test server, as anyone on the way can then read and change the traffic, credentials included.' }),
  })
  .meta({ description: 'Certificates for `https:` requests (pages and the OAuth2 token endpoint).', examples: [{ ca: 'certs/internal-ca.pem' }] });

export type TlsOptions = z.input<typeof tlsConfig>;

/** `tls` with a relative `ca` made absolute against `baseDir` (the pipeline file's folder). */
export function resolveTls(options: TlsOptions | undefined, baseDir: string): TlsOptions | undefined {
  return options?.ca === undefined ? options : { ...options, ca: resolve(baseDir, options.ca) };
}

export interface ClientOptions {
  /** The origin of the configured `url`: the only one that gets the credentials. */
  readonly origin: string;
  /** Custom headers; treated as credentials. */
  readonly headers?: Readonly<Record<string, string>>;
  /** axios's own timeout, which only fires on an idle socket; `fetchPage` adds the hard deadline. */
  readonly timeoutMs: number;
  readonly tls?: TlsOptions;
  /** Where the warning for `tls.insecure` goes. */
  readonly logger: Logger;
}

/** The axios clients of one run: the one with credentials is only ever handed out for the configured origin. */
export interface HttpClients {
  clientFor(url: string): AxiosInstance;
  /** The agent a request to `url` goes through (proxy from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, `tls`): for the OAuth2 token request. */
  agentFor(url: string): http.Agent;
  destroy(): void;
}

/** `code` of the error a request fails with when its proxy refuses the tunnel. */
export const PROXY_REFUSED = 'ERR_PROXY_REFUSED';

/**
 * Reads `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` per request (through `proxy-from-env`, as axios does) but
 * tunnels `https:` requests with CONNECT, which axios's own proxy support does not.
 */
export function createHttpClients(options: ClientOptions): HttpClients {
  muteLeakyDebug();
  const secure = secureOptions(options.tls);
  if (options.tls?.insecure) {
    options.logger.log('warn', `tls.insecure is on: certificates of ${options.origin} and of the token endpoint are not checked, so anyone on the network path can read and change the traffic, credentials included`);
  }
  const agentSets = new Map<string, AgentSet>();
  const agentsFor = (url: string): AgentSet => {
    const proxy = getProxyForUrl(url);
    if (proxy && !URL.canParse(proxy)) {
      // Not printed: the value may hold the proxy's password.
      throw new ConfigError('environment', [{ path: 'HTTPS_PROXY / HTTP_PROXY / ALL_PROXY', message: `the proxy for ${new URL(url).origin} is not a URL` }]);
    }
    let agents = agentSets.get(proxy);
    if (!agents) {
      agents = proxy ? proxyAgents(proxy, secure) : { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true, ...secure }) };
      agentSets.set(proxy, agents);
    }
    return agents;
  };

  const clients = new Map<AgentSet, { home: AxiosInstance; away: AxiosInstance }>();
  // Loaded here, not at start-up: commands that make no request (validate, list, schema) never pay for it.
  const axios: AxiosStatic = require('axios');
  const create = (agents: AgentSet, credentials: Record<string, string>) =>
    axios.create({
      httpAgent: agents.http,
      httpsAgent: agents.https,
      // The agents carry the proxy: axios's own would send https requests to it unencrypted.
      proxy: false,
      timeout: options.timeoutMs,
      // Read by fetchPage as it arrives (see readBodyText).
      responseType: 'stream',
      validateStatus: () => true,
      maxRedirects: 0,
      headers: {
        ...credentials,
        // Without it Laravel answers an unauthenticated request with a redirect to a login page.
        Accept: 'application/json',
        'Accept-Encoding': 'gzip, deflate',
      },
    });
  return {
    clientFor: (url) => {
      const agents = agentsFor(url);
      let pair = clients.get(agents);
      if (!pair) {
        pair = { home: create(agents, { ...options.headers }), away: create(agents, {}) };
        clients.set(agents, pair);
      }
      return new URL(url).origin === options.origin ? pair.home : pair.away;
    },
    agentFor: (url) => (new URL(url).protocol === 'https:' ? agentsFor(url).https : agentsFor(url).http),
    destroy: () => {
      for (const agents of agentSets.values()) {
        agents.http.destroy();
        agents.https.destroy();
      }
    },
  };
}

// These print credentials through `debug` when DEBUG names them (simple-oauth2 the client secret, the
// proxy agents the proxy URL with its password): they stay silent whatever DEBUG says.
const LEAKY_DEBUG = ['simple-oauth2:*', 'https-proxy-agent*', 'http-proxy-agent*'];

function muteLeakyDebug(): void {
  if (!['simple-oauth2:client', 'https-proxy-agent', 'http-proxy-agent'].some((namespace) => createDebug.enabled(namespace))) return;
  createDebug.enable([createDebug.disable(), ...LEAKY_DEBUG.map((namespace) => `-${namespace}`)].filter(Boolean).join(','));
}

interface AgentSet {
  readonly http: http.Agent;
  readonly https: http.Agent;
}

type SecureOptions = Pick<tls.ConnectionOptions, 'ca' | 'rejectUnauthorized'>;

function secureOptions(options: TlsOptions | undefined): SecureOptions {
  if (options?.insecure) return { rejectUnauthorized: false };
  if (options?.ca === undefined) return {};
  // A `ca` replaces Node's trusted certificates: keep them, and those of NODE_EXTRA_CA_CERTS.
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  return { ca: [...tls.rootCertificates, ...(extra ? [readPem(extra, 'NODE_EXTRA_CA_CERTS')] : []), readPem(resolve(options.ca), 'tls.ca')] };
}

function readPem(file: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('http source', [{ path, message: `cannot read the CA file ${file}: ${(error as Error).message}` }]);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError('http source', [{ path, message: `the CA file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` }]);
  }
  return text;
}

function proxyAgents(proxy: string, secure: SecureOptions): AgentSet {
  return {
    http: new HttpProxyAgent(proxy, { keepAlive: true, ...secure }),
    https: new TunnelAgent(proxy, { keepAlive: true, ...secure }, secure),
  };
}

/** Tunnels through the proxy with CONNECT; a refusal fails the request naming the proxy, instead of passing the proxy's answer off as the server's. */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1],
    private readonly secure: SecureOptions,
  ) {
    super(proxy, options);
  }

  override async connect(request: ClientRequest, options: AgentConnectOpts) {
    let refusal: { statusCode: number; statusText: string } | undefined;
    request.once('proxyConnect', (answer: { statusCode: number; statusText: string }) => {
      if (answer.statusCode !== 200) refusal = answer;
    });
    // The server's certificate is checked with our CA options too, not only the proxy's.
    const socket = await super.connect(request, { ...options, ...this.secure });
    if (refusal === undefined) return socket;
    socket.destroy();
    const proxy = `${this.proxy.protocol}//${this.proxy.host}`; // never the userinfo
    const what = refusal.statusCode === 407 ? 'check the proxy credentials' : 'check HTTPS_PROXY, NO_PROXY and what the proxy allows';
    // The status text is the proxy's own: no control characters, and not much of it.
    const status = `${refusal.statusCode} ${refusal.statusText.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 100)}`.trim();
    throw Object.assign(new Error(`the proxy ${proxy} refused to tunnel to ${options.host}:${options.port}: ${status} — ${what}`), { code: PROXY_REFUSED });
  }
}
