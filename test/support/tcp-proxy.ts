/**
 * A tiny TCP proxy on 127.0.0.1 for tests that must cut a live connection the way a network does:
 * both sockets are destroyed, nothing is closed cleanly at the HTTP level.
 */
import net from 'node:net';

export interface ProxiedConnection {
  /** Everything the client sent on this connection so far, as text (requests and headers). */
  sent: string;
  client: net.Socket;
  upstream: net.Socket;
  open: boolean;
}

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  connections: ProxiedConnection[];
  /**
   * Destroys every open connection whose client sent `marker` (e.g. `GET /sse`), or for which
   * `marker(sent)` is true; returns how many.
   */
  cut(marker: string | ((sent: string) => boolean)): number;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`http://127.0.0.1:<port>`). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const connections: ProxiedConnection[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    const conn: ProxiedConnection = { sent: '', client, upstream, open: true };
    connections.push(conn);
    client.on('data', (chunk: Buffer) => {
      conn.sent += chunk.toString('latin1');
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = (): void => {
      conn.open = false;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    connections,
    cut(marker) {
      let n = 0;
      for (const conn of connections) {
        if (!conn.open || !(typeof marker === 'string' ? conn.sent.includes(marker) : marker(conn.sent))) continue;
        conn.open = false;
        conn.client.destroy();
        conn.upstream.destroy();
        n++;
      }
      return n;
    },
    close() {
      for (const conn of connections) {
        conn.client.destroy();
        conn.upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
