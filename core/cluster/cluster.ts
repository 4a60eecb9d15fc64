/**
 * One endpoint served by several instances through Redis: this instance's part. It records the
 * sessions this instance owns ({@link SessionOwnership}), relays requests for sessions owned
 * elsewhere ({@link Forwarder}) and serves those relayed here ({@link RelayHost}), relays what a
 * flow sends to a session elsewhere ({@link RemoteSends}), spreads broadcasts and resource
 * updates to every instance,
 * and keeps the cluster-wide session count ({@link ClusterCensus}).
 *
 * Faults: Redis lost -> each instance serves its own sessions; relayed requests get 503 with
 * `Retry-After`; streams being relayed end; reconnection is automatic and the records are written
 * again at once. An instance that dies loses its sessions: at once when its connection to Redis
 * closes with it (the next relayed request finds nobody in its inbox and answers 404), otherwise
 * within the ownership TTL.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toOutboundMessage } from '../jsonrpc';
import { Listeners } from '../listeners';
import type { PushResult, SendContext } from '../protocol';
import type { RelayContext } from './context';
import { ClusterCensus } from './census';
import { Forwarder } from './forwarder';
import { ClusterKeys, DEFAULT_KEY_PREFIX, DEFAULT_OWNERSHIP_TTL_MS, DEFAULT_RELAY_TIMEOUT_MS, defaultInstanceId, type ClusterOptions } from './options';
import { SessionOwnership } from './ownership';
import { RedisLink, type LinkChange } from './redis-link';
import { isRelayed } from './relayed-http';
import { RelayHost, type RouteHandler } from './relay-host';
import { RemoteSends, type LocalSend } from './remote-sends';
import { decode, encode, type RelayRoute } from './wire';

/** What the cluster needs from its endpoint. */
interface ClusterHost {
  readonly id: string;
  readonly maxBodyBytes: number;
  /** The most bytes buffered for one client of a relayed stream (the queue bound). */
  readonly maxBufferedBytes: number;
  /** Open sessions of the endpoint on this instance. */
  localCount(): number;
  /** Serves a relayed request with the transport's handler. */
  serve: RouteHandler;
  /** Sends to a session of this instance (the endpoint's own send). */
  sendLocal: LocalSend;
  /** Broadcasts to this instance's sessions. */
  broadcastLocal(payload: unknown): number;
  /** Sends `notifications/resources/updated` for `uri` to this instance's subscribed sessions and listen streams. */
  resourceUpdatedLocal(uri: string): number;
  /** The error for a session no instance holds. */
  notFound(sessionId: string): Error;
}

/** A change the endpoint's users may show: the link went up or down (`text` says so, to log), or the cluster count changed. */
interface ClusterChange {
  up: boolean;
  text?: string;
}

/** This instance's part of a clustered endpoint; see the module comment. */
export class Cluster {
  readonly instanceId: string;
  /** Hears the link going up or down, and changes of the cluster-wide count. */
  readonly changed = new Listeners<ClusterChange>();
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly ownership: SessionOwnership;
  private readonly census: ClusterCensus;
  private readonly forwarder: Forwarder;
  private readonly relayHost: RelayHost;
  private readonly remote: RemoteSends;
  private readonly heartbeatMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private countTimer: NodeJS.Timeout | undefined;
  private settleUntil = 0;
  private everUp = false;
  private closed = false;

  constructor(private readonly host: ClusterHost, options: ClusterOptions) {
    const ttlMs = options.ownershipTtlMs ?? DEFAULT_OWNERSHIP_TTL_MS;
    this.heartbeatMs = Math.max(100, Math.floor(ttlMs / 3));
    this.instanceId = options.instanceId?.trim() || defaultInstanceId();
    this.link = new RedisLink({ url: options.url, password: options.password, tls: options.tls });
    this.keys = new ClusterKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX, host.id);
    this.ownership = new SessionOwnership(this.link, this.keys, this.instanceId, ttlMs);
    this.census = new ClusterCensus(this.link, this.keys, this.instanceId, ttlMs);
    const context: RelayContext = {
      link: this.link, keys: this.keys, instanceId: this.instanceId, ownership: this.ownership,
      relayTimeoutMs: options.relayTimeoutMs ?? DEFAULT_RELAY_TIMEOUT_MS,
      settling: () => Date.now() < this.settleUntil,
    };
    this.forwarder = new Forwarder(context, host.maxBodyBytes, host.maxBufferedBytes);
    this.relayHost = new RelayHost(context, host.serve);
    this.remote = new RemoteSends(context, host.notFound);
    this.link.subscribe(this.keys.inbox(this.instanceId), (text) => this.onInbox(text));
    this.link.subscribe(this.keys.all, (text) => this.onAll(text));
    this.link.changed.add((change) => this.onLink(change));
  }

  /** Connects to Redis (in the background: never throws) and starts the heartbeat. */
  start(): void {
    this.link.start();
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** True while Redis is reachable. */
  get up(): boolean {
    return this.link.up;
  }

  /** Open sessions of the endpoint on every instance (this one's alone while Redis is lost). */
  get total(): number {
    return this.host.localCount() + (this.link.up ? this.census.othersTotal() : 0);
  }

  /** A session opened here: this instance owns it. */
  sessionOpened(sessionId: string): void {
    this.ownership.claim(sessionId);
    this.countChanged();
  }

  /** A session of this instance ended. */
  sessionClosed(sessionId: string): void {
    this.ownership.release(sessionId);
    this.countChanged();
  }

  /**
   * For the transports: a request for session `sessionId`, not open here. Relays it to the
   * instance that owns the session, which answers it as a local request (see
   * {@link Forwarder.forward}: 404 through `notFound` when no instance owns it, 503 with
   * `Retry-After` when Redis is unreachable), and returns true; false, answering nothing, for a
   * request that was itself relayed here (the session ended meanwhile: the transport answers 404).
   * @param body the POST body, when the transport has read it.
   */
  relay(req: IncomingMessage, res: ServerResponse, sessionId: string, route: RelayRoute, notFound: () => void, body?: string): boolean {
    if (isRelayed(req)) return false;
    this.forwarder.forward(req, res, sessionId, route, notFound, body);
    return true;
  }

  /**
   * Sends to a session not open here, through its owner (see {@link RemoteSends.send}).
   * @returns `{ sent: true, relayed: true, message }` (the message as read, before the owner's protocol rules).
   * @throws TypeError when the payload is not a JSON-RPC message.
   */
  send(sessionId: string, payload: unknown, context: SendContext): PushResult {
    const message = toOutboundMessage(payload, context.requestId);
    this.remote.send(sessionId, message, context);
    return { sent: true, relayed: true, message };
  }

  /** Has every other instance broadcast `payload` (a notification, already checked) to its sessions. */
  broadcast(payload: unknown): void {
    if (!this.link.up) return;
    this.link.publish(this.keys.all, encode({ t: 'broadcast', from: this.instanceId, payload })).catch(() => {});
  }

  /**
   * Has every other instance send `notifications/resources/updated` for `uri` to its sessions
   * subscribed to it and its listen streams that named it (not to every session, as a broadcast).
   */
  resourceUpdated(uri: string): void {
    if (!this.link.up) return;
    this.link.publish(this.keys.all, encode({ t: 'updated', from: this.instanceId, uri })).catch(() => {});
  }

  private onInbox(text: string): void {
    const message = decode(text);
    if (message === undefined) return;
    if (message.t === 'req') this.relayHost.received(message);
    else if (message.t === 'res') this.forwarder.answered(message);
    else if (message.t === 'gone') this.relayHost.gone(message);
    else if (message.t === 'send') this.remote.serve(message, this.host.sendLocal);
    else if (message.t === 'settled') this.remote.settled(message);
    else if (message.t === 'failed') this.remote.failed(message);
  }

  private onAll(text: string): void {
    const message = decode(text);
    if (message === undefined || (message.t !== 'broadcast' && message.t !== 'updated' && message.t !== 'count') || message.from === this.instanceId) return;
    if (message.t === 'count') {
      if (this.census.heard(message.from, message.n)) this.changed.emit({ up: this.link.up });
      return;
    }
    if (message.t === 'updated') {
      this.host.resourceUpdatedLocal(message.uri);
      return;
    }
    try {
      this.host.broadcastLocal(message.payload);
    } catch {
      // The sending instance checked it; a payload this one cannot send is skipped.
    }
  }

  private onLink(change: LinkChange): void {
    if (this.closed) return;
    if (change.up) {
      // After an outage an owner may re-register a little after this instance: 503 meanwhile, not 404.
      if (this.everUp) this.settleUntil = Date.now() + Math.max(5000, this.heartbeatMs);
      const text = this.everUp ? 'Redis connection restored: sessions are relayed between instances again' : `Connected to Redis as instance ${this.instanceId}`;
      this.everUp = true;
      this.beat();
      this.announceCount();
      this.changed.emit({ up: true, text });
      return;
    }
    this.forwarder.ownerGone();
    this.relayHost.linkDown();
    this.remote.ownerGone();
    this.census.clear();
    this.ownership.forgetKnown();
    this.changed.emit({
      up: false,
      text: `Redis connection ${this.everUp ? 'lost' : 'failed'} (${change.reason ?? 'unreachable'}): this instance serves its own sessions only, and requests for sessions on other instances get 503 until it is back; reconnecting`,
    });
  }

  /** The heartbeat: records and count written again, and the instances this one waits on checked. */
  private beat(): void {
    if (!this.link.up) return;
    this.ownership.refresh().catch(() => {});
    this.census.sync(this.host.localCount()).then(() => this.changed.emit({ up: this.link.up }), () => {});
    const owners = new Set([...this.forwarder.owners(), ...this.remote.owners()]);
    if (owners.size === 0) return;
    const ids = [...owners];
    this.link.commands.pubSubNumSub(ids.map((id) => this.keys.inbox(id))).then((counts) => {
      ids.forEach((id) => {
        if ((counts[this.keys.inbox(id)] ?? 0) > 0) return;
        this.ownership.forgetKnown();
        this.forwarder.ownerGone(id);
        this.remote.ownerGone(id);
      });
    }, () => {});
  }

  /** Local count changed: tell the others soon (many sessions opening at once make one message). */
  private countChanged(): void {
    if (this.countTimer !== undefined || this.closed) return;
    this.countTimer = setTimeout(() => {
      this.countTimer = undefined;
      this.announceCount();
      this.changed.emit({ up: this.link.up });
    }, 50);
    this.countTimer.unref();
  }

  private announceCount(): void {
    if (!this.link.up) return;
    this.link.publish(this.keys.all, encode({ t: 'count', from: this.instanceId, n: this.host.localCount() })).catch(() => {});
  }

  /** Leaves the cluster: this instance's count goes, and both connections close. The endpoint closed its sessions first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.countTimer);
    this.forwarder.ownerGone();
    this.relayHost.linkDown();
    this.remote.ownerGone();
    await this.census.leave().catch(() => {});
    if (this.link.up) await this.link.publish(this.keys.all, encode({ t: 'count', from: this.instanceId, n: 0 })).catch(() => {});
    await this.link.close();
  }
}
