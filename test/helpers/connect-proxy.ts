import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ConnectProxyOptions {
  /** Answer every CONNECT with this status instead of opening the tunnel (403: a proxy policy refusing the host). */
  readonly refuseWith?: number;
}

/** One thing the proxy was asked to do. */
export interface ProxiedRequest {
  /** `CONNECT` (a tunnel, for https) or the method of a forwarded plain-http request. */
  readonly method: string;
  /** `host:port` for a tunnel, the absolute URL for a forwarded request. */
  readonly target: string;
  readonly proxyAuthorization?: string;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for `HTTPS_PROXY`/`HTTP_PROXY`. */
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A forward proxy on loopback, as Squid is to a client: CONNECT tunnels for https, forwarding of
 * absolute-URL requests for http. It only ever connects to 127.0.0.1.
 */
export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    const target = new URL(request.url ?? '');
    requests.push({ method: request.method ?? 'GET', target: target.href, proxyAuthorization: request.headers['proxy-authorization'] });
    if (target.hostname !== '127.0.0.1') return void response.writeHead(403).end();
    const { 'proxy-authorization': _auth, 'proxy-connection': _connection, ...headers } = request.headers;
    const upstream = http.request({ host: '127.0.0.1', port: target.port, method: request.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = request.url ?? '';
    requests.push({ method: 'CONNECT', target, proxyAuthorization: request.headers['proxy-authorization'] });
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const refusal = options.refuseWith ?? (host === '127.0.0.1' ? undefined : 403);
    if (refusal !== undefined) {
      return void client.end(`HTTP/1.1 ${refusal} ${http.STATUS_CODES[refusal]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
