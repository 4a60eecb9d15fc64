/**
 * `mcp-sse-endpoint` config node: one MCP HTTP+SSE endpoint (MCP 2024-11-05 "Transports > HTTP
 * with SSE"): its SSE path, its message path and its limits, and the transport core that holds its
 * sessions. `mcp sse in` and `mcp message in` nodes serve its routes; its sessions outlive their
 * redeploys, and this node's when a deploy leaves it as it was (the next node takes the endpoint
 * over, see lib/endpoint-handover.ts); they end cleanly when a deploy changes or removes this node,
 * or Node-RED stops. Its authentication is
 * none, a shared token, or OAuth 2.1 (MCP 2025-06-18 onwards "Authorization": the endpoint is a
 * resource server of the user's authorization server).
 */
import type { Node, NodeAPI } from 'node-red';
import { DEFAULT_CLOCK_SKEW_S, DEFAULT_KEEP_ALIVE_MS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IDLE_SESSIONS_PER_CLIENT, DEFAULT_MAX_LISTEN_STREAMS, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_TASK_TTL_MS, DEFAULT_MAX_TASKS_PER_OWNER, DEFAULT_QUEUE_LIMITS, DEFAULT_REPLAY_EVENTS, DEFAULT_RETRY_MS, DEFAULT_SESSION_TIMEOUT_MS, McpEndpoint, checkOAuthOptions, metadataPathFor, parseToolScopes, splitList, type OAuthOptions, type ProtectedPath } from '../core';
import { sessionRegistry } from './lib/registry-context';
import { adoptEndpoint, HANDOVER_GRACE_MS, keptByDeploy, parkEndpoint, settingsFingerprint } from './lib/endpoint-handover';
import { deployBegins } from './lib/serve-endpoint';
import { httpNodesEnabled, publicPath } from './lib/http-settings';
import { serveRoutes } from './lib/serve-endpoint';
import { endpointRoutes, ROUTE_TABLE, routeFallback, ROUTES_SETTING, routePath } from './lib/route-table';
import type { EndpointCredentials, EndpointNode, EndpointNodeDef } from './lib/types';
import type { ClusterOptions } from '../core';
import type { ConnectionOptions } from 'node:tls';
import { shadowedLists, type FlowNodeConfig } from './lib/shadowed-lists';
import { attachWorkbench } from './lib/workbench';

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
 * A text setting, or `''` when blank or still `${VAR}`: Node-RED substitutes an environment
 * variable only when it is a property's whole value, and leaves the literal text when it is unset.
 */
function textSetting(value: string | undefined): string {
  const text = (value ?? '').trim();
  return text.startsWith('${') ? '' : text;
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
  /**
   * The OAuth 2.1 settings (authentication mode `oauth`) and the endpoint's tool scope list, or
   * `undefined`. Issuers and resource may come from environment variables (`${MCP_OAUTH_ISSUER}`);
   * one unset counts as blank. Settings that cannot be used (an issuer that is not a URL, a tool
   * scope line that cannot be read) are reported as a node error, and the endpoint fails closed:
   * every request gets 503 saying why.
   */
  function oauthSettings(node: EndpointNode & Node<EndpointCredentials>, def: EndpointNodeDef): { oauth: OAuthOptions; toolScopes: Map<string, string[]> } | undefined {
    if (def.authMode !== 'oauth') return undefined;
    // Each path that serves its Protected Resource Metadata (RFC 9728) is a protected resource.
    const paths: ProtectedPath[] = [];
    for (const route of ROUTE_TABLE) {
      const path = route.metadata ? routePath(node, route) : undefined;
      if (path !== undefined) paths.push({ transport: route.transport, path: publicPath(RED, path), metadataPath: publicPath(RED, metadataPathFor(path)) });
    }
    const clientId = textSetting(node.credentials?.introspectionClientId);
    const issuers = splitList(textSetting(def.issuers));
    const resource = textSetting(def.resource);
    if (issuers.length === 0) node.error(RED._('mcp-sse-endpoint.errors.noIssuer'));
    if (resource === '' && listSetting(def.allowedHosts).length === 0) node.warn(RED._('mcp-sse-endpoint.errors.noResource'));
    const oauth: OAuthOptions = {
      issuers,
      resource: resource === '' ? undefined : resource,
      audiences: splitList(textSetting(def.audiences)),
      requiredScopes: splitList(textSetting(def.requiredScopes)),
      clockSkewS: numberSetting(def.clockSkew, DEFAULT_CLOCK_SKEW_S),
      introspection: clientId === '' ? undefined : { clientId, clientSecret: textSetting(node.credentials?.introspectionSecret) },
      paths,
    };
    try {
      checkOAuthOptions(oauth);
      return { oauth, toolScopes: parseToolScopes(def.toolScopes ?? '') };
    } catch (error) {
      const reason = (error as Error).message;
      node.error(RED._('mcp-sse-endpoint.errors.oauthSettings', { reason }));
      return { oauth: { issuers: [], paths, unavailable: `This endpoint's OAuth 2.1 settings cannot be used: ${reason}` }, toolScopes: new Map() };
    }
  }

  function McpSseEndpointNode(this: EndpointNode & Node<EndpointCredentials>, def: EndpointNodeDef): void {
    RED.nodes.createNode(this, def);
    this.ssePath = pathSetting(def.ssePath, routeFallback('ssePath'));
    this.messagePath = pathSetting(def.messagePath, routeFallback('messagePath'));
    // A flow saved before a setting existed keeps what it did: HTTP+SSE on, Streamable HTTP off,
    // the token (when one is set) as its only authentication.
    this.sseEnabled = def.sse !== false;
    this.streamablePath = def.streamable === true ? pathSetting(def.streamablePath, routeFallback('streamablePath')) : undefined;
    const authToken = def.authMode === 'oauth' || def.authMode === 'none' ? '' : this.credentials?.authToken ?? '';
    this.authMode = def.authMode === 'oauth' ? 'oauth' : authToken === '' ? 'none' : 'token';
    const oauth = oauthSettings(this, def);
    const cluster = clusterSetting(RED, def, this.credentials);
    // Everything the endpoint is made from: the same on a redeploy that changed nothing.
    const fingerprint = settingsFingerprint(def, this.credentials, { tls: cluster?.tls, stateSecret: process.env.MCP_STATE_SECRET });
    const registry = sessionRegistry(RED, this);
    // A deploy that changed nothing of this node: its predecessor's endpoint, sessions and all.
    const adopted = adoptEndpoint(RED, this.id, fingerprint);
    this.endpoint = adopted?.endpoint ?? new McpEndpoint({
      id: this.id,
      registry,
      messageUrl: publicPath(RED, this.messagePath),
      keepAliveMs: numberSetting(def.keepAlive, DEFAULT_KEEP_ALIVE_MS / 1000) * 1000,
      maxBodyBytes: numberSetting(def.maxBodySize, DEFAULT_MAX_BODY_BYTES),
      maxBatchSize: Math.max(1, Math.floor(numberSetting(def.maxBatchSize, DEFAULT_MAX_BATCH_SIZE))),
      resumeGraceMs: numberSetting(def.resumeGrace, DEFAULT_RESUME_GRACE_S) * 1000,
      replayEvents: Math.max(1, Math.floor(numberSetting(def.replayEvents, DEFAULT_REPLAY_EVENTS))),
      retryMs: Math.floor(numberSetting(def.retry, DEFAULT_RETRY_MS)),
      security: {
        allowedOrigins: listSetting(def.allowedOrigins),
        allowedHosts: listSetting(def.allowedHosts),
        authHeader: (def.authHeader ?? '').trim(),
        authToken,
      },
      oauth: oauth?.oauth,
      maxSessions: Math.max(1, Math.floor(numberSetting(def.maxSessions, DEFAULT_MAX_SESSIONS))),
      maxIdleSessionsPerClient: Math.floor(numberSetting(def.maxIdlePerClient, DEFAULT_MAX_IDLE_SESSIONS_PER_CLIENT)),
      maxListenStreams: Math.max(1, Math.floor(numberSetting(def.maxListenStreams, DEFAULT_MAX_LISTEN_STREAMS))),
      tasks: {
        maxTtlMs: Math.max(1, numberSetting(def.maxTaskTtl, DEFAULT_MAX_TASK_TTL_MS / 1000)) * 1000,
        maxPerOwner: Math.max(1, Math.floor(numberSetting(def.maxTasks, DEFAULT_MAX_TASKS_PER_OWNER))),
      },
      queueLimits: {
        messages: numberSetting(def.queueMessages, DEFAULT_QUEUE_LIMITS.messages),
        bytes: numberSetting(def.queueBytes, DEFAULT_QUEUE_LIMITS.bytes),
      },
      idleTimeoutMs: numberSetting(def.idleTimeout, 0) * 1000,
      sessionTimeoutMs: numberSetting(def.sessionTimeout, DEFAULT_SESSION_TIMEOUT_MS / 1000) * 1000,
      jsonResponse: def.jsonResponse === true,
      caching: { ttlMs: numberSetting(def.cacheTtlMs, 0), cacheScope: def.cacheScope === 'public' ? 'public' : 'private' },
      stateSecret: (this.credentials?.stateSecret ?? '') !== '' ? this.credentials?.stateSecret : process.env.MCP_STATE_SECRET,
      features: {
        answerProtocol: def.answerProtocol === true,
        identity: {
          serverInfo: { name: (def.serverName ?? '').trim() || (def.name ?? '').trim() || 'node-red', version: (def.serverVersion ?? '').trim() || '1.0.0' },
          instructions: def.instructions ?? '',
        },
      },
      cluster,
    });
    // The MCP sidebar's activity and session lists (made once per endpoint: an adopted one keeps its own).
    attachWorkbench(RED, this.endpoint, def);
    const removeWarning = this.endpoint.warning.add((text: string) => this.warn(text));
    // An evicted session is routine on a busy endpoint: a line at debug level (Node-RED's logging.console.level).
    const removeDebug = this.endpoint.debug.add((text: string) => this.debug(text));
    // Several instances: the Redis link going down is a warning, coming back a log line.
    const removeCluster = this.endpoint.cluster?.changed.add(({ up, text }) => {
      if (text !== undefined) (up ? this.log(text) : this.warn(text));
    });
    const removeToolScopes = this.endpoint.declareToolScopes(oauth?.toolScopes ?? new Map());
    // Once a tool, resource or prompt node is declared on it (or Answer protocol is on), the
    // endpoint serves its own paths while no mcp sse in / mcp message in node does: a flow of
    // declaration nodes needs nothing else.
    const endpoint = this.endpoint;
    // While a deploy holds requests back for the declarations it restarts, the endpoint still
    // takes them (they are answered once the deploy is done).
    const stopServing = httpNodesEnabled(RED) ? serveRoutes(RED, this, endpointRoutes(this), () => endpoint.features.active || endpoint.features.deferring) : undefined;
    // The predecessor's routes, tool scopes and listeners go only now that this node has its own.
    adopted?.release();
    // A deploy stops and restarts declaration nodes: their lists are compared once it is done.
    // Requests wait for the nodes it restarts: on a route without an owner, or for mcp message in.
    const holdListChanged = (): void => {
      endpoint.features.holdListChanged();
      endpoint.messageReceived.holdLonger(HANDOVER_GRACE_MS);
      deployBegins(RED);
    };
    const releaseListChanged = (): void => {
      endpoint.features.releaseListChanged();
      endpoint.messageReceived.endHold();
    };
    // A deploy that keeps this node as it is hands the endpoint to the node that replaces it.
    let handOver = false;
    const flowsStopping = (event: unknown): void => {
      holdListChanged();
      handOver = keptByDeploy(event, this.id);
    };
    // This node starts within a deploy: its declarations come in before flows:started.
    holdListChanged();
    RED.events.on('flows:stopping', flowsStopping);
    RED.events.on('flows:started', releaseListChanged);
    // After each deploy: a list answered from declarations alone that the flow answers too (see lib/shadowed-lists.ts).
    const warnShadowedLists = (): void => {
      const nodes: FlowNodeConfig[] = [];
      RED.nodes.eachNode((node) => { nodes.push(node as unknown as FlowNodeConfig); });
      for (const { method, declaredBy, node } of shadowedLists(this.id, nodes, (kind) => endpoint.features.catalog.count(kind), (id) => Boolean(RED.nodes.getNode(id)))) {
        this.warn(RED._('mcp-sse-endpoint.warnings.shadowedList', { method, declaredBy, node: node.name ? `"${node.name}" (${node.id})` : `${node.type} ${node.id}` }));
      }
    };
    RED.events.on('flows:started', warnShadowedLists);
    this.on('close', (removed: boolean, done: () => void) => {
      RED.events.off('flows:stopping', flowsStopping);
      RED.events.off('flows:started', releaseListChanged);
      RED.events.off('flows:started', warnShadowedLists);
      // What this node holds on the endpoint: its routes, its tool scopes, its listeners.
      const release = (): void => {
        stopServing?.();
        removeToolScopes();
        removeWarning();
        removeDebug();
        removeCluster?.();
      };
      if (removed || !handOver) {
        release();
        endpoint.close().then(done, done);
        return;
      }
      // What the flows were working on is answered, and the endpoint waits, still serving, for
      // its successor, which declares its own tool scopes before it releases these: a parked
      // endpoint never serves without them.
      endpoint.flowStopped();
      parkEndpoint(RED, this.id, endpoint, fingerprint, release);
      done();
    });
  }
  RED.nodes.registerType<EndpointNode & Node<EndpointCredentials>, EndpointNodeDef, unknown, EndpointCredentials>('mcp-sse-endpoint', McpSseEndpointNode, {
    // The editor reads the route table from RED.settings (resources/mcp-editor.js).
    settings: { [ROUTES_SETTING]: { value: ROUTE_TABLE, exportable: true } },
    credentials: { authToken: { type: 'password' }, introspectionClientId: { type: 'text' }, introspectionSecret: { type: 'password' }, stateSecret: { type: 'password' }, redisPassword: { type: 'password' } },
  });
};
