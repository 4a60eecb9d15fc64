/**
 * Input responses across instances (several instances through Redis): a 2026-07-28
 * `tasks/update` may reach an instance that does not run the task. That instance cannot answer
 * the flow's waiting requests, so it records the answers in the task (`inputResponses`, never on
 * any wire) and the instance running it, hearing the change, hands them to its flow
 * ({@link TaskRunner.deliverRecorded}, called by `EndpointTasks`). What the client sees is the same
 * as on the owner: the answered keys leave `inputRequests` at once, and the task is `working`
 * again once none is left. Cancellation needs nothing here: `cancelled` in the store is enough
 * for the owner to tell its flow.
 *
 * Never imports Node-RED.
 */
import type { TaskChange, TaskRecord, TaskStore } from './task';

/**
 * Records the client's answers to the waiting input requests of `record` (which is
 * `input_required` and runs on another instance); unknown or already answered keys are ignored.
 * The keys are taken from the task as it is when written (a {@link TaskChange}), so an input
 * request the running instance adds meanwhile stays listed.
 * @returns the task after it (as it is when no key matched), or undefined when it is gone.
 */
export async function recordInput(store: TaskStore, record: TaskRecord, responses: Record<string, unknown>): Promise<TaskRecord | undefined> {
  const change: TaskChange = (current) => {
    if (current.status !== 'input_required') return undefined;
    const left = { ...(current.inputRequests ?? {}) };
    const taken: Record<string, unknown> = {};
    for (const [key, result] of Object.entries(responses)) {
      if (!Object.prototype.hasOwnProperty.call(left, key)) continue;
      delete left[key];
      taken[key] = result;
    }
    if (Object.keys(taken).length === 0) return undefined;
    const inputResponses = { ...(current.inputResponses ?? {}), ...taken };
    return Object.keys(left).length > 0 ? { inputRequests: left, inputResponses } : { status: 'working', inputResponses };
  };
  return store.update(record.taskId, change);
}
