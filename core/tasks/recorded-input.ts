/**
 * Input responses across instances (several instances through Redis): a 2026-07-28
 * `tasks/update` may reach an instance that does not run the task. That instance cannot answer
 * the flow's waiting requests, so it records the answers in the task (`inputResponses`, and error
 * answers in `inputErrors`, never on any wire) and the instance running it, hearing the change,
 * hands them to its flow ({@link TaskRunner.deliverRecorded}, called by `EndpointTasks`). What the client sees is the same
 * as on the owner: the answered keys leave `inputRequests` at once, and the task is `working`
 * again once none is left. Cancellation needs nothing here: `cancelled` in the store is enough
 * for the owner to tell its flow.
 *
 * Never imports Node-RED.
 */
import type { JsonRpcErrorObject } from '../jsonrpc';
import type { TaskChange, TaskPatch, TaskRecord, TaskStore } from './task';

/**
 * Records the client's answers to the waiting input requests of `record` (which is
 * `input_required` and runs on another instance): `responses` results, `errors` JSON-RPC error
 * answers (kept in `inputErrors`, so the flow gets them as errors); unknown or already answered
 * keys are ignored. The keys are taken from the task as it is when written (a {@link TaskChange}),
 * so an input request the running instance adds meanwhile stays listed.
 * @returns the task after it (as it is when no key matched), or undefined when it is gone.
 */
export async function recordInput(store: TaskStore, record: TaskRecord, responses: Record<string, unknown>, errors: Record<string, JsonRpcErrorObject> = {}): Promise<TaskRecord | undefined> {
  const change: TaskChange = (current) => {
    if (current.status !== 'input_required') return undefined;
    const left = { ...(current.inputRequests ?? {}) };
    const take = <T>(answers: Record<string, T>): Record<string, T> => {
      const taken: Record<string, T> = {};
      for (const [key, answer] of Object.entries(answers)) {
        if (!Object.prototype.hasOwnProperty.call(left, key)) continue;
        delete left[key];
        taken[key] = answer;
      }
      return taken;
    };
    const results = take(responses);
    const failures = take(errors);
    if (Object.keys(results).length + Object.keys(failures).length === 0) return undefined;
    const patch: TaskPatch = Object.keys(left).length > 0 ? { inputRequests: left } : { status: 'working' };
    if (Object.keys(results).length > 0) patch.inputResponses = { ...(current.inputResponses ?? {}), ...results };
    if (Object.keys(failures).length > 0) patch.inputErrors = { ...(current.inputErrors ?? {}), ...failures };
    return patch;
  };
  return store.update(record.taskId, change);
}
