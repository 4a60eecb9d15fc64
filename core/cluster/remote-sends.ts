/**
 * Messages a flow sends to a session another instance owns (an `mcp sse out` on instance B
 * answering for a session of instance A): relayed to the owner, which sends them by its protocol's
 * rules as if its own flow had. A server-initiated request's outcome (the client's answer, a
 * timeout, the session closing) comes back to the sender; so does a failure to deliver.
 *
 * Never imports Node-RED.
 */
import type { PendingOutcome } from '../pending-requests';
import { PendingErrorCode } from '../pending-requests';
import type { PushResult, SendContext } from '../protocol';
import { sendTo, type RelayContext } from './context';
import type { RelayFailedMessage, RelaySendMessage, RelaySettledMessage } from './wire';

/** Sends on the owner, as the endpoint's own `send` (throws as it does). */
export type LocalSend = (sessionId: string, payload: unknown, context: SendContext) => PushResult;

/** What the sender remembers of a relayed send until it is settled or failed. */
interface Waiting {
  owner: string;
  sessionId: string;
  context: SendContext;
  /** The method of a server-initiated request, for its outcome when the owner cannot say. */
  method: string;
  timer: NodeJS.Timeout | undefined;
}

/** Relayed sends of one endpoint, both ways. */
export class RemoteSends {
  private next = 1;
  private readonly waiting = new Map<number, Waiting>();

  /**
   * @param context the cluster's shared parts.
   * @param notFound the error for a session no instance holds (the endpoint's SessionNotFoundError).
   */
  constructor(private readonly context: RelayContext, private readonly notFound: (sessionId: string) => Error) {}

  /** The instances this one waits on, for the liveness check. */
  owners(): Set<string> {
    return new Set([...this.waiting.values()].map((w) => w.owner));
  }

  /**
   * Relays a send to the session's owner. Returns at once; a failure to deliver reaches
   * `context.onRelayFailure` (an Error), as does the protocol dropping it (its reason, a string),
   * and a server-initiated request's outcome reaches `context.request.settle`.
   */
  send(sessionId: string, payload: unknown, context: SendContext): void {
    const fail = (error: Error): void => context.onRelayFailure?.(error);
    if (!this.context.link.up) {
      fail(new Error(`MCP session ${sessionId} is held by another instance, and Redis, which relays to it, is unreachable`));
      return;
    }
    this.relay(sessionId, payload, context).catch((error: Error) => fail(error));
  }

  private async relay(sessionId: string, payload: unknown, context: SendContext): Promise<void> {
    const owner = await this.context.ownership.owner(sessionId);
    if (owner === undefined || owner === this.context.instanceId) throw this.notFound(sessionId);
    const r = this.next++;
    const method = typeof (payload as { method?: unknown })?.method === 'string' ? (payload as { method: string }).method : '';
    const entry: Waiting = { owner, sessionId, context, method, timer: undefined };
    this.waiting.set(r, entry);
    const message: RelaySendMessage = { t: 'send', from: this.context.instanceId, r, sessionId, payload };
    if (context.requestId !== undefined) message.requestId = context.requestId;
    if (context.failure !== undefined) message.failure = context.failure;
    if (context.state !== undefined) message.state = context.state;
    if (context.request !== undefined) message.request = { timeoutMs: context.request.timeoutMs };
    let receivers: number;
    try {
      receivers = await sendTo(this.context, owner, message);
    } catch (error) {
      this.waiting.delete(r);
      throw error;
    }
    if (receivers === 0) {
      this.waiting.delete(r);
      throw this.notFound(sessionId);
    }
    if (context.request === undefined) {
      // Only a failure would come back: forget it after the relay timeout.
      entry.timer = setTimeout(() => this.waiting.delete(r), this.context.relayTimeoutMs);
    } else if (context.request.timeoutMs > 0) {
      // The owner times the request out; this is the backstop should its answer be lost.
      entry.timer = setTimeout(() => this.end(r, 'timeout'), context.request.timeoutMs + this.context.relayTimeoutMs);
    }
  }

  /** The owner says how a relayed server-initiated request ended. */
  settled(message: RelaySettledMessage): void {
    const entry = this.take(message.r);
    entry?.context.request?.settle(message.outcome, message.request);
  }

  /** The owner could not deliver a relayed send, or its protocol dropped it. */
  failed(message: RelayFailedMessage): void {
    const entry = this.take(message.r);
    if (entry === undefined) return;
    const { name, message: text } = message.error;
    if (name === 'dropped') {
      entry.context.onRelayFailure?.(text);
      return;
    }
    const error = name === 'SessionNotFoundError' || name === 'SessionClosedError' ? this.notFound(entry.sessionId) : Object.assign(new Error(text), { name });
    // As a local send that throws: the request never went out, so it never settles.
    entry.context.onRelayFailure?.(error);
  }

  /** The owner `instanceId` died, or (without one) Redis is lost: what waits on it ends as if the session had closed. */
  ownerGone(instanceId?: string): void {
    for (const [r, entry] of [...this.waiting]) {
      if (instanceId === undefined || entry.owner === instanceId) this.end(r, 'session-closed');
    }
  }

  /**
   * Owner side: a relayed send arrived. Sent with `send` as the endpoint's own; a server-initiated
   * request's outcome, a drop or a failure goes back to the sender.
   */
  serve(message: RelaySendMessage, send: LocalSend): void {
    const reply = (m: RelaySettledMessage | RelayFailedMessage): void => {
      sendTo(this.context, message.from, m).catch(() => {});
    };
    const context: SendContext = {};
    if (message.requestId !== undefined) context.requestId = message.requestId;
    if (message.failure !== undefined) context.failure = message.failure;
    if (message.state !== undefined) context.state = message.state;
    if (message.request !== undefined) {
      context.request = {
        timeoutMs: message.request.timeoutMs,
        owner: message.from,
        settle: (outcome: PendingOutcome, request) => reply({ t: 'settled', r: message.r, outcome, request }),
      };
    }
    try {
      const result = send(message.sessionId, message.payload, context);
      if (!result.sent) reply({ t: 'failed', r: message.r, error: { name: 'dropped', message: result.reason } });
    } catch (error) {
      const e = error as Error;
      reply({ t: 'failed', r: message.r, error: { name: e.name ?? 'Error', message: e.message ?? String(error) } });
    }
  }

  private take(r: number): Waiting | undefined {
    const entry = this.waiting.get(r);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.waiting.delete(r);
    return entry;
  }

  private end(r: number, status: 'timeout' | 'session-closed'): void {
    const entry = this.take(r);
    if (entry?.context.request === undefined) return;
    const error = status === 'timeout'
      ? { code: PendingErrorCode.Timeout, message: 'No answer from the instance that holds the session' }
      : { code: PendingErrorCode.SessionClosed, message: 'The instance that holds the session is gone' };
    entry.context.request.settle({ status, error }, { id: 0, method: entry.method });
  }
}
