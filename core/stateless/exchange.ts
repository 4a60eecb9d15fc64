/**
 * One 2026-07-28 exchange (MCP 2026-07-28, SEP-2575): a stateless POST while it is answered, as
 * a reply destination of its own, the way a session is one (`ReplyDestination`). It is made for
 * its POST and ends with it, as the SDK v2's `createMcpHandler` gives each request a transport of
 * its own: it answers the requests the POST carried on the POST's response (one JSON body, or an
 * SSE stream that also carries what the flow sends about them), and nothing else. It is never in
 * the registry, no listener hears it open or close, and a flow addresses it by its id
 * (`msg.mcp.exchangeId`) as it would a session.
 *
 * Never imports Node-RED.
 */
import { Channels } from '../channel';
import { isObject, type JsonRpcMessage, type RequestId } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import { SessionClosedError, type CloseReason } from '../session';
import type { ResponseWriter } from '../response-writer';
import type { QueueLimits, SseStream, StreamOwner } from '../sse';
import type { Envelope } from './envelope';
import type { ListenState } from './listen';

/** One request of an exchange: what it is, and its input rounds. */
export interface ExchangeRequest {
  method: string;
  /** The tool or prompt name, or the resource URI. */
  name?: string;
  /** Input responses known: the sealed earlier rounds' and this retry's `params.inputResponses`. */
  responses: Record<string, unknown>;
  /** The flow's state carried in `requestState`. */
  state?: unknown;
  /** Input requests asked in this round, by key, waiting to be sent as one `input_required` result. */
  asked: Record<string, { method: string; params?: unknown }>;
  /** Input requests made so far in this run of the flow: the next key when the flow names none. */
  inputCount: number;
  /** The timer that sends `asked`. */
  timer?: NodeJS.Timeout;
}

/** The key of a request id in an exchange's map: a number id 1 and a string id "1" are different ids. */
export function requestKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/** What an exchange needs from whoever opened it (`Exchanges`). */
interface ExchangeOptions {
  /** Bounds of the push queue of its SSE stream. */
  queueLimits: QueueLimits;
  /** Called once when the exchange ends. */
  onClose(exchange: Exchange): void;
  /** Hears why the exchange closed on its own (queue overflow): a sentence to log. */
  onWarning(text: string): void;
}

/** One 2026-07-28 POST being answered; see the module comment. */
export class Exchange implements ReplyDestination, StreamOwner {
  readonly transport = 'streamable-http';
  /** The protocol version of its envelope. */
  protocolVersion: string;
  /** Never set: a 2026-07-28 request has no `initialize`. */
  initializeId?: RequestId;
  /** Its client requests, by {@link requestKey}: method, name and input rounds (`input-required.ts`). */
  readonly requests = new Map<string, ExchangeRequest>();
  /** Set on a `subscriptions/listen` exchange once it is acknowledged (see `ListenState`). */
  listen?: ListenState;
  private closedReason: CloseReason | undefined;
  /** The POST's answer: one channel, open until every request it carried is answered. */
  private readonly channels = new Channels();
  /** Told once when it ends ({@link whenClosed}). */
  private readonly closeListeners: Array<() => void> = [];

  /**
   * @param id a v4 UUID (`msg.mcp.exchangeId`).
   * @param envelope what its requests' `_meta` said (the first message's).
   */
  constructor(readonly id: string, readonly envelope: Envelope, private readonly options: ExchangeOptions) {
    this.protocolVersion = envelope.protocolVersion;
  }

  /** True once the exchange has ended; sending to it then throws. */
  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** The queue bounds of its SSE stream. */
  get queueLimits(): QueueLimits {
    return this.options.queueLimits;
  }

  /** Calls `listener` once when the exchange ends (at once if it has). */
  whenClosed(listener: () => void): void {
    if (this.closedReason !== undefined) listener();
    else this.closeListeners.push(listener);
  }

  /** True when the client declared `capability` in its envelope. */
  declares(capability: string): boolean {
    return isObject(this.envelope.clientCapabilities[capability]);
  }

  /**
   * Opens the POST's answer: the responses to `requestIds`, and what the flow sends about them,
   * go on `writer`, which ends once every one is answered.
   */
  openRequestChannel(writer: ResponseWriter, requestIds: RequestId[]): void {
    this.channels.openRequest(writer, requestIds);
  }

  /**
   * {@link ReplyDestination.send}: a response to one of its requests, or a message about one
   * while its SSE stream is open; nothing else has anywhere to go (false).
   */
  send(message: JsonRpcMessage, related?: RequestId): boolean {
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    const json = JSON.stringify(message);
    const isResponse = !('method' in message) && message.id !== null;
    const route = this.channels.route(isResponse, isResponse ? message.id as RequestId : related, false);
    if (route === undefined) return false;
    const { channel, answers } = route;
    // Not numbered: an exchange cannot be resumed, so its events carry no id.
    channel.writer?.writeMessage(json);
    if (answers !== undefined) this.channels.answered(channel, answers);
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    return true;
  }

  /** Writes a keep-alive comment on its SSE stream, when it has one. */
  keepAlive(): void {
    for (const channel of this.channels.values()) channel.writer?.keepAlive();
  }

  /** {@link StreamOwner}: its stream ended; what would still go there has nowhere to go. */
  onStreamClosed(stream: SseStream): void {
    if (this.closedReason === undefined) this.channels.release(stream, false);
  }

  /** {@link StreamOwner}: a client that does not read its stream has made the queue overflow. */
  onQueueOverflow(_stream: SseStream, detail: string): void {
    this.options.onWarning(`MCP session ${this.id} closed: ${detail}`);
    this.close('queue-overflow');
  }

  /**
   * Ends the exchange: its POST's response ends (a JSON reply still waiting for responses first
   * gets `-32000` for each). Idempotent; `onClose` runs once.
   */
  close(reason: CloseReason): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.channels.closeAll(`Connection closed: the MCP session ended (${reason}) before the request was answered`);
    this.options.onClose(this);
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
