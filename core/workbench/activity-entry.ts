/**
 * One line of an endpoint's activity list (see `activity-log.ts`): a client's request from its
 * arrival to its response, a server-initiated request from its sending to its end, or a
 * notification either way; with its payloads only when the endpoint records them.
 *
 * Never imports Node-RED.
 */
import type { RequestId } from '../jsonrpc';

/**
 * How a request ended: a result, a tool's error result (`isError`), a JSON-RPC error, no answer in
 * time, cancelled (by the client, or its session closed), or `task`: a `tools/call` answered with
 * a task (MCP tasks), which goes on (`taskStatus` says where it stands; later entries its changes).
 */
export type ActivityOutcome = 'result' | 'tool-error' | 'error' | 'timeout' | 'cancelled' | 'task';

/** A task's status, as the activity list shows it (the same five words in both eras). */
export type ActivityTaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** Who made the call: an MCP client, or the editor's Try it (`POST /mcp-sse/endpoints/:id/call`). */
export type ActivitySource = 'client' | 'editor';

/** An entry as the admin API and the sidebar read it. */
export interface ActivityEntryJson {
  /** Its number in the endpoint's list: 1, 2, 3, ... in the order entries were completed. */
  seq: number;
  /** When the request or notification arrived or was sent, epoch ms. */
  at: number;
  /** The session, when it belongs to one (not the editor's calls: they open none). */
  sessionId?: string;
  /** 2026-07-28 (stateless): no session; the exchange (the POST being answered) instead. */
  era?: '2026-07-28';
  exchangeId?: string;
  /** Who sent the request or notification: the client (or editor), or the server (server-initiated requests, notifications). */
  from: 'client' | 'server';
  kind: 'request' | 'notification';
  method: string;
  /** The tool or prompt called, or the resource URI read. */
  name?: string;
  /** The JSON-RPC id of a request. */
  id?: RequestId;
  /**
   * MCP tasks: the task a `tools/call` became (and its later entries), a `tasks/*` request names,
   * or whose flow sent or was sent the message (an elicitation while it runs).
   */
  taskId?: string;
  /** The task's status after this entry: on a `tools/call` that became a task, and on each change of it. */
  taskStatus?: ActivityTaskStatus;
  /** Request received (or sent) until its response was written (or came back), in ms, to 0.1 ms. */
  durationMs?: number;
  outcome?: ActivityOutcome;
  /** The JSON-RPC error's code and message (an `error` outcome; `timeout` and `cancelled` when there is one). */
  code?: number;
  message?: string;
  /** A notification sent to many sessions at once: how many. */
  sessions?: number;
  source: ActivitySource;
  /** Recording on: the request's `params`, and the response's `result` or `error`, as JSON text, cut to 16 KiB. */
  params?: string;
  result?: string;
  /** Which of `params` and `result` were cut. */
  truncated?: Array<'params' | 'result'>;
}

/** Longest recorded payload, in bytes of UTF-8: longer ones are cut (and named in `truncated`). */
export const MAX_RECORDED_BYTES = 16 * 1024;

/** What stands in for the value of any `Authorization` key in a recorded payload. */
export const REDACTED = '[redacted]';

/** JSON.stringify's replacer for recorded payloads: no `Authorization` value, whatever its case, is ever kept. */
function withoutAuthorization(key: string, value: unknown): unknown {
  return key.length === 13 && key.toLowerCase() === 'authorization' ? REDACTED : value;
}

/**
 * A payload as recorded: JSON text without `Authorization` values, cut to {@link MAX_RECORDED_BYTES}.
 * @returns the text and whether it was cut; `undefined` for no payload (or one that cannot be serialised).
 */
export function recordPayload(value: unknown): { text: string; cut: boolean } | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, withoutAuthorization);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  if (text.length * 3 <= MAX_RECORDED_BYTES || Buffer.byteLength(text) <= MAX_RECORDED_BYTES) return { text, cut: false };
  // Cut at a byte boundary; a character split in two is dropped.
  return { text: Buffer.from(text).subarray(0, MAX_RECORDED_BYTES).toString('utf8').replace(/\uFFFD$/, ''), cut: true };
}

/** One entry; {@link view} gives {@link ActivityEntryJson}. Made once per message: its fields are filled in place. */
export class ActivityEntry {
  seq = 0;
  /** `performance.now()` at the start, for the duration. */
  readonly started: number;
  name: string | undefined;
  durationMs: number | undefined;
  outcome: ActivityOutcome | undefined;
  code: number | undefined;
  message: string | undefined;
  sessions: number | undefined;
  params: string | undefined;
  result: string | undefined;
  truncated: Array<'params' | 'result'> | undefined;
  taskId: string | undefined;
  taskStatus: ActivityTaskStatus | undefined;
  /** The message went through a running task's own in-process caller: it has no session a user could look up. */
  inTask = false;

  constructor(
    readonly at: number,
    started: number,
    /** The session or exchange id; '' for a broadcast. */
    readonly place: string,
    readonly exchange: boolean,
    readonly source: ActivitySource,
    readonly from: 'client' | 'server',
    readonly kind: 'request' | 'notification',
    readonly method: string,
    readonly id: RequestId | undefined,
  ) {
    this.started = started;
  }

  /** Sets the duration from `now` (`performance.now()`). */
  end(now: number): void {
    this.durationMs = Math.round((now - this.started) * 10) / 10;
  }

  /** Keeps `value` as the recorded `params` or `result`. */
  record(which: 'params' | 'result', value: unknown): void {
    const recorded = recordPayload(value);
    if (recorded === undefined) return;
    this[which] = recorded.text;
    if (recorded.cut) (this.truncated ??= []).push(which);
  }

  /** The entry as the admin API gives it; `withPayloads` false leaves out `params` and `result` (what the editor is pushed). */
  view(withPayloads: boolean): ActivityEntryJson {
    const out: ActivityEntryJson = { seq: this.seq, at: this.at, from: this.from, kind: this.kind, method: this.method, source: this.source };
    // The editor's in-process caller has an id, but no session a user could look up.
    if (this.place !== '' && this.source !== 'editor' && !this.inTask) {
      if (this.exchange) {
        out.era = '2026-07-28';
        out.exchangeId = this.place;
      } else {
        out.sessionId = this.place;
      }
    }
    if (this.name !== undefined) out.name = this.name;
    if (this.id !== undefined) out.id = this.id;
    if (this.taskId !== undefined) out.taskId = this.taskId;
    if (this.taskStatus !== undefined) out.taskStatus = this.taskStatus;
    if (this.durationMs !== undefined) out.durationMs = this.durationMs;
    if (this.outcome !== undefined) out.outcome = this.outcome;
    if (this.code !== undefined) out.code = this.code;
    if (this.message !== undefined) out.message = this.message;
    if (this.sessions !== undefined) out.sessions = this.sessions;
    if (withPayloads) {
      if (this.params !== undefined) out.params = this.params;
      if (this.result !== undefined) out.result = this.result;
      if (this.truncated !== undefined) out.truncated = this.truncated;
    }
    return out;
  }

  /** What `JSON.stringify` writes: {@link view} with the payloads. */
  toJSON(): ActivityEntryJson {
    return this.view(true);
  }
}
