/**
 * Requests a declaration handed to its flow, waiting for the flow's answer through `mcp sse out`
 * (`endpoint.send` with the request's id), per session. Each is answered once; a session's leave
 * with it.
 *
 * Never imports Node-RED.
 */
import type { RequestId } from '../jsonrpc';
import type { Declaration } from './declarations';
import type { ToolValidators } from './tools';

/** What the answer to a request handed to a flow needs to be shaped. */
export interface FlowCall {
  method: 'tools/call' | 'resources/read' | 'prompts/get' | 'completion/complete';
  declaration: Declaration;
  /** `tools/call`: the tool's validators (output schema). */
  validators?: ToolValidators;
  /** `resources/read`: the URI read. */
  uri?: string;
  /** `completion/complete`: the argument value typed so far. */
  prefix?: string;
}

/** Default most calls remembered per session; past it the oldest is forgotten. */
const DEFAULT_MAX_FLOW_CALLS = 10_000;

function idKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/** The calls of every session of an endpoint that wait for a flow's answer. */
export class FlowCalls {
  private readonly sessions = new Map<string, Map<string, FlowCall>>();

  constructor(private readonly maxPerSession = DEFAULT_MAX_FLOW_CALLS) {}

  /** Records a request handed to a flow. */
  add(sessionId: string, requestId: RequestId, call: FlowCall): void {
    let calls = this.sessions.get(sessionId);
    if (calls === undefined) {
      calls = new Map();
      this.sessions.set(sessionId, calls);
    }
    if (calls.size >= this.maxPerSession) calls.delete(calls.keys().next().value as string);
    calls.set(idKey(requestId), call);
  }

  /** The call a request id names, still waiting, without ending it. */
  get(sessionId: string, requestId: RequestId): FlowCall | undefined {
    return this.sessions.get(sessionId)?.get(idKey(requestId));
  }

  /** Ends a call: it is being answered. */
  delete(sessionId: string, requestId: RequestId): void {
    this.sessions.get(sessionId)?.delete(idKey(requestId));
  }

  /** The number of calls waiting in a session. */
  count(sessionId: string): number {
    return this.sessions.get(sessionId)?.size ?? 0;
  }

  /** Forgets a session that closed. */
  closeSession(sessionId: string): void {
    this.sessions.delete(sessionId);
  }
}
