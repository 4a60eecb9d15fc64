/**
 * Real HTTP responses for the core's unit tests (session, channel): a node:http server on
 * 127.0.0.1 hands each request's `ServerResponse` to the test, which writes to it through the
 * core's classes, while the client side reads what arrives.
 */
import http from 'node:http';
import { listenOnLoopback } from './core-server';
import { readEventStream, type EventStream } from './sse-client';

/** One request: the server's response, and its client's. */
export interface ResponsePair {
  /** The server side, for an `SseStream` or a `JsonReply`. */
  res: http.ServerResponse;
  /** The client side, once the server has sent the head. */
  reply: Promise<http.IncomingMessage>;
  /** Cuts the connection from the client side. */
  cut(): void;
}

export interface ResponseServer {
  /** Makes a GET and resolves once the server holds its response. */
  open(): Promise<ResponsePair>;
  close(): Promise<void>;
}

/** Starts the server. */
export async function startResponseServer(): Promise<ResponseServer> {
  const waiting: Array<(res: http.ServerResponse) => void> = [];
  const server = http.createServer((_req, res) => waiting.shift()?.(res));
  const listening = await listenOnLoopback(server);
  return {
    async open() {
      const served = new Promise<http.ServerResponse>((resolve) => waiting.push(resolve));
      const req = http.get(`${listening.url}/`);
      const reply = new Promise<http.IncomingMessage>((resolve, reject) => {
        req.once('response', resolve);
        req.once('error', reject);
      });
      // A cut connection rejects `reply` when nobody awaits it: that is the point of cutting.
      reply.catch(() => {});
      return { res: await served, reply, cut: () => req.destroy() };
    },
    close: () => listening.close(),
  };
}

/** The events of a `text/event-stream` reply, as they arrive. */
export async function eventsOf(pair: ResponsePair): Promise<EventStream> {
  return readEventStream(await pair.reply);
}

/** The whole body of a reply, with its status and headers, once it has ended. */
export async function bodyOf(pair: ResponsePair): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const reply = await pair.reply;
  let body = '';
  reply.setEncoding('utf8');
  for await (const chunk of reply) body += chunk as string;
  return { status: reply.statusCode ?? 0, headers: reply.headers, body };
}
