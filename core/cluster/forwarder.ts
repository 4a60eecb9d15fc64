/**
 * The relaying side: a request reached this instance for a session another instance owns. The
 * request goes to the owner's inbox, and the owner's answer (status, headers, then the body or
 * the events of a stream) is written to this client as it arrives, so the client sees what a
 * local answer would look like: 202, 200 with a stream, 404, ...
 *
 * Answers of its own, each with a JSON-RPC error body: `notFound()` (the transport's 404) when no
 * live instance owns the session (after looking three times within 350 ms: a session opened a
 * moment ago on another instance may not be recorded yet); 503 with `Retry-After` when Redis is unreachable, or the owner
 * does not start answering within the relay timeout. A stream being relayed ends when the owner
 * dies or Redis is lost (the client then reconnects).
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyText, sendJsonRpcError, type BodyError } from '../http';
import { sendTo, sendUnavailable, type RelayContext } from './context';
import type { RelayResponseMessage, RelayRoute } from './wire';

/** Waits, in ms, before looking up an owner again when none is recorded: 350 ms in all before a 404. */
const RECHECK_MS = [50, 100, 200];

/** One request being relayed. */
interface Forwarding {
  res: ServerResponse;
  owner: string;
  timer: NodeJS.Timeout | undefined;
}

/** Requests this instance relays to their sessions' owners, by relay id. */
export class Forwarder {
  private next = 1;
  private readonly open = new Map<number, Forwarding>();

  /**
   * @param context the cluster's shared parts.
   * @param maxBodyBytes the largest body relayed (larger: 413, as a local POST).
   * @param maxBufferedBytes the most answer bytes buffered for a client that does not read; past it the client's connection is cut.
   */
  constructor(private readonly context: RelayContext, private readonly maxBodyBytes: number, private readonly maxBufferedBytes: number) {}

  /** The instances this one waits on, for the liveness check. */
  owners(): Set<string> {
    return new Set([...this.open.values()].map((f) => f.owner));
  }

  /** The number of requests being relayed now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Relays `req` for session `sessionId` to its owner and writes the answer to `res`.
   * @param body the POST body when the transport has read it already; otherwise a POST's body is read here.
   * @param notFound answers as the transport answers an unknown session (404).
   */
  forward(req: IncomingMessage, res: ServerResponse, sessionId: string, route: RelayRoute, notFound: () => void, body?: string): void {
    if (!this.context.link.up) {
      sendUnavailable(res, 'The session is held by another instance, and Redis, which relays to it, is unreachable');
      return;
    }
    if (body !== undefined || req.method !== 'POST') {
      this.lookUp(req, res, sessionId, route, notFound, body).catch(() => sendUnavailable(res, 'Redis is unreachable'));
      return;
    }
    const parsed = (req as IncomingMessage & { body?: unknown }).body;
    if (req.readableEnded && parsed !== undefined) {
      this.forward(req, res, sessionId, route, notFound, typeof parsed === 'string' ? parsed : JSON.stringify(parsed));
      return;
    }
    readBodyText(req, this.maxBodyBytes, (_c: undefined, error: BodyError | undefined, text: string | undefined) => {
      if (error !== undefined) sendJsonRpcError(res, error.status, error.code, error.message, null, error.status === 413 ? { Connection: 'close' } : {});
      else this.forward(req, res, sessionId, route, notFound, text);
    }, undefined);
  }

  private async lookUp(req: IncomingMessage, res: ServerResponse, sessionId: string, route: RelayRoute, notFound: () => void, body: string | undefined): Promise<void> {
    const { context } = this;
    let owner = await context.ownership.owner(sessionId);
    // A session that has just opened elsewhere may not be recorded yet (its owner's write can be
    // a moment behind the answer its client already acted on): look again before saying 404.
    for (const ms of RECHECK_MS) {
      if (owner !== undefined || res.destroyed) break;
      await new Promise((resolve) => setTimeout(resolve, ms));
      owner = await context.ownership.owner(sessionId);
    }
    if (owner === undefined || owner === context.instanceId) {
      // Our own record of a session we no longer hold (a restart under the same instance id).
      if (owner !== undefined) await context.ownership.forget(sessionId, owner);
      if (context.settling()) sendUnavailable(res, 'Redis has just come back and the instances are re-registering their sessions');
      else notFound();
      return;
    }
    if (res.destroyed) return;
    const r = this.next++;
    const forwarding: Forwarding = { res, owner, timer: undefined };
    this.open.set(r, forwarding);
    res.once('close', () => {
      if (this.open.get(r) !== forwarding) return;
      this.drop(r);
      sendTo(context, owner, { t: 'gone', r, from: context.instanceId }).catch(() => {});
    });
    const socket = req.socket as { localAddress?: string; encrypted?: boolean } | undefined;
    const receivers = await sendTo(context, owner, {
      t: 'req', r, from: context.instanceId, route, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers,
      ...(body !== undefined ? { body } : {}), localAddress: socket?.localAddress, encrypted: socket?.encrypted === true,
    });
    if (this.open.get(r) !== forwarding) return;
    if (receivers === 0) {
      // Nobody listens in the owner's inbox: it died (its connection to Redis closed with it).
      this.drop(r);
      if (context.settling()) {
        sendUnavailable(res, 'Redis has just come back and the instance that holds this session has not reconnected yet');
        return;
      }
      await context.ownership.forget(sessionId, owner).catch(() => {});
      notFound();
      return;
    }
    forwarding.timer = setTimeout(() => {
      this.drop(r);
      // A silent owner may be hung: its records lapse within their TTL, so look it up again next time.
      context.ownership.forgetKnownOwner(sessionId);
      sendTo(context, owner, { t: 'gone', r, from: context.instanceId }).catch(() => {});
      sendUnavailable(res, 'The instance that holds this session did not answer in time');
    }, context.relayTimeoutMs);
  }

  /** The owner's answer to relay `message.r`, or part of it: written to the client at once. */
  answered(message: RelayResponseMessage): void {
    const forwarding = this.open.get(message.r);
    if (forwarding === undefined) return;
    const { res } = forwarding;
    if (message.status !== undefined && !res.headersSent) {
      clearTimeout(forwarding.timer);
      forwarding.timer = undefined;
      res.writeHead(message.status, message.headers);
      res.flushHeaders();
      res.socket?.setNoDelay(true);
    }
    for (const chunk of message.chunks ?? []) res.write(chunk);
    if (message.end === true) {
      this.drop(message.r);
      res.end();
    } else if (res.writableLength > this.maxBufferedBytes) {
      // A client that does not read its stream: cut it, as the owner's queue bound would.
      res.destroy();
    }
  }

  /** The owner `instanceId` died, or (without one) Redis is lost: every request relayed to it ends. */
  ownerGone(instanceId?: string): void {
    for (const [r, forwarding] of [...this.open]) {
      if (instanceId !== undefined && forwarding.owner !== instanceId) continue;
      this.drop(r);
      const { res } = forwarding;
      if (res.headersSent) res.end();
      else sendUnavailable(res, 'The connection to the instance that holds this session was lost');
    }
  }

  private drop(r: number): void {
    const forwarding = this.open.get(r);
    if (forwarding === undefined) return;
    clearTimeout(forwarding.timer);
    this.open.delete(r);
  }
}
