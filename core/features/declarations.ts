/**
 * What a server declares (MCP 2025-11-25 "Server Features"): tools, resources and resource
 * templates, and prompts, each declared by one owner (in Node-RED, a declaration node), and the
 * requests about them that wait for a flow's answer.
 *
 * Never imports Node-RED.
 */
import type { RequestId } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';

/** JSON object as a client sees it. */
export type JsonObject = Record<string, unknown>;

/** A tool as `tools/list` lists it (2025-11-25 "Server Features > Tools > Tool"): sent verbatim. */
export interface ToolDefinition extends JsonObject {
  name: string;
  title?: string;
  description?: string;
  /** A JSON Schema (2020-12 unless its `$schema` says draft-07) of type `object`. */
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
  /** MCP Apps: `ui.resourceUri` (its view), `ui.visibility`, and the flat `ui/resourceUri` (see `apps.ts`). */
  _meta?: JsonObject;
}

/** A resource (`uri`) or resource template (`uriTemplate`, RFC 6570) as `resources/list` or `resources/templates/list` lists it. */
export interface ResourceDefinition extends JsonObject {
  uri?: string;
  uriTemplate?: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** MCP Apps: a view's `ui` (CSP lists, permissions, border, domain), also put on each item it is read as. */
  _meta?: JsonObject;
}

/** One argument of a prompt (2025-11-25 "Server Features > Prompts"). */
export interface PromptArgument extends JsonObject {
  name: string;
  description?: string;
  required?: boolean;
}

/** A prompt as `prompts/list` lists it. */
export interface PromptDefinition extends JsonObject {
  name: string;
  title?: string;
  description?: string;
  arguments?: PromptArgument[];
}

/** A request a declaration hands to its flow (`tools/call`, `resources/read`, `prompts/get`, `completion/complete`). */
export interface FlowRequest {
  /** The session, or 2026-07-28 exchange, the request came on: the answer goes there. */
  session: ReplyDestination;
  requestId: RequestId;
  method: string;
  /** The tool or prompt name, or the resource URI read. */
  name: string;
  /** What the flow works on: the tool's validated arguments, the template's variables, the prompt's arguments, or `{ argument, context }` for a completion. */
  payload: unknown;
}

/** How a request handed to a flow ended, for the declaration's status. */
export interface FlowOutcome {
  method: string;
  /** True for a tool error result or a JSON-RPC error. */
  isError: boolean;
  /** What went wrong, when `isError`. */
  message?: string;
  /** True when the request never reached the flow (its arguments did not match the input schema). */
  rejected?: boolean;
}

/** What every declaration has. */
interface DeclarationBase {
  /** Who declared it (a node id), for messages about clashes. */
  owner: string;
  /** Hands a request to the flow; absent when the declaration answers on its own (static content, a template). */
  onRequest?(request: FlowRequest): void;
  /** Told how each request about this declaration ended (invalid arguments included). */
  onOutcome?(outcome: FlowOutcome): void;
}

/**
 * A tool's Task setting (MCP tasks): `never` (default) answers every call as it comes; `optional`
 * lets the client's request (2025-11-25) or the server (2026-07-28) make a call a task; `always`
 * makes every call a task (2025-11-25 `execution.taskSupport: "required"`; 2026-07-28: a client
 * without the tasks extension gets `-32021`).
 */
export type TaskSupport = 'never' | 'optional' | 'always';

/** A declared tool: every valid `tools/call` of it goes to `onRequest`. */
export interface ToolDeclaration extends DeclarationBase {
  kind: 'tool';
  definition: ToolDefinition;
  /** Its Task setting; absent: `never`. */
  taskSupport?: TaskSupport;
  onRequest(request: FlowRequest): void;
  /**
   * MCP Apps, a tool that links a view: told once a deploy is done whether the view is declared
   * on the endpoint (`undefined`) or which URI is missing. A missing view's link is left out of
   * `tools/list` until it is declared.
   */
  onViewChecked?(missingUri: string | undefined): void;
}

/** Static content of a resource: UTF-8 text, or base64 bytes. */
export type ResourceContent = { text: string } | { blob: string };

/** A declared resource or resource template: static `content`, or `onRequest` per `resources/read`. */
export interface ResourceDeclaration extends DeclarationBase {
  kind: 'resource';
  definition: ResourceDefinition;
  content?: ResourceContent;
}

/** A declared prompt: a Mustache `template`, or `onRequest` per `prompts/get`; completion values by argument, or by flow. */
export interface PromptDeclaration extends DeclarationBase {
  kind: 'prompt';
  definition: PromptDefinition;
  /** Mustache template filled with the arguments; the prompt is then one message of `role`. */
  template?: string;
  role?: 'user' | 'assistant';
  /** Completion values per argument name, offered by prefix. */
  completions?: Record<string, string[]>;
  /** `completion/complete` for this prompt goes to `onRequest` (method `completion/complete`). */
  completeByFlow?: boolean;
}

export type Declaration = ToolDeclaration | ResourceDeclaration | PromptDeclaration;
export type DeclarationKind = Declaration['kind'];

/** Thrown by {@link McpEndpoint.declare}-style calls for a declaration that cannot be served. */
export class DeclarationError extends Error {
  constructor(readonly code: 'duplicate' | 'invalid-schema' | 'invalid-definition', message: string) {
    super(message);
    this.name = 'DeclarationError';
  }
}

/** The key a declaration is unique by: tool and prompt name, resource URI or URI template. */
export function declarationKey(declaration: Declaration): string {
  if (declaration.kind === 'resource') return declaration.definition.uri ?? declaration.definition.uriTemplate ?? '';
  return declaration.definition.name;
}
