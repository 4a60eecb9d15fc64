/**
 * The `initialize` answer (MCP 2025-11-25 "Basic > Lifecycle > Initialization"): the protocol
 * version agreed, the capabilities that follow from what is declared, `serverInfo` and
 * `instructions`.
 *
 * Never imports Node-RED.
 */
import type { JsonObject } from './declarations';
import { UI_EXTENSION } from './apps';

/** The protocol versions this server speaks, newest first. */
const PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

/** The version to answer: the client's when this server speaks it, else the newest it speaks ("Version Negotiation"). */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && PROTOCOL_VERSIONS.includes(requested) ? requested : PROTOCOL_VERSIONS[0];
}

/** What is declared, as far as capabilities go. */
export interface Declared {
  tools: number;
  resources: number;
  prompts: number;
  /** Prompts or resource templates that answer `completion/complete`. */
  completions: boolean;
  /** MCP Apps: views declared (resources of the view MIME type). */
  views?: number;
}

/**
 * The server capabilities: `logging` always (the endpoint answers `logging/setLevel`); `tools`,
 * `resources` (with `subscribe`) and `prompts`, each with `listChanged`, when any is declared;
 * `completions` when a prompt or template offers them; with a view declared, the MCP Apps
 * extension as SEP-2133 declares extensions: `extensions: { "io.modelcontextprotocol/ui": {} }`
 * (in `initialize` and, 2026-07-28, in `server/discover`).
 */
export function capabilities(declared: Declared): JsonObject {
  const caps: JsonObject = { logging: {} };
  if (declared.completions) caps.completions = {};
  if (declared.prompts > 0) caps.prompts = { listChanged: true };
  if (declared.resources > 0) caps.resources = { subscribe: true, listChanged: true };
  if (declared.tools > 0) caps.tools = { listChanged: true };
  if ((declared.views ?? 0) > 0) caps.extensions = { [UI_EXTENSION]: {} };
  return caps;
}

/** `serverInfo` and `instructions` of an endpoint. */
export interface ServerIdentity {
  /** `serverInfo`: `name` and `version` required, `title` optional. */
  serverInfo: { name: string; version: string; title?: string };
  /** Sent as `instructions` when not blank: how to use this server, for the model. */
  instructions?: string;
}

/** The `initialize` result for a client that asked for `requested`. */
export function initializeResult(requested: unknown, declared: Declared, identity: ServerIdentity): JsonObject {
  const result: JsonObject = { protocolVersion: negotiateVersion(requested), capabilities: capabilities(declared), serverInfo: identity.serverInfo };
  if (identity.instructions !== undefined && identity.instructions.trim() !== '') result.instructions = identity.instructions;
  return result;
}
