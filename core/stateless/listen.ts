/**
 * The `subscriptions/listen` filter of MCP 2026-07-28 (`SubscriptionFilter`): which notifications
 * a listen stream opted in to, as the server honours and acknowledges it, and whether one is to
 * go to it. `notifications/resources/updated` for the URIs it names replaces `resources/subscribe`.
 *
 * Never imports Node-RED.
 */
import { isObject } from '../jsonrpc';

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
 * list-changed notification its filter names, or `notifications/resources/updated` for one of its
 * URIs. Nothing else: a server must not send a listen stream what its client did not opt in to.
 */
export function listenWants(filter: ListenFilter, method: unknown, params: unknown): boolean {
  if (method === 'notifications/resources/updated') {
    const uri = isObject(params) ? params.uri : undefined;
    return typeof uri === 'string' && (filter.resourceSubscriptions?.includes(uri) ?? false);
  }
  return Object.keys(LISTEN_FILTERS).some((key) => LISTEN_FILTERS[key] === method && (filter as Record<string, unknown>)[key] === true);
}
