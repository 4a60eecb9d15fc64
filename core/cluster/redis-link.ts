/**
 * The connection of one endpoint to Redis: a command connection and a subscriber connection
 * (Redis pub/sub needs one of its own), reconnected automatically, with one state, `up` or
 * `down`, and a listener set that hears each change.
 *
 * The client is `@redis/client`, the core of node-redis, loaded on first use: an endpoint without
 * Redis never loads it. Chosen over ioredis because it is the client Redis maintains and
 * recommends for new code, has no dependencies of its own, ships its TypeScript types, re-subscribes
 * after a reconnect, and can refuse commands while disconnected (`disableOfflineQueue`), which
 * is what lets a relayed request get its 503 at once instead of waiting in a queue.
 *
 * Never imports Node-RED.
 */
import type { ConnectionOptions } from 'node:tls';
import { Listeners } from '../listeners';

/** How to reach Redis. */
interface RedisSettings {
  /** `redis://...` or `rediss://...` (TLS). */
  url: string;
  /** The password, when not in the URL. */
  password?: string;
  /** TLS options; turns TLS on. */
  tls?: ConnectionOptions;
}

/** A change of the link's state: `up` (both connections ready) or `down` (and why). */
export interface LinkChange {
  up: boolean;
  /** Why it went down: the client's error message. */
  reason?: string;
}

/** The commands this package uses, as @redis/client declares them (loosely typed: its types are heavy). */
interface RedisCommands {
  publish(channel: string, message: string): Promise<number>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { expiration: { type: 'PX'; value: number } }): Promise<unknown>;
  del(keys: string | string[]): Promise<number>;
  hSet(key: string, field: string, value: string): Promise<number>;
  hGetAll(key: string): Promise<Record<string, string>>;
  hDel(key: string, fields: string | string[]): Promise<number>;
  zRem(key: string, members: string | string[]): Promise<number>;
  pubSubNumSub(channels: string[]): Promise<Record<string, number>>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  multi(): { set(key: string, value: string, options: { expiration: { type: 'PX'; value: number } }): unknown; exec(): Promise<unknown> };
}

interface RedisClient extends RedisCommands {
  isReady: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  duplicate(): RedisClient;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
}

/** Ms before reconnect attempt `retries` (0, 1, ...): 100, 200, ... up to 2000. */
export function reconnectDelay(retries: number): number {
  return Math.min(100 * (retries + 1), 2000);
}

/** Both Redis connections of an endpoint; see the module comment. */
export class RedisLink {
  /** Hears every change of state: `up` when both connections are ready, `down` once per outage (and once if Redis cannot be reached at the start). */
  readonly changed = new Listeners<LinkChange>();
  private readonly subscriptions = new Map<string, (message: string) => void>();
  private cmd: RedisClient | undefined;
  private sub: RedisClient | undefined;
  private isUp = false;
  private subscribed = false;
  private closed = false;
  private reportedDown = false;

  constructor(private readonly settings: RedisSettings) {}

  /** True while both connections are ready and the subscriptions are in place. */
  get up(): boolean {
    return this.isUp;
  }

  /** The command connection; only while {@link up}, since commands are refused while disconnected. */
  get commands(): RedisCommands {
    if (this.cmd === undefined) throw new Error('The Redis link has not started');
    return this.cmd;
  }

  /** Adds a channel subscription, made when the link starts (or at once when it is up); re-made after each reconnect by the client. */
  subscribe(channel: string, handler: (message: string) => void): void {
    this.subscriptions.set(channel, handler);
    if (this.subscribed && this.sub !== undefined) this.sub.subscribe(channel, handler).catch(() => {});
  }

  /**
   * Connects both connections; never throws: a Redis that cannot be reached leaves the link down,
   * retrying ({@link reconnectDelay}), and `changed` hears `up` once it is reached.
   */
  start(): void {
    // Loaded here, not at the top: an endpoint without Redis never loads the client.
    const { createClient } = require('@redis/client') as { createClient(options: unknown): RedisClient };
    const options = {
      url: this.settings.url,
      ...(this.settings.password ? { password: this.settings.password } : {}),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        reconnectStrategy: (retries: number) => (this.closed ? false : reconnectDelay(retries)),
        ...(this.settings.tls !== undefined ? { tls: true, ...this.settings.tls } : {}),
      },
    };
    const cmd = createClient(options);
    const sub = cmd.duplicate();
    this.cmd = cmd;
    this.sub = sub;
    for (const client of [cmd, sub]) {
      client.on('error', (error) => this.down((error as Error)?.message ?? String(error)));
      client.on('reconnecting', () => this.down('reconnecting'));
      client.on('end', () => this.down('connection closed'));
      client.on('ready', () => this.checkUp());
    }
    cmd.connect().catch(() => {});
    sub.connect().then(async () => {
      for (const [channel, handler] of this.subscriptions) await sub.subscribe(channel, handler);
      this.subscribed = true;
      this.checkUp();
    }).catch(() => {});
  }

  /**
   * Resolves once the link is {@link up}: at once when it is, else when it comes up within
   * `timeoutMs`. @throws an Error saying Redis is unreachable when it does not.
   */
  async whenUp(timeoutMs: number): Promise<void> {
    if (this.isUp) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error('Redis is unreachable'));
      }, timeoutMs);
      const stop = this.changed.add((change) => {
        if (!change.up) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  /** Publishes `message` on `channel`. @returns how many subscribers received it (0: nobody listens there). @throws when Redis is unreachable. */
  publish(channel: string, message: string): Promise<number> {
    return this.commands.publish(channel, message);
  }

  private checkUp(): void {
    if (this.closed || this.isUp || !this.subscribed || this.cmd?.isReady !== true || this.sub?.isReady !== true) return;
    this.isUp = true;
    this.reportedDown = false;
    this.changed.emit({ up: true });
  }

  /** Down once per outage; also once when Redis cannot be reached at the start. */
  private down(reason: string): void {
    if (this.reportedDown || this.closed) return;
    this.isUp = false;
    this.reportedDown = true;
    this.changed.emit({ up: false, reason });
  }

  /** Closes both connections (what was sent still goes out); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.isUp = false;
    await Promise.all([this.cmd, this.sub].map(async (client) => {
      if (client === undefined) return;
      try {
        if (client.isReady) await client.close();
        else client.destroy();
      } catch {
        client.destroy();
      }
    }));
  }
}
