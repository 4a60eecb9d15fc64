/**
 * Multi-round-trip requests on a 2026-07-28 exchange (MCP 2026-07-28 "input_required",
 * SEP-2322): a flow's elicitation, sampling or roots request to the client becomes part of an
 * `input_required` result, with a sealed `requestState` (see `request-state.ts`) that carries the
 * answers of earlier rounds and the flow's `msg.mcp.state`. The client's retry brings the answers
 * (`params.inputResponses`) and the state back, on any instance that shares the secret; the flow
 * runs again and finds each answer at once, as the result of its request.
 *
 * No server memory outlives the POST: everything a retry needs is in the retry.
 *
 * Never imports Node-RED.
 */
import type { JsonObject } from '../features/declarations';
import type { JsonRpcMessage, JsonRpcRequest } from '../jsonrpc';
import type { PushResult, SendContext } from '../protocol';
import { MODERN_VERSION, ModernErrorCode } from './envelope';
import { requestKey, type Exchange, type ExchangeRequest } from './exchange';
import { processStateSecret, REQUEST_STATE_TTL_MS, StateSeal } from './request-state';

/** Methods that may answer `input_required` (SEP-2322). */
const INPUT_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** The client capability each input request needs. */
const INPUT_CAPABILITY: Readonly<Record<string, string>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/** Ms an exchange waits after a flow's input request for more, before answering `input_required`. */
const INPUT_BATCH_MS = 25;

/** Sends an answer on an exchange (`Exchanges.send`: results decorated as 2026-07-28 wants). */
type ExchangeSend = (exchange: Exchange, payload: JsonObject, context: SendContext) => PushResult;

/** The input rounds of one endpoint's exchanges, and the secret their `requestState` is sealed with. */
export class InputRequired {
  private readonly seal: StateSeal;

  /**
   * @param stateSecret the secret that seals `requestState`; empty or absent: the endpoint's random
   *   one, made once per process ({@link processStateSecret}: a retry must then reach this
   *   instance, and works across redeploys).
   * @param endpointId the endpoint's id, whose random secret is used without `stateSecret`.
   * @param send how an answer goes out on an exchange.
   * @param warn told of an `input_required` result that could not be sent.
   */
  constructor(stateSecret: string | undefined, endpointId: string, private readonly send: ExchangeSend, private readonly warn: (text: string) => void) {
    this.seal = new StateSeal(stateSecret !== undefined && stateSecret !== '' ? stateSecret : processStateSecret(endpointId));
  }

  /**
   * The record of one client request of an exchange: its method and name (tool or prompt name,
   * resource URI) and, on a retry, the answers and flow state its `requestState` and
   * `inputResponses` carry. `valid` is false when the `requestState` was tampered with, sealed
   * with another secret, has expired or was issued for another request: the request is then to
   * be answered `-32602` "Invalid or expired requestState".
   */
  open(request: JsonRpcRequest): { entry: ExchangeRequest; valid: boolean } {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const name = request.method === 'resources/read' ? params.uri : params.name;
    const entry: ExchangeRequest = { method: request.method, name: typeof name === 'string' ? name : undefined, responses: {}, asked: {}, inputCount: 0 };
    if (params.requestState !== undefined) {
      const state = this.seal.open(params.requestState);
      if (state === undefined || state.method !== request.method || state.name !== entry.name) return { entry, valid: false };
      entry.responses = { ...state.responses };
      entry.state = state.state;
    }
    if (typeof params.inputResponses === 'object' && params.inputResponses !== null && !Array.isArray(params.inputResponses)) {
      Object.assign(entry.responses, params.inputResponses);
    }
    return { entry, valid: true };
  }

  /**
   * A flow's request to the client on an exchange. Its key is the payload's own `id`, else
   * `input-<n>` (the n-th input request of this run of the flow, the same on each retry). When
   * the retry already carries the answer, the request settles at once with it; otherwise it
   * joins the `input_required` result sent {@link INPUT_BATCH_MS} after the flow's last one, with
   * the sealed `requestState`. A request the client has no capability for answers the client's
   * request `-32021` (HTTP 400); one made while answering anything but `tools/call`,
   * `prompts/get` or `resources/read` is dropped.
   */
  ask(exchange: Exchange, message: Record<string, unknown>, context: SendContext): PushResult {
    const method = message.method as string;
    const requestId = context.requestId;
    const entry = requestId === undefined ? undefined : exchange.requests.get(requestKey(requestId));
    if (requestId === undefined || entry === undefined || !INPUT_METHODS.has(entry.method) || INPUT_CAPABILITY[method] === undefined) {
      return { sent: false, reason: `${method} dropped: a ${MODERN_VERSION} request can only ask the client for elicitation, sampling or roots, while answering tools/call, prompts/get or resources/read` };
    }
    const capability = INPUT_CAPABILITY[method];
    if (!exchange.declares(capability)) {
      this.send(exchange, { jsonrpc: '2.0', id: requestId, error: { code: ModernErrorCode.MissingRequiredClientCapability, message: `Missing required client capability: ${capability}`, data: { requiredCapabilities: { [capability]: {} } } } }, { requestId });
      return { sent: false, reason: `${method} dropped: the client did not declare the ${capability} capability` };
    }
    entry.inputCount++;
    const key = typeof message.id === 'string' || typeof message.id === 'number' ? String(message.id) : `input-${entry.inputCount}`;
    const settle = context.request?.settle;
    if (Object.prototype.hasOwnProperty.call(entry.responses, key)) {
      const result = entry.responses[key];
      setImmediate(() => settle?.({ status: 'result', result }, { id: key, method }));
      return { sent: true, message: message as unknown as JsonRpcMessage };
    }
    entry.asked[key] = message.params === undefined ? { method } : { method, params: message.params };
    if (context.state !== undefined) entry.state = context.state;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (exchange.closed || Object.keys(entry.asked).length === 0) return;
      const requestState = this.seal.seal({ method: entry.method, name: entry.name, responses: entry.responses, state: entry.state, exp: Date.now() + REQUEST_STATE_TTL_MS });
      const result = { resultType: 'input_required', inputRequests: entry.asked, requestState };
      entry.asked = {};
      try {
        this.send(exchange, { jsonrpc: '2.0', id: requestId, result }, { requestId });
      } catch (error) {
        if (!exchange.closed) this.warn(`MCP exchange ${exchange.id}: could not send input_required: ${(error as Error).message}`);
      }
    }, INPUT_BATCH_MS);
    entry.timer.unref();
    return { sent: true, message: message as unknown as JsonRpcMessage };
  }
}
