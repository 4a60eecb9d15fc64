/**
 * A relayed HTTP request as the owning instance's transports see it: a {@link RelayedRequest}
 * (an `IncomingMessage` stand-in carrying the method, URL, headers and body the client sent to
 * another instance) and a {@link RelayedResponse} (a `ServerResponse` stand-in whose status,
 * headers and body are published back to that instance, which writes them to the client). The
 * transports serve them exactly as a local request: same checks, same answers.
 *
 * Never imports Node-RED.
 */
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { RelayRequestMessage, RelayResponseMessage } from './wire';

/** Marks a request that came relayed from another instance, so it is never relayed again. */
const RELAYED = Symbol.for('node-red-contrib-mcp-sse.relayed');

/** True for a request another instance relayed here. */
export function isRelayed(req: object): boolean {
  return (req as { [RELAYED]?: boolean })[RELAYED] === true;
}

/** The client's request, as relayed: a readable body and what the transports read of a request. */
export class RelayedRequest extends Readable {
  readonly [RELAYED] = true;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** What the `Host` checks read of the connection: the address the client reached, and TLS. */
  readonly socket: { localAddress?: string; encrypted?: boolean };

  constructor(message: RelayRequestMessage) {
    super();
    this.method = message.method;
    this.url = message.url;
    this.headers = message.headers;
    this.socket = { localAddress: message.localAddress, encrypted: message.encrypted };
    if (message.body !== undefined) this.push(Buffer.from(message.body, 'utf8'));
    this.push(null);
  }

  override _read(): void {}
}

/**
 * The answer to a relayed request. What the transport writes within one turn of the event loop
 * leaves as one pub/sub message (status, headers and the first events of a stream together).
 * `close` is emitted when the client went away (the relaying instance said so), when the answer
 * cannot be delivered (nobody listens on the relaying instance's channel: it died) or when the
 * link to Redis is lost; `write` never reports backpressure (the relaying instance bounds what
 * it buffers for its client).
 */
export class RelayedResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  readonly socket = undefined;
  private headers: OutgoingHttpHeaders | undefined;
  private chunks: string[] = [];
  private scheduled = false;
  private endSent = false;

  /**
   * @param r the relay id, as the relaying instance named it.
   * @param deliver publishes one message to the relaying instance; resolves to the number of
   *   receivers (0: it is gone), rejects when Redis is unreachable.
   */
  constructor(readonly r: number, private readonly deliver: (message: RelayResponseMessage) => Promise<number>) {
    super();
  }

  /** As `ServerResponse.writeHead(status, headers)`. */
  writeHead(status: number, headers?: OutgoingHttpHeaders): this {
    this.statusCode = status;
    this.headers = { ...headers };
    this.headersSent = true;
    this.schedule();
    return this;
  }

  /** Nothing to do: the headers leave with the first flush. */
  flushHeaders(): void {}

  /** Queues `chunk` for the next flush. @returns true (see the class comment). */
  write(chunk: string | Buffer): boolean {
    if (this.writableEnded || this.destroyed) return false;
    this.chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    this.schedule();
    return true;
  }

  /** Ends the answer, with a last `chunk`. */
  end(chunk?: string | Buffer): this {
    if (this.writableEnded || this.destroyed) return this;
    if (chunk !== undefined && chunk.length > 0) this.chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    this.writableEnded = true;
    this.flush();
    return this;
  }

  /** The client is gone, or cannot be reached: the response closes, as a socket's would. Idempotent. */
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.chunks = [];
    this.emit('close');
    return this;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.destroyed || this.endSent) return;
    const message: RelayResponseMessage = { t: 'res', r: this.r };
    if (this.headers !== undefined) {
      message.status = this.statusCode;
      message.headers = this.headers;
      this.headers = undefined;
    }
    if (this.chunks.length > 0) message.chunks = this.chunks.splice(0);
    const ending = this.writableEnded;
    if (ending) {
      message.end = true;
      this.endSent = true;
    }
    if (message.status === undefined && message.chunks === undefined && !ending) return;
    this.deliver(message).then((receivers) => {
      if (receivers === 0) this.destroy();
      else if (ending) this.finished();
    }, () => this.destroy());
  }

  private finished(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('finish');
    this.emit('close');
  }
}
