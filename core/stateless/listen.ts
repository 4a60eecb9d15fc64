/**
 * The `subscriptions/listen` filter of MCP 2026-07-28 (`SubscriptionFilter`): which notifications
 * a listen stream opted in to, as the server honours and acknowledges it, and whether one is to
 * go to it. `notifications/resources/updated` for the URIs it names replaces `resources/subscribe`;
 * `notifications/tasks` for the task ids it names (`taskIds`) is the tasks extension's (SEP-2663
 * "Task Status Notifications"), answered with the endpoint's tasks ({@link ListenTasks}).
 *
 * Never imports Node-RED.
 */
import type { JsonObject } from '../features/declarations';
import { isObject, type JsonRpcErrorObject, type JsonRpcMessage, type RequestId } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import { META } from './envelope';

/** Most task ids one listen stream may name; more are left out of its acknowledgement. */
export const MAX_LISTEN_TASK_IDS = 1000;

/** The `subscriptions/listen` filter keys and the notification each lets through. */
const LISTEN_FILTERS: Readonly<Record<string, string>> = {
  toolsListChanged: 'notifications/tools/list_changed',
  promptsListChanged: 'notifications/prompts/list_changed',
  resourcesListChanged: 'notifications/resources/list_changed',
};

/**
 * What a `subscriptions/listen` stream opted in to (2026-07-28 `SubscriptionFilter`): the
 * list-changed notifications of {@link LISTEN_FILTERS}, and `notifications/resources/updated`
 * for the URIs of `resourceSubscriptions` (which replaces `resources/subscribe`).
 */
export interface ListenFilter {
  toolsListChanged?: true;
  promptsListChanged?: true;
  resourcesListChanged?: true;
  /** Resource URIs whose `notifications/resources/updated` the stream gets (exact match). */
  resourceSubscriptions?: string[];
  /** Task ids whose `notifications/tasks` the stream gets (the tasks extension; only tasks its caller could `tasks/get`). */
  taskIds?: string[];
}

/**
 * A listen stream's state on its exchange, set once it is acknowledged: the listen request's id and
 * the honoured filter; `heard`, while the state of its tasks is being read, the task ids a
 * `notifications/tasks` already went out for (newer than that read: it is not sent for them).
 */
export interface ListenState {
  id: RequestId;
  filter: ListenFilter;
  heard?: Set<string>;
}

/** What a listen stream opens on: an exchange (exchange.ts), seen only as far as listening needs. */
export interface ListenTarget extends ReplyDestination {
  listen?: ListenState;
}

/**
 * What a listen stream's `taskIds` need from the endpoint's tasks (`tasks/endpoint-tasks.ts`):
 * SEP-2663 "Task Status Notifications".
 */
export interface ListenTasks {
  /**
   * The error a listen request that names `taskIds` gets before its stream opens, or undefined:
   * `-32021` when the endpoint has tasks and the request's `_meta` clientCapabilities do not
   * declare the tasks extension (SEP-2663: the server MUST return that error).
   */
  listenRefusal(protocolVersion: string, clientCapabilities: JsonObject): JsonRpcErrorObject | undefined;
  /**
   * Of `taskIds`, the tasks whose notifications a listen stream on `origin` may get (those its
   * caller could `tasks/get`: the same owner), each as its `notifications/tasks` params now.
   * @returns undefined when the endpoint has no tasks for that version: `taskIds` is then not acknowledged.
   */
  listenable(origin: ReplyDestination, taskIds: readonly string[]): Promise<JsonObject[] | undefined>;
}

/**
 * The task ids a `subscriptions/listen` request's `params.notifications` names: the strings of
 * `taskIds` (an array), without duplicates, at most {@link MAX_LISTEN_TASK_IDS}; undefined when
 * it names none (no `taskIds` array).
 */
export function askedTaskIds(notifications: unknown): string[] | undefined {
  const asked = isObject(notifications) ? notifications.taskIds : undefined;
  if (!Array.isArray(asked)) return undefined;
  return [...new Set(asked.filter((id): id is string => typeof id === 'string' && id !== ''))].slice(0, MAX_LISTEN_TASK_IDS);
}

/** The capability (as `server/discover` reports it) each {@link LISTEN_FILTERS} key needs: `<capability>.listChanged`. */
const LISTEN_CAPABILITY: Readonly<Record<string, string>> = {
  toolsListChanged: 'tools',
  promptsListChanged: 'prompts',
  resourcesListChanged: 'resources',
};

/**
 * The filter of a `subscriptions/listen` request (`params.notifications`) as it is honoured and
 * acknowledged (2026-07-28 `notifications/subscriptions/acknowledged`: the filter the server
 * agreed to, leaving out what it does not support): each list-changed key that is `true` and
 * whose list the server announces changes of (`capabilities.<tools|prompts|resources>.listChanged`),
 * and the strings of `resourceSubscriptions` (an array; other entries and duplicates dropped)
 * when `capabilities.resources.subscribe` is set. Anything else is ignored.
 * @param capabilities the capabilities `server/discover` reports; absent: nothing is left out
 *   for want of a capability.
 */
export function listenFilter(notifications: unknown, capabilities?: Record<string, unknown>): ListenFilter {
  const asked = isObject(notifications) ? notifications : {};
  const supports = (capability: string, flag: string): boolean => {
    if (capabilities === undefined) return true;
    const entry = capabilities[capability];
    return isObject(entry) && entry[flag] === true;
  };
  const filter: Record<string, unknown> = {};
  for (const key of Object.keys(LISTEN_FILTERS)) if (asked[key] === true && supports(LISTEN_CAPABILITY[key], 'listChanged')) filter[key] = true;
  if (Array.isArray(asked.resourceSubscriptions) && supports('resources', 'subscribe')) {
    filter.resourceSubscriptions = [...new Set(asked.resourceSubscriptions.filter((uri): uri is string => typeof uri === 'string'))];
  }
  return filter as ListenFilter;
}

/**
 * True when a listen stream with `filter` is to be sent notification `method` with `params`: a
 * list-changed notification its filter names, `notifications/resources/updated` for one of its
 * URIs, or `notifications/tasks` for one of its task ids. Nothing else: a server must not send a
 * listen stream what its client did not opt in to.
 */
export function listenWants(filter: ListenFilter, method: unknown, params: unknown): boolean {
  if (method === 'notifications/resources/updated') {
    const uri = isObject(params) ? params.uri : undefined;
    return typeof uri === 'string' && (filter.resourceSubscriptions?.includes(uri) ?? false);
  }
  if (method === 'notifications/tasks') {
    const taskId = isObject(params) ? params.taskId : undefined;
    return typeof taskId === 'string' && (filter.taskIds?.includes(taskId) ?? false);
  }
  return Object.keys(LISTEN_FILTERS).some((key) => LISTEN_FILTERS[key] === method && (filter as Record<string, unknown>)[key] === true);
}

/**
 * Opens the listen stream of listen request `id` on `exchange` with `filter` (see
 * {@link listenFilter}): acknowledges it (`notifications/subscriptions/acknowledged`, with `id` as
 * `_meta["io.modelcontextprotocol/subscriptionId"]`), and from then on the exchange gets what it
 * opted in to (`Exchanges.notifyListeners`). Task ids it names ({@link askedTaskIds}) are narrowed
 * to the tasks its caller could `tasks/get` (others, unknown or not theirs, are left out of the
 * acknowledgement, silently: nothing tells whether a task exists); the acknowledgement waits for
 * that, and right after it each such task's state now goes out as a `notifications/tasks` (a task
 * that changed while the stream opened is not missed). With `tasks` absent, or off for the
 * request, `taskIds` is not acknowledged.
 */
export function openListenStream(exchange: ListenTarget, id: RequestId, notifications: unknown, filter: ListenFilter, tasks: ListenTasks | undefined, warning: (text: string) => void): void {
  const send = (method: string, params: JsonObject): void => {
    exchange.send({ jsonrpc: '2.0', method, params: { ...params, _meta: { [META.subscriptionId]: id } } } as JsonRpcMessage, id);
  };
  const acknowledge = (): void => {
    exchange.listen = { id, filter };
    send('notifications/subscriptions/acknowledged', { notifications: filter });
  };
  const taskIds = askedTaskIds(notifications);
  if (taskIds === undefined || tasks === undefined) return acknowledge();
  (async () => {
    const visible = await tasks.listenable(exchange, taskIds);
    if (exchange.closed) return;
    if (visible !== undefined) filter.taskIds = visible.map((task) => task.taskId as string);
    acknowledge();
    if (filter.taskIds === undefined || filter.taskIds.length === 0) return;
    const listen = exchange.listen as ListenState;
    listen.heard = new Set();
    // Read after the filter is live: what changed meanwhile is in this read, or was notified (and is newer).
    const now = await tasks.listenable(exchange, filter.taskIds) ?? [];
    const heard = listen.heard;
    listen.heard = undefined;
    if (exchange.closed) return;
    for (const task of now) if (!heard.has(task.taskId as string)) send('notifications/tasks', task);
  })().catch((error) => {
    if (exchange.closed) return;
    warning(`MCP listen stream ${exchange.id}: could not read its tasks: ${(error as Error).message}`);
    if (exchange.listen === undefined) acknowledge();
  });
}
