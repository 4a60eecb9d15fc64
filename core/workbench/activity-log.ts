/**
 * An endpoint's activity list: what went through its protocol layer, either way, as entries in a
 * ring of fixed size (the newest replace the oldest), for the editor's MCP sidebar and the admin
 * API (`GET /mcp-sse/endpoints/:id/activity?since=<seq>`).
 *
 * It is the protocol layer's observer (`protocol-observer.ts`): a client request becomes an entry
 * when it arrives and is added to the list, with its duration and outcome, when its response is
 * written (or it is cancelled); a server-initiated request likewise when it ends; a notification
 * at once. It never changes a message and never waits: per message it makes the entry and nothing
 * else (a map per session is made once). Payloads (`params`, `result`) are kept only with
 * `recordPayloads` on, as JSON text cut to 16 KiB, without `Authorization` values. MCP tasks: a
 * `tools/call` that became a task, and each change of the task, are entries (`activity-tasks.ts`);
 * the task's own re-issued request is not (the messages its flow exchanges are, with its `taskId`).
 *
 * Never imports Node-RED.
 */
import { performance } from 'node:perf_hooks';
import { isObject, type JsonRpcErrorObject, type JsonRpcMessage, type JsonRpcRequest, type JsonRpcResponse, type RequestId } from '../jsonrpc';
import type { PendingOutcome } from '../pending-requests';
import type { ProtocolObserver } from '../protocol-observer';
import type { ReplyDestination } from '../reply-destination';
import { Session } from '../session';
import { Exchange } from '../stateless/exchange';
import { TaskCall } from '../tasks/task-call';
import type { TaskRecord } from '../tasks/task';
import { ActivityEntry, type ActivitySource } from './activity-entry';
import { TaskActivity } from './activity-tasks';
import { LiveSessions } from './live-sessions';

/** Entries an endpoint keeps, unless set. */
export const DEFAULT_ACTIVITY_ENTRIES = 500;
/** Most requests of one session remembered while they wait for their answer; past it the oldest is forgotten. */
const MAX_WAITING_PER_SESSION = 1000;
/** Longest error message kept, in characters. */
const MAX_MESSAGE_CHARS = 500;

/** Settings of an activity list. */
export interface ActivityOptions {
  /** Entries kept (the newest); default {@link DEFAULT_ACTIVITY_ENTRIES}, at least 1. */
  size?: number;
  /** Keep `params` and `result` of every entry (they may hold personal data). Default false. */
  recordPayloads?: boolean;
}

type Waiting = Map<string, Map<RequestId, ActivityEntry>>;

/** The map of `key`, made the first time it is needed. */
function waitingOf(waiting: Waiting, key: string): Map<RequestId, ActivityEntry> {
  let map = waiting.get(key);
  if (map === undefined) {
    map = new Map();
    waiting.set(key, map);
  }
  if (map.size >= MAX_WAITING_PER_SESSION) map.delete(map.keys().next().value as RequestId);
  return map;
}

/** Longest task id kept from a client's `tasks/*` request, in characters. */
const MAX_TASK_ID_CHARS = 100;

/** The tool or prompt a request names, or the resource URI it reads. */
function nameOf(method: string, params: Record<string, unknown> | undefined): string | undefined {
  if (params === undefined) return undefined;
  const name = method === 'tools/call' || method === 'prompts/get' ? params.name : method.startsWith('resources/') ? params.uri : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** An endpoint's activity list; see the module comment. */
export class ActivityLog implements ProtocolObserver {
  readonly size: number;
  readonly recordPayloads: boolean;
  /** When the list was made, epoch ms: seqs start again at 1 in a list made later (a deploy that replaced the endpoint). */
  readonly epoch = Date.now();
  /** The endpoint's open sessions, with what their clients said of themselves. */
  readonly sessions = new LiveSessions();
  /** Hears that an entry was added (once per entry, with nothing: read {@link since}). */
  onEntry: (() => void) | undefined;
  private readonly ring: Array<ActivityEntry | undefined>;
  private nextSeq = 1;
  /** Client requests waiting for their response, by session, by id. */
  private readonly clientRequests: Waiting = new Map();
  /** Server-initiated requests waiting for their end, by session, by id. */
  private readonly serverRequests: Waiting = new Map();
  /** Sessions (in-process callers) whose requests the editor made. */
  private readonly editorCallers = new Set<string>();
  /** The tasks followed: their changes become entries. */
  private readonly tasks: TaskActivity;

  constructor(options: ActivityOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? DEFAULT_ACTIVITY_ENTRIES));
    this.recordPayloads = options.recordPayloads === true;
    this.ring = new Array<ActivityEntry | undefined>(this.size);
    this.tasks = new TaskActivity((entry) => this.append(entry), this.recordPayloads);
  }

  /** A task of the endpoint changed (`EndpointTasks.onChange`): an entry when its call is in this list and its status is new. */
  taskChanged(record: TaskRecord): void {
    this.tasks.changed(record);
  }

  /** The seq of the newest entry (0 before the first). */
  get seq(): number {
    return this.nextSeq - 1;
  }

  /**
   * The entries after `since` still kept, oldest first; at most `limit` (the oldest of them).
   * @param since a seq from an earlier answer; 0 for every entry kept.
   */
  since(since: number, limit = this.size): ActivityEntry[] {
    const first = Math.max(since + 1, this.nextSeq - this.size, 1);
    const out: ActivityEntry[] = [];
    for (let seq = first; seq < this.nextSeq && out.length < limit; seq++) out.push(this.ring[(seq - 1) % this.size] as ActivityEntry);
    return out;
  }

  /** Marks the session (or exchange) `id` as the editor's: its entries say `source: "editor"`; {@link closed} forgets it. */
  markEditor(id: string): void {
    this.editorCallers.add(id);
  }

  /** Adds an entry for a request that ends without a response the protocol layer sees (the editor's call that timed out). */
  timedOut(session: ReplyDestination, id: RequestId, message: string): void {
    const entry = this.clientRequests.get(session.id)?.get(id);
    if (entry === undefined) return;
    this.clientRequests.get(session.id)?.delete(id);
    entry.end(performance.now());
    entry.outcome = 'timeout';
    entry.message = message;
    this.append(entry);
  }

  received(session: ReplyDestination, kind: 'request' | 'notification', message: JsonRpcMessage): void {
    const { method, params } = message as JsonRpcRequest;
    if (kind === 'request' && method === 'initialize' && session instanceof Session) this.sessions.initialized(session, params);
    if (method === 'notifications/cancelled') this.cancelled(session, params);
    // A task's own re-issued request: the task's entries stand for it.
    if (session instanceof TaskCall && kind === 'request' && (message as JsonRpcRequest).id === session.requestId) return;
    const entry = this.entry(session, 'client', kind, method, kind === 'request' ? (message as JsonRpcRequest).id : undefined, params);
    if (entry.id === undefined) this.append(entry);
    else waitingOf(this.clientRequests, session.id).set(entry.id, entry);
  }

  sent(session: ReplyDestination, message: JsonRpcMessage): void {
    if ('method' in message) {
      const id = (message as JsonRpcRequest).id as RequestId | undefined;
      const entry = this.entry(session, 'server', id === undefined ? 'notification' : 'request', message.method, id, message.params);
      if (id === undefined) this.append(entry);
      else waitingOf(this.serverRequests, session.id).set(id, entry);
      return;
    }
    const { id, result, error } = message as JsonRpcResponse;
    const waiting = id === null ? undefined : this.clientRequests.get(session.id);
    const entry = waiting?.get(id as RequestId);
    if (entry === undefined) return;
    waiting?.delete(id as RequestId);
    this.answer(entry, result, error);
  }

  settled(session: ReplyDestination, request: Pick<JsonRpcRequest, 'id' | 'method'>, outcome: PendingOutcome): void {
    const waiting = this.serverRequests.get(session.id);
    const entry = waiting?.get(request.id);
    if (entry === undefined) return;
    waiting?.delete(request.id);
    if (outcome.status === 'result' || outcome.status === 'error') {
      this.answer(entry, outcome.status === 'result' ? outcome.result : undefined, outcome.status === 'error' ? outcome.error : undefined);
      return;
    }
    entry.end(performance.now());
    entry.outcome = outcome.status === 'timeout' ? 'timeout' : 'cancelled';
    this.setError(entry, outcome.error);
    this.append(entry);
  }

  broadcast(message: JsonRpcMessage, count: number): void {
    // One that reached nobody (a deploy's list_changed with no session open) is not worth a line.
    if (count === 0) return;
    const entry = new ActivityEntry(Date.now(), performance.now(), '', false, 'client', 'server', 'notification', (message as JsonRpcRequest).method, undefined);
    entry.sessions = count;
    if (this.recordPayloads) entry.record('params', (message as JsonRpcRequest).params);
    this.append(entry);
  }

  closed(sessionId: string): void {
    this.clientRequests.delete(sessionId);
    this.serverRequests.delete(sessionId);
    this.editorCallers.delete(sessionId);
  }

  /** A new entry for a request or notification of `session`. */
  private entry(session: ReplyDestination, from: 'client' | 'server', kind: 'request' | 'notification', method: string, id: RequestId | undefined, params: Record<string, unknown> | undefined): ActivityEntry {
    const source: ActivitySource = this.editorCallers.size > 0 && this.editorCallers.has(session.id) ? 'editor' : 'client';
    const entry = new ActivityEntry(Date.now(), performance.now(), session.id, session instanceof Exchange, source, from, kind, method, id);
    entry.name = nameOf(method, params);
    if (session instanceof TaskCall) {
      entry.inTask = true;
      entry.taskId = session.taskId;
    } else if (typeof params?.taskId === 'string' && (method.startsWith('tasks/') || method.startsWith('notifications/tasks'))) {
      entry.taskId = params.taskId.slice(0, MAX_TASK_ID_CHARS);
    }
    if (this.recordPayloads) entry.record('params', params);
    return entry;
  }

  /** A request answered: its duration, outcome and (recording) result, then into the list. */
  private answer(entry: ActivityEntry, result: unknown, error: JsonRpcErrorObject | undefined): void {
    entry.end(performance.now());
    if (error !== undefined) {
      entry.outcome = 'error';
      this.setError(entry, error);
    } else if (!this.tasks.mark(entry, result)) {
      entry.outcome = isObject(result) && result.isError === true ? 'tool-error' : 'result';
    }
    if (this.recordPayloads) entry.record('result', error ?? result);
    this.append(entry);
    if (entry.outcome === 'task') this.tasks.follow(entry);
  }

  /** The client's `notifications/cancelled`: the request it names ends as `cancelled`. */
  private cancelled(session: ReplyDestination, params: Record<string, unknown> | undefined): void {
    const id = params?.requestId;
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const waiting = this.clientRequests.get(session.id);
    const entry = waiting?.get(id);
    if (entry === undefined) return;
    waiting?.delete(id);
    entry.end(performance.now());
    entry.outcome = 'cancelled';
    if (typeof params?.reason === 'string') entry.message = params.reason.length > MAX_MESSAGE_CHARS ? params.reason.slice(0, MAX_MESSAGE_CHARS) : params.reason;
    this.append(entry);
  }

  private setError(entry: ActivityEntry, error: JsonRpcErrorObject | undefined): void {
    if (error === undefined) return;
    if (typeof error.code === 'number') entry.code = error.code;
    if (typeof error.message === 'string') entry.message = error.message.length > MAX_MESSAGE_CHARS ? error.message.slice(0, MAX_MESSAGE_CHARS) : error.message;
  }

  private append(entry: ActivityEntry): void {
    entry.seq = this.nextSeq++;
    this.ring[(entry.seq - 1) % this.size] = entry;
    this.onEntry?.();
  }
}
