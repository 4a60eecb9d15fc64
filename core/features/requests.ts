/**
 * The requests an endpoint answers itself when it answers the protocol (MCP 2025-11-25): one
 * function per method, each giving the result, a JSON-RPC error, `'flow'` when the request went
 * to a declaration's flow, or `undefined` when no declaration handles it (it then goes on to
 * `mcp message in`).
 *
 * Never imports Node-RED.
 */
import { ErrorCode, isObject, type JsonRpcErrorObject, type JsonRpcRequest } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import type { Catalog } from './catalog';
import type { Declaration, FlowRequest, JsonObject } from './declarations';
import type { FlowCall, FlowCalls } from './flow-calls';
import { initializeResult, type Declared, type ServerIdentity } from './lifecycle';
import { isLogLevel, LOG_LEVELS, type LogLevels } from './logging';
import { paginate } from './pagination';
import { completionFrom, missingArguments, renderPrompt } from './prompts';
import { staticContents, type Subscriptions } from './resources';
import { checkArguments } from './tools';

/** MCP's error code for a resource that does not exist ("Server Features > Resources > Error Handling"). */
const RESOURCE_NOT_FOUND = -32002;

/** What a handler decided. */
type Handled = { result: JsonObject } | { error: JsonRpcErrorObject } | 'flow' | undefined;

/** What the handlers read and change. */
export interface RequestContext {
  catalog: Catalog;
  calls: FlowCalls;
  subscriptions: Subscriptions;
  logLevels: LogLevels;
  identity: ServerIdentity;
  pageSize: number;
  /** True when the endpoint's "Answer protocol" option is on. */
  answerProtocol: boolean;
  /** True while an `mcp message in` (a flow) hears what no declaration handles. */
  flowListening(): boolean;
  /** The capabilities each session's client declared in its `initialize`, by session id. */
  clientCapabilities: Map<string, JsonObject>;
  /** Adds capabilities beyond the declarations' (MCP tasks) to an `initialize` or `server/discover` result, given the version and what the client declared. */
  addCapabilities?: (version: string | undefined, capabilities: JsonObject, clientCapabilities: JsonObject | undefined) => void;
}

type Handler = (ctx: RequestContext, session: ReplyDestination, request: JsonRpcRequest, params: JsonObject) => Handled;

function invalidParams(message: string, data?: unknown): Handled {
  return { error: data === undefined ? { code: ErrorCode.InvalidParams, message } : { code: ErrorCode.InvalidParams, message, data } };
}

/** A list request: the declared items, a page at a time; not handled when none is declared (a flow may answer it). */
function list(which: 'tools' | 'resources' | 'templates' | 'prompts', key: string, declared: (ctx: RequestContext) => number): Handler {
  return (ctx, _session, _request, params) => {
    if (declared(ctx) === 0 && ctx.flowListening()) return undefined;
    const page = paginate(ctx.catalog.list(which), params.cursor, ctx.pageSize);
    if (page === undefined) return invalidParams('Invalid params: unknown cursor');
    const result: JsonObject = { [key]: page.page };
    if (page.nextCursor !== undefined) result.nextCursor = page.nextCursor;
    return { result };
  };
}

/** Hands a request to its declaration's flow and remembers how to shape the answer. */
function toFlow(ctx: RequestContext, session: ReplyDestination, request: JsonRpcRequest, call: FlowCall, name: string, payload: unknown): Handled {
  const declaration: Declaration = call.declaration;
  if (declaration.onRequest === undefined) return { error: { code: ErrorCode.InternalError, message: `No flow answers ${request.method} for ${name}` } };
  ctx.calls.add(session.id, request.id, call);
  const flowRequest: FlowRequest = { session, requestId: request.id, method: request.method, name, payload };
  declaration.onRequest(flowRequest);
  return 'flow';
}

/** What is declared, as the capabilities of `initialize` and `server/discover` go: a listening flow that answers the protocol counts as a tool. */
export function declared(ctx: RequestContext): Declared {
  return {
    tools: ctx.catalog.count('tool') + (ctx.answerProtocol && ctx.flowListening() ? 1 : 0),
    resources: ctx.catalog.count('resource'),
    prompts: ctx.catalog.count('prompt'),
    completions: ctx.catalog.completions,
    views: ctx.catalog.views,
  };
}

const handlers: Record<string, Handler> = {
  initialize: (ctx, session, _request, params) => {
    if (isObject(params.capabilities)) {
      ctx.clientCapabilities.set(session.id, params.capabilities);
    }
    const result = initializeResult(params.protocolVersion, declared(ctx), ctx.identity);
    ctx.addCapabilities?.(result.protocolVersion as string, result.capabilities as JsonObject, isObject(params.capabilities) ? params.capabilities : undefined);
    return { result };
  },
  ping: () => ({ result: {} }),
  'logging/setLevel': (ctx, session, _request, params) => {
    if (!isLogLevel(params.level)) return invalidParams(`Invalid params: level must be one of ${LOG_LEVELS.join(', ')}`);
    ctx.logLevels.set(session.id, params.level);
    return { result: {} };
  },
  'tools/list': list('tools', 'tools', (ctx) => ctx.catalog.count('tool')),
  'tools/call': (ctx, session, request, params) => {
    const tool = ctx.catalog.tool(params.name);
    if (tool === undefined) return undefined;
    const checked = checkArguments(tool.declaration.definition.name, tool.validators, params.arguments);
    if (!checked.ok) {
      tool.declaration.onOutcome?.({ method: 'tools/call', isError: true, message: checked.message, rejected: true });
      return { result: checked.result };
    }
    return toFlow(ctx, session, request, { method: 'tools/call', declaration: tool.declaration, validators: tool.validators }, tool.declaration.definition.name, checked.args);
  },
  'resources/list': list('resources', 'resources', (ctx) => ctx.catalog.count('resource')),
  'resources/templates/list': list('templates', 'resourceTemplates', (ctx) => ctx.catalog.count('resource')),
  'resources/read': (ctx, session, request, params) => {
    const found = ctx.catalog.resource(params.uri);
    if (found === undefined) return undefined;
    const uri = params.uri as string;
    const { declaration, variables } = found;
    if (declaration.content !== undefined) return { result: staticContents(uri, declaration.definition, declaration.content) };
    return toFlow(ctx, session, request, { method: 'resources/read', declaration, uri }, uri, variables);
  },
  'resources/subscribe': (ctx, session, _request, params) => {
    if (ctx.catalog.resource(params.uri) === undefined) return undefined;
    ctx.subscriptions.subscribe(session.id, params.uri as string);
    return { result: {} };
  },
  'resources/unsubscribe': (ctx, session, _request, params) => {
    if (ctx.catalog.resource(params.uri) === undefined) return undefined;
    ctx.subscriptions.unsubscribe(session.id, params.uri as string);
    return { result: {} };
  },
  'prompts/list': list('prompts', 'prompts', (ctx) => ctx.catalog.count('prompt')),
  'prompts/get': (ctx, session, request, params) => {
    const prompt = ctx.catalog.prompt(params.name);
    if (prompt === undefined) return undefined;
    const args = (typeof params.arguments === 'object' && params.arguments !== null ? params.arguments : {}) as JsonObject;
    const missing = missingArguments(prompt, args);
    if (missing.length > 0) return invalidParams(`Invalid params: prompt ${prompt.definition.name} needs the argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    if (prompt.template !== undefined) return { result: renderPrompt(prompt, args) };
    return toFlow(ctx, session, request, { method: 'prompts/get', declaration: prompt }, prompt.definition.name, args);
  },
  'completion/complete': (ctx, session, request, params) => {
    const ref = (params.ref ?? {}) as JsonObject;
    const argument = (params.argument ?? {}) as JsonObject;
    const prefix = typeof argument.value === 'string' ? argument.value : '';
    if (ref.type === 'ref/resource') return ctx.catalog.template(ref.uri) === undefined ? undefined : { result: completionFrom([], prefix) };
    const prompt = ref.type === 'ref/prompt' ? ctx.catalog.prompt(ref.name) : undefined;
    if (prompt === undefined) return undefined;
    if (prompt.completeByFlow === true) {
      return toFlow(ctx, session, request, { method: 'completion/complete', declaration: prompt, prefix }, prompt.definition.name, { argument, context: params.context ?? {} });
    }
    const values = typeof argument.name === 'string' ? prompt.completions?.[argument.name] ?? [] : [];
    return { result: completionFrom(values, prefix) };
  },
};

/**
 * Answers a request no declaration handled when no flow listens either, so the client is not
 * left waiting: an unknown tool or prompt `-32602`, an unknown resource `-32002`, an empty list,
 * and `-32601` for any other method.
 */
export function fallback(request: JsonRpcRequest, params: JsonObject): Handled {
  switch (request.method) {
    case 'tools/call': return invalidParams(`Unknown tool: ${String(params.name)}`);
    case 'prompts/get': return invalidParams(`Unknown prompt: ${String(params.name)}`);
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return { error: { code: RESOURCE_NOT_FOUND, message: `Resource not found: ${String(params.uri)}`, data: { uri: params.uri } } };
    case 'completion/complete': return { result: completionFrom([], '') };
    default: return { error: { code: ErrorCode.MethodNotFound, message: `Method not found: ${request.method}` } };
  }
}

/** Runs the handler of `request.method`, if there is one. */
export function handleRequest(ctx: RequestContext, session: ReplyDestination, request: JsonRpcRequest): Handled {
  const handler = Object.prototype.hasOwnProperty.call(handlers, request.method) ? handlers[request.method] : undefined;
  return handler?.(ctx, session, request, (request.params ?? {}) as JsonObject);
}
