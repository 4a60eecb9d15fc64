/**
 * A small raw Streamable HTTP client for tests (MCP 2025-03-26 onwards "Transports > Streamable
 * HTTP"): POST, GET and DELETE on one path with the headers a real client sends, and the answer as
 * it arrives: a `text/event-stream` answer is handed over as soon as its headers are in, its events
 * parsed by the SSE client's reader; any other answer once its body is complete. Deliberately
 * independent of the package's own code.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { readEventStream, type EventStream } from './sse-client';

/** The `Accept` a Streamable HTTP client sends on a POST. */
export const POST_ACCEPT = 'application/json, text/event-stream';

/** Request headers; `null` removes one the client would send by default. */
export type HeaderChanges = Record<string, string | null>;

/** The answer to one request on the Streamable HTTP path. */
export interface StreamableAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** A `200 text/event-stream` answer: its events as they arrive; otherwise `undefined`. */
  stream: EventStream | undefined;
  /** The body of an answer that is not a stream ('' for a stream). */
  body: string;
  /** `body` parsed as JSON, or `undefined`. */
  json: unknown;
  /** Cuts the connection from the client side. */
  close(): void;
}

/**
 * Sends one request and resolves with its answer: at once when it is a `text/event-stream` (read
 * the events from `stream`), after its body otherwise. `body` is sent as given.
 */
export function streamableRequest(url: string, method: string, headers: Record<string, string>, body?: string | Buffer): Promise<StreamableAnswer> {
  return new Promise((resolve, reject) => {
    const sent = { ...headers };
    const framed = Object.keys(sent).some((name) => /^(content-length|transfer-encoding)$/i.test(name));
    // As fetch does: a body of known length goes with its Content-Length.
    if (body !== undefined && !framed) sent['Content-Length'] = String(Buffer.byteLength(body));
    const req = http.request(url, { method, headers: sent }, (res) => {
      const close = (): void => {
        req.destroy();
      };
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode === 200 && type.startsWith('text/event-stream')) {
        resolve({ status: 200, headers: res.headers, stream: readEventStream(res), body: '', json: undefined, close });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: undefined, body: text, json, close });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * One client of one Streamable HTTP path. It sends what the SDK clients send: on POST `Accept:
 * application/json, text/event-stream` and `Content-Type: application/json`, on GET `Accept:
 * text/event-stream`; `Mcp-Session-Id` once `initialize` answered one (or it is set by hand), and
 * `MCP-Protocol-Version` when {@link protocolVersion} is set. `headers` (every request) and each
 * call's own changes go on top.
 */
export class StreamableClient {
  /** The session id the `initialize` answer carried, or one set by hand. */
  sessionId: string | undefined;
  /** Sent as `MCP-Protocol-Version` when set. */
  protocolVersion: string | undefined;
  private readonly open: StreamableAnswer[] = [];

  /** @param url the Streamable HTTP path, e.g. `http://127.0.0.1:1234/mcp`. */
  constructor(readonly url: string, readonly headers: Record<string, string> = {}) {}

  /** POSTs `message` (serialised here unless it is a string or Buffer, which are sent as they are). */
  post(message: unknown, changes: HeaderChanges = {}): Promise<StreamableAnswer> {
    const body = typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message);
    return this.request('POST', changes, body);
  }

  /**
   * POSTs `initialize` (request id `id`, asking for `protocolVersion`) without a session id, and
   * keeps the `Mcp-Session-Id` it answers with.
   */
  async initialize(id: string | number = 0, changes: HeaderChanges = {}, protocolVersion = '2025-11-25'): Promise<StreamableAnswer> {
    const answer = await this.post({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-test-client', version: '1.0.0' } },
    }, { 'Mcp-Session-Id': null, 'MCP-Protocol-Version': null, ...changes });
    const sessionId = answer.headers['mcp-session-id'];
    if (answer.status < 300 && typeof sessionId === 'string') this.sessionId = sessionId;
    return answer;
  }

  /** GET: opens the standalone stream, or with `Last-Event-ID` in `changes`, resumes a stream. */
  get(changes: HeaderChanges = {}): Promise<StreamableAnswer> {
    return this.request('GET', changes);
  }

  /** DELETE: ends the session. */
  delete(changes: HeaderChanges = {}): Promise<StreamableAnswer> {
    return this.request('DELETE', changes);
  }

  /** Cuts every connection this client still has open. */
  closeAll(): void {
    for (const answer of this.open.splice(0)) answer.close();
  }

  /**
   * Sends any method with the client's headers: GET's `Accept`, none on DELETE, POST's `Accept`
   * and `Content-Type` on every other method.
   */
  async request(method: string, changes: HeaderChanges = {}, body?: string | Buffer): Promise<StreamableAnswer> {
    const defaults: Record<string, string> = method === 'GET' ? { Accept: 'text/event-stream' }
      : method === 'DELETE' ? {} : { Accept: POST_ACCEPT, 'Content-Type': 'application/json' };
    // Header names are case-insensitive: the last change of a name wins, whatever its case.
    const headers = new Map<string, [string, string | null]>();
    const set = (from: Record<string, string | null>): void => {
      for (const [name, value] of Object.entries(from)) headers.set(name.toLowerCase(), [name, value]);
    };
    set(defaults);
    if (this.sessionId !== undefined) set({ 'Mcp-Session-Id': this.sessionId });
    if (this.protocolVersion !== undefined) set({ 'MCP-Protocol-Version': this.protocolVersion });
    set(this.headers);
    set(changes);
    const sent: Record<string, string> = {};
    for (const [name, value] of headers.values()) if (value !== null) sent[name] = value;
    const answer = await streamableRequest(this.url, method, sent, body);
    if (answer.stream !== undefined) this.open.push(answer);
    return answer;
  }
}

/** The JSON-RPC messages of a stream's `message` events, parsed (priming events, with empty data, left out). */
export function messagesOf(stream: EventStream): unknown[] {
  return stream.events.filter((e) => e.event === 'message' && e.data !== '').map((e) => JSON.parse(e.data) as unknown);
}

/**
 * Opens a session on `client` (POSTs `initialize`; the server must answer it) and reads the answer
 * to the end: the session then has no stream and nothing in flight, as a client leaves it that
 * goes quiet or is abandoned.
 * @returns `client`, now with its `sessionId`.
 */
export async function openIdleSession(client: StreamableClient): Promise<StreamableClient> {
  const answer = await client.initialize('init');
  assert.equal(answer.status, 200, answer.body);
  assert.equal(await answer.stream?.ended, true);
  return client;
}

/** What a POST on the client's session gets now: 202 for a notification while it is open, 404 once it has gone. */
export async function statusOf(client: StreamableClient): Promise<number> {
  return (await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status;
}
