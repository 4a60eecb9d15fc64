/**
 * `mcp-sse-endpoint` config node: one MCP HTTP+SSE endpoint (MCP 2024-11-05 "Transports > HTTP
 * with SSE"): its SSE path, its message path and its limits, and the transport core that holds its
 * sessions. `mcp sse in` and `mcp message in` nodes serve its routes; its sessions outlive their
 * redeploys, and end cleanly when this node is redeployed or Node-RED stops.
 */
import type { Node, NodeAPI } from 'node-red';
import { DEFAULT_KEEP_ALIVE_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SESSIONS, DEFAULT_QUEUE_LIMITS, DEFAULT_REPLAY_EVENTS, DEFAULT_RETRY_MS, DEFAULT_SESSION_TIMEOUT_MS, McpEndpoint } from '../core';
import { sessionRegistry } from './lib/registry-context';
import { publicPath } from './lib/http-settings';
import type { EndpointCredentials, EndpointNode, EndpointNodeDef } from './lib/types';
import type { ClusterOptions } from '../core';
import type { ConnectionOptions } from 'node:tls';

/**
 * Seconds a session waits for its client to reconnect, unless set: 0, resumption off, so a session
 * ends with its client's connection (the SDK clients open a new session when they reconnect).
 */
const DEFAULT_RESUME_GRACE_S = 0;

/** A setting as a number, or `fallback` when it is blank or not a number. */
function numberSetting(value: number | string | undefined, fallback: number): number {
  const n = typeof value === 'number' ? value : Number.parseFloat(value ?? '');
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** A comma- or space-separated list setting as a list. */
function listSetting(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

/**
 * The Redis URL setting, or `undefined` for a single instance: blank, or an environment variable
 * that is not set (Node-RED substitutes `${VAR}` only when set, and leaves the literal text otherwise).
 */
function redisUrlSetting(value: string | undefined): string | undefined {
  const url = (value ?? '').trim();
  return url === '' || url.startsWith('${') ? undefined : url;
}

/** The cluster settings of an endpoint whose Redis URL is set; `undefined` keeps it on this instance alone. */
function clusterSetting(RED: NodeAPI, def: EndpointNodeDef, credentials: EndpointCredentials | undefined): ClusterOptions | undefined {
  const url = redisUrlSetting(def.redisUrl);
  if (url === undefined) return undefined;
  const options: ClusterOptions = { url };
  if (credentials?.redisPassword) options.password = credentials.redisPassword;
  if ((def.redisPrefix ?? '').trim() !== '') options.keyPrefix = (def.redisPrefix as string).trim();
  if ((def.redisInstance ?? '').trim() !== '') options.instanceId = (def.redisInstance as string).trim();
  const tlsNode = def.redisTls ? RED.nodes.getNode(def.redisTls) as (Node & { addTLSOptions?(options: object): void }) | null : null;
  if (tlsNode?.addTLSOptions !== undefined) {
    const tls: ConnectionOptions = {};
    tlsNode.addTLSOptions(tls);
    options.tls = tls;
  }
  return options;
}

/** A path setting with its leading `/`. */
function pathSetting(value: string | undefined, fallback: string): string {
  const path = (value ?? '').trim() || fallback;
  return path.startsWith('/') ? path : `/${path}`;
}

export = function register(RED: NodeAPI): void {
  function McpSseEndpointNode(this: EndpointNode & Node<EndpointCredentials>, def: EndpointNodeDef): void {
    RED.nodes.createNode(this, def);
    this.ssePath = pathSetting(def.ssePath, '/sse');
    this.messagePath = pathSetting(def.messagePath, '/message');
    // A flow saved before a setting existed keeps what it did: HTTP+SSE on, Streamable HTTP off.
    this.sseEnabled = def.sse !== false;
    this.streamablePath = def.streamable === true ? pathSetting(def.streamablePath, '/mcp') : undefined;
    this.endpoint = new McpEndpoint({
      id: this.id,
      registry: sessionRegistry(RED, this),
      messageUrl: publicPath(RED, this.messagePath),
      keepAliveMs: numberSetting(def.keepAlive, DEFAULT_KEEP_ALIVE_MS / 1000) * 1000,
      maxBodyBytes: numberSetting(def.maxBodySize, DEFAULT_MAX_BODY_BYTES),
      resumeGraceMs: numberSetting(def.resumeGrace, DEFAULT_RESUME_GRACE_S) * 1000,
      replayEvents: Math.max(1, Math.floor(numberSetting(def.replayEvents, DEFAULT_REPLAY_EVENTS))),
      retryMs: Math.floor(numberSetting(def.retry, DEFAULT_RETRY_MS)),
      security: {
        allowedOrigins: listSetting(def.allowedOrigins),
        allowedHosts: listSetting(def.allowedHosts),
        authHeader: (def.authHeader ?? '').trim(),
        authToken: this.credentials?.authToken ?? '',
      },
      maxSessions: numberSetting(def.maxSessions, DEFAULT_MAX_SESSIONS),
      queueLimits: {
        messages: numberSetting(def.queueMessages, DEFAULT_QUEUE_LIMITS.messages),
        bytes: numberSetting(def.queueBytes, DEFAULT_QUEUE_LIMITS.bytes),
      },
      idleTimeoutMs: numberSetting(def.idleTimeout, 0) * 1000,
      sessionTimeoutMs: numberSetting(def.sessionTimeout, DEFAULT_SESSION_TIMEOUT_MS / 1000) * 1000,
      jsonResponse: def.jsonResponse === true,
      cluster: clusterSetting(RED, def, this.credentials),
    });
    const removeWarning = this.endpoint.warning.add((text: string) => this.warn(text));
    // Several instances: the Redis link going down is a warning, coming back a log line.
    const removeCluster = this.endpoint.cluster?.changed.add(({ up, text }) => {
      if (text !== undefined) (up ? this.log(text) : this.warn(text));
    });
    this.on('close', (_removed: boolean, done: () => void) => {
      removeWarning();
      removeCluster?.();
      this.endpoint.close().then(done, done);
    });
  }
  RED.nodes.registerType<EndpointNode & Node<EndpointCredentials>, EndpointNodeDef, unknown, EndpointCredentials>('mcp-sse-endpoint', McpSseEndpointNode, {
    credentials: { authToken: { type: 'password' }, redisPassword: { type: 'password' } },
  });
};
