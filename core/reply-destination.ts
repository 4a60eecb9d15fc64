/**
 * Where the messages to one client go, as the protocol layer, the server features and the flow see
 * it: a session (`session.ts`: opened by the client, kept until it ends, with streams of its own),
 * or a 2026-07-28 exchange (`stateless/exchange.ts`: one stateless POST while it is answered, and
 * nothing after). `msg.mcp.sessionId` or `msg.mcp.exchangeId` names it to a flow, and
 * `McpEndpoint.send` sends there by that id.
 *
 * Never imports Node-RED.
 */
import type { JsonRpcMessage, RequestId } from './jsonrpc';

/** The transport a session or exchange came on. */
export type TransportKind = 'sse' | 'streamable-http';

/** A session or a 2026-07-28 exchange; see the module comment. */
export interface ReplyDestination {
  /** Its id: a v4 UUID, unique in the process. */
  readonly id: string;
  /** The transport it came on (an exchange: `streamable-http`). */
  readonly transport: TransportKind;
  /** True once it has ended; sending to it then throws `SessionClosedError`. */
  readonly closed: boolean;
  /**
   * The protocol version its client speaks: a session's `initialize` (the version agreed, once
   * answered), an exchange's envelope.
   */
  protocolVersion?: string;
  /** A session's `initialize` while it waits for its answer (which names the version agreed); never set on an exchange. */
  initializeId?: RequestId;
  /**
   * Sends one JSON-RPC message, serialised once, on the stream or reply it belongs on: a response
   * where its request waits; a message about a client request (`related`: progress, logging, a
   * server-initiated request) with that request while its stream is open.
   * @returns false when it has nowhere to go (a session: the client closed that stream and cannot
   *   resume; an exchange: the request is answered already, or its POST is answered with one JSON body).
   * @throws SessionClosedError when it has ended.
   * @throws TypeError when the message cannot be serialised as JSON.
   */
  send(message: JsonRpcMessage, related?: RequestId): boolean;
  /** Writes a keep-alive comment on each of its open SSE streams. */
  keepAlive(): void;
}
