/**
 * The answer to a POST in JSON response mode (MCP 2025-03-26 onwards "Transports > Streamable HTTP
 * > Sending Messages to the Server": the server may answer a POST that carries requests with one
 * `application/json` body instead of an SSE stream), and the 2026-07-28 revision's answer to a
 * POST that asked for no stream. A {@link ResponseWriter} that carries responses only.
 *
 * Never imports Node-RED.
 */
import type { ServerResponse } from 'node:http';
import type { ResponseWriter, SharedMessage, SseEvent } from './response-writer';

/**
 * A POST's answer in JSON response mode: the responses to the requests it carried, sent as one
 * `200 application/json` body (an object, or an array when the POST was a batch) once the last is
 * in. It carries nothing but responses: a notification, a server-initiated request or an event
 * has no place in it, and is refused (see {@link writeMessage}, {@link writeEvent}).
 */
export class JsonReply implements ResponseWriter {
  /** {@link ResponseWriter.responsesOnly}: the responses to the POST's requests, nothing else. */
  readonly responsesOnly = true;
  /** {@link ResponseWriter.queued}: a JSON reply queues nothing for drain. */
  readonly queued = 0;
  /** {@link ResponseWriter.queuedBytes}: always 0. */
  readonly queuedBytes = 0;
  private readonly parts: string[] = [];
  private ended = false;

  /**
   * @param res the POST's response.
   * @param batch true when the POST was a JSON array: the answer is an array too.
   * @param headers extra response headers (`Mcp-Session-Id`).
   * @param statusOf the HTTP status of a single response (2026-07-28: 404 for `-32601`, 400 for
   *   `-32021`); 200 when absent.
   */
  constructor(private readonly res: ServerResponse, private readonly batch: boolean, private readonly headers: Record<string, string> = {},
    private readonly statusOf?: (json: string) => number) {
    res.once('close', () => {
      this.ended = true;
    });
  }

  /** True once the answer went out or the client has gone. */
  get closed(): boolean {
    return this.ended || this.res.destroyed;
  }

  /**
   * {@link ResponseWriter.writeMessage}: adds one response (JSON text) to the body. The caller
   * hands it responses only (see {@link responsesOnly}).
   * @throws TypeError for a broadcast (notifications only) or an event id: a JSON body has neither.
   */
  writeMessage(message: string | SharedMessage, eventId?: string): void {
    if (typeof message !== 'string') throw new TypeError('A JSON reply carries responses only: a broadcast notification goes on an SSE stream');
    if (eventId !== undefined) throw new TypeError('A JSON reply carries responses only: it has no event ids');
    this.parts.push(message);
  }

  /**
   * {@link ResponseWriter.writeEvent}: refused.
   * @throws TypeError always: a JSON reply carries responses only, no SSE event.
   */
  writeEvent(event: SseEvent): void {
    throw new TypeError(`A JSON reply carries responses only: no SSE event (${event.event ?? 'message'})`);
  }

  /** {@link ResponseWriter.keepAlive}: nothing to do, a JSON body cannot carry a keep-alive. */
  keepAlive(): void {}

  /** {@link ResponseWriter.end}: every request is answered; sends the body now. Idempotent. */
  end(): void {
    this.close();
  }

  /**
   * Sends what was added: one response as an object (with the status `statusOf` gives it), several,
   * or any number for a batch, as an array, with `Content-Length`. Nothing when the client has
   * gone. Idempotent.
   */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.res.writableEnded || this.res.destroyed) return;
    const body = this.batch || this.parts.length !== 1 ? `[${this.parts.join(',')}]` : this.parts[0];
    const status = !this.batch && this.parts.length === 1 && this.statusOf !== undefined ? this.statusOf(this.parts[0]) : 200;
    this.res.writeHead(status, { ...this.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    this.res.end(body);
  }
}
