/**
 * The input requests of a 2025-11-25 task ("Input Required Status"): while a task is
 * `input_required`, each server-initiated request its flow sent (elicitation, sampling) goes to the
 * client once, with the related-task `_meta`: on the stream of a waiting `tasks/result` when there
 * is one, else on the standalone stream of the session that made the task (clients "SHOULD expect
 * messages on any SSE stream"). The client's answer, a result or a JSON-RPC error, goes back to
 * the runner; a request that found no open stream, or whose session closed before the answer, is
 * sent again at the next chance (the next `tasks/result`, or the next change of the task).
 *
 * Never imports Node-RED.
 */
import { isObject, type JsonRpcErrorObject, type RequestId } from '../jsonrpc';
import type { PendingOutcome } from '../pending-requests';
import type { SendContext } from '../protocol';
import type { ReplyDestination } from '../reply-destination';
import type { TaskRecord } from './task';
import { RELATED_TASK } from './wire-2025';

/** What the input requests need of the 2025-11-25 methods. */
export interface Inputs2025Host {
  /** Where a task's input requests go now: a waiting `tasks/result` (its session and request id), else the session that made it. */
  streamFor(taskId: string): { session: ReplyDestination; requestId?: RequestId } | undefined;
  /** Sends; @returns true when it went out. */
  send(to: ReplyDestination, payload: Record<string, unknown>, context: SendContext): boolean;
  /** The client's answer to input request `key` of a task, for the flow. */
  respond(taskId: string, key: string, answer: { result: unknown } | { error: JsonRpcErrorObject }): Promise<void>;
  warn(text: string): void;
}

/** See the module comment. */
export class TaskInputs2025 {
  /** Input requests sent and not answered yet, by `taskId key`. */
  private readonly sent = new Set<string>();

  constructor(private readonly host: Inputs2025Host) {}

  /** Sends each input request of `record` (an `input_required` task) that is not out already. */
  deliver(record: TaskRecord): void {
    for (const [key, input] of Object.entries(record.inputRequests ?? {})) {
      const mark = `${record.taskId} ${key}`;
      if (this.sent.has(mark)) continue;
      const stream = this.host.streamFor(record.taskId);
      if (stream === undefined || stream.session.closed) continue;
      const params = isObject(input.params) ? input.params : {};
      const meta = isObject(params._meta) ? params._meta : {};
      const payload = { method: input.method, params: { ...params, _meta: { ...meta, [RELATED_TASK]: { taskId: record.taskId } } } };
      this.sent.add(mark);
      const settle = (outcome: PendingOutcome): void => {
        this.sent.delete(mark);
        if (outcome.status !== 'result' && outcome.status !== 'error') return;
        const answer = outcome.status === 'result' ? { result: outcome.result } : { error: outcome.error };
        this.host.respond(record.taskId, key, answer).catch((error: unknown) => this.host.warn(`Task ${record.taskId}: could not hand the client's answer to the flow: ${(error as Error).message}`));
      };
      const context: SendContext = { ...(stream.requestId === undefined ? {} : { requestId: stream.requestId }), request: { timeoutMs: 0, settle } };
      if (!this.host.send(stream.session, payload, context)) this.sent.delete(mark);
    }
  }
}
