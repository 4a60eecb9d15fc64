/**
 * The Node-RED-free core of this package, in one entry module: the nodes import nothing else.
 *
 * - `endpoint.ts`: one MCP endpoint (sessions of both transports, the HTTP handlers, `send`,
 *   `broadcast`); its settings in `endpoint-options.ts`, its keep-alive timer in `keep-alive.ts`, what
 *   its transports see of it in `endpoint-host.ts`, its message path both ways in `dispatcher.ts`.
 * - `stateless/`: MCP 2026-07-28 on the Streamable HTTP path: the envelope (`envelope.ts`), sealed
 *   `requestState` (`request-state.ts`), caching hints (`cache-hints.ts`), the listen filter
 *   (`listen.ts`), the exchange, one per stateless POST being answered, a reply destination as a
 *   session is one (`exchange.ts`, `exchanges.ts`), `input_required` rounds (`input-required.ts`),
 *   and the handler the Streamable HTTP transport hands such a POST to (`handler.ts`).
 * - `reply-destination.ts`: what a session and an exchange both are to the protocol layer, the
 *   features and the flow.
 * - `endpoint-sessions.ts`: an endpoint's open sessions.
 * - `interrupted-requests.ts`: requests whose flow went away (a deploy, the endpoint closing),
 *   answered `-32000` at once, and the late answers to them dropped.
 * - `protocol.ts`: the protocol layer (what reaches the flow, what may go out, server-initiated requests).
 * - `transports/sse.ts`, `transports/streamable-http.ts`: the two transports, which only move messages
 *   and see their endpoint through `transports/host.ts`.
 * - `session.ts`, `channel.ts`: a session and its streams, each written through a `ResponseWriter`
 *   (`response-writer.ts`): `sse.ts` (SSE framing, the only place, and the push queue) or `json-reply.ts`.
 * - `registry.ts`: every open session of the process.
 * - `auth/`: who may use an endpoint (`access-control.ts`), OAuth 2.1 as a resource server
 *   (`resource-server.ts`: token checks, Protected Resource Metadata, per-tool scopes).
 * - `features/`: what the endpoint answers itself once tools, resources or prompts are declared
 *   on it (`server-features.ts`), one module per feature (`apps.ts`: MCP Apps views and links).
 * - `cluster/`: several instances serving one endpoint through Redis (loaded only when configured).
 * - `workbench/`: what the editor's MCP sidebar shows of an endpoint: its activity list, fed by the
 *   protocol layer's observer (`protocol-observer.ts`), and its open sessions with their clients.
 */
export { McpEndpoint, type HttpHandler } from './endpoint';
export { DEFAULT_KEEP_ALIVE_MS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IDLE_SESSIONS_PER_CLIENT, DEFAULT_MAX_LISTEN_STREAMS, DEFAULT_MAX_SESSIONS, DEFAULT_REPLAY_EVENTS, DEFAULT_RETRY_MS, DEFAULT_SESSION_TIMEOUT_MS, type EndpointOptions, type InboundMessage, type SessionEvent } from './endpoint-options';
export { DEFAULT_MAX_TASK_TTL_MS, DEFAULT_MAX_TASKS_PER_OWNER } from './tasks/settings';
export { ProtocolError } from './protocol';
export { DEFAULT_REQUEST_TIMEOUT_MS, type PendingOutcome } from './pending-requests';
export { SessionRegistry } from './registry';
export { SessionClosedError, SessionNotFoundError, type TransportKind } from './session';
export type { ReplyDestination } from './reply-destination';
export { DEFAULT_QUEUE_LIMITS } from './sse';
export { sendMethodNotAllowed } from './http';
export { SESSION_HEADER } from './transports/streamable-http';
export type { MessageKind, RequestId } from './jsonrpc';
export { checkOAuthOptions, DEFAULT_CLOCK_SKEW_S, type OAuthOptions } from './auth/resource-server';
export { metadataPathFor, type ProtectedPath } from './auth/protected-resource';
export { parseToolScopes } from './auth/tool-scopes';
export { splitList, type AuthInfo } from './auth/claims';
export { DeclarationError, type Declaration, type FlowOutcome, type FlowRequest, type JsonObject, type PromptArgument, type PromptDeclaration, type PromptDefinition, type ResourceContent, type ResourceDefinition, type ToolDefinition } from './features/declarations';
export { CSP_LISTS, toolViewMeta, VIEW_MIME_TYPE, VIEW_PATTERNS, VIEW_PERMISSIONS, viewMeta, type ViewSettings, type Visibility } from './features/apps';
// Types only: the cluster module itself is loaded by an endpoint that is given one.
export type { ClusterOptions } from './cluster';
export { callFromEditor, DEFAULT_ACTIVITY_ENTRIES, DEFAULT_EDITOR_CALL_TIMEOUT_MS, EDITOR_METHODS, EditorCallTimeout, endpointCounts, sessionList, watchEndpoint, type ActivityEntryJson, type ActivityLog } from './workbench';
