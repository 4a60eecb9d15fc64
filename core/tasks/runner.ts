/**
 * The task runner of one endpoint (MCP tasks, both eras): starts a task for a client's request,
 * runs it by re-issuing the request in-process through a {@link TaskCall}, and keeps its
 * {@link TaskRecord} in the store as the flow goes: the flow's answer ends it (`completed`, also
 * for a tool error result with `isError`; a JSON-RPC error: `failed` with `error`), its
 * server-initiated requests put it in `input_required` (`inputRequests` by key) until
 * {@link TaskRunner.provideInput} answers them, progress and `msg.mcp.taskStatus` set its
 * `statusMessage`. {@link TaskRunner.cancel} ends it `cancelled` and tells the flow with
 * `notifications/cancelled`, as a client's cancellation does; a later answer is dropped.
 *
 * Era-free: the wire shapes are the era modules' (`era-2025.ts`, `era-2026.ts`).
 *
 * Never imports Node-RED.
 */
import type { AuthInfo } from '../auth/claims';
import type { JsonObject } from '../features/declarations';
import { ErrorCode, type JsonRpcErrorObject, type JsonRpcMessage, type JsonRpcRequest, type JsonRpcResponse, type MessageKind } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import { isTerminal, newTaskId, type TaskEra, type TaskRecord, type TaskStore } from './task';
import { callAt } from './expiry';
import { recordInput } from './recorded-input';
import { TaskCall } from './task-call';
import { grantedTtl, type TaskSettings } from './settings';

/** An in-process caller opened on the endpoint (`McpEndpoint.openInProcess`). */
export interface InProcess {
  receive(messages: ReadonlyArray<{ kind: MessageKind; message: JsonRpcMessage }>, auth?: AuthInfo): void;
  close(): void;
}

/** What the runner needs from its endpoint. */
export interface RunnerHost {
  /** Opens `to` as an in-process caller of the endpoint. */
  openInProcess(to: ReplyDestination): InProcess;
  /** Hears a sentence to log. */
  warning(text: string): void;
}

/**
 * Before a 2026-07-28 task is handed to its client (server-directed creation), a flow's input
 * request may be asked inline instead (an `input_required` round on the client's own request):
 * return true when taken; `answer` settles it later with the client's response.
 */
export type InlineAsk = (key: string, request: { method: string; params?: Record<string, unknown> }, answer: (result: unknown) => void) => boolean;

/** What {@link TaskRunner.start} needs. */
export interface TaskSpec {
  /** The session or exchange the client's request came on. */
  origin: ReplyDestination;
  /** The client's request (`tools/call`); re-issued with the same id and params. */
  request: JsonRpcRequest;
  /** `session:<id>`, `subject:<sub>` or `anyone` (see `TaskRecord.owner`). */
  owner: string;
  era: TaskEra;
  /** The TTL the client asked for, in ms (capped by the endpoint's setting). */
  ttlMs?: unknown;
  /** The caller (OAuth on): the flow reads it in `msg.mcp.auth`. */
  auth?: AuthInfo;
  /** What the flow reads as `msg.mcp.clientCapabilities` and `msg.mcp.state`. */
  clientCapabilities?: JsonObject;
  state?: unknown;
  /** See {@link InlineAsk}; cleared by {@link TaskRunner.detach}. */
  inline?: InlineAsk;
}

/** One task this runner runs. */
interface Running {
  call: TaskCall;
  inProcess: InProcess;
  inline?: InlineAsk;
  /** Client responses to inline asks, by key (see {@link InlineAsk}). */
  inlineWaiting: Set<string>;
  /** Cancels the timer that forgets it at the task's expiry. */
  forget: () => void;
  /** True once the flow was sent `notifications/cancelled` (it is told once, whoever cancelled). */
  cancelled?: boolean;
}

/** The progress token of a re-issued request: the flow's progress comes back as status messages. */
const PROGRESS_TOKEN = 'task';

/** One endpoint's task runner; see the module comment. */
export class TaskRunner {
  private readonly running = new Map<string, Running>();
  /** The running tasks' calls by their destination id ({@link callOf}: every incoming request and flow msg asks). */
  private readonly calls = new Map<string, TaskCall>();

  constructor(readonly store: TaskStore, readonly settings: TaskSettings, private readonly host: RunnerHost) {}

  /** The calls of the running tasks: the endpoint interrupts them with its sessions (a deploy, a close). */
  destinations(): Iterable<ReplyDestination> {
    return [...this.running.values()].map((entry) => entry.call);
  }

  /** How many tasks this runner holds a call for (tests, measurements): each is freed by its flow's answer or at its expiry. */
  get size(): number {
    return this.running.size;
  }

  /** True while this runner runs task `taskId` (its flow has not answered). */
  isRunning(taskId: string): boolean {
    return this.running.has(taskId);
  }

  /**
   * Starts a task: stores its record (`working`; resolved once a `get` finds it), then re-issues
   * the request in-process (its msg carries `msg.mcp.taskId`).
   * @returns the record as stored.
   * @throws TaskLimitError when the owner has as many unfinished tasks as the endpoint allows.
   */
  async start(spec: TaskSpec): Promise<TaskRecord> {
    const now = Date.now();
    const params = (spec.request.params ?? {}) as Record<string, unknown>;
    const record: TaskRecord = {
      taskId: newTaskId(), owner: spec.owner, era: spec.era, method: spec.request.method, status: 'working', createdAt: now, lastUpdatedAt: now,
      ttlMs: grantedTtl(spec.ttlMs, this.settings.maxTtlMs), pollIntervalMs: this.settings.pollIntervalMs,
    };
    if (typeof params.name === 'string') record.name = params.name;
    await this.store.create(record, this.settings.maxPerOwner);
    const { taskId } = record;
    const call = new TaskCall(taskId, spec.request.id, spec.origin, {
      answered: (response) => this.answered(taskId, response),
      asked: (key, request) => this.asked(taskId, key, request),
      progressed: (text) => void this.setStatusMessage(taskId, text),
    }, { clientCapabilities: spec.clientCapabilities, state: spec.state });
    const inProcess = this.host.openInProcess(call);
    const entry: Running = { call, inProcess, inline: spec.inline, inlineWaiting: new Set(), forget: () => undefined };
    this.running.set(taskId, entry);
    this.calls.set(call.id, call);
    // Kept no longer than the task: a flow that never answers (a cancelled task's included) does
    // not hold it past the task's expiry; `callAt`, since a 30-day TTL is past setTimeout's range.
    entry.forget = callAt(record.createdAt + record.ttlMs, () => this.end(taskId));
    const meta = typeof params._meta === 'object' && params._meta !== null ? params._meta : {};
    const request: JsonRpcRequest = { jsonrpc: '2.0', id: spec.request.id, method: spec.request.method, params: { ...params, _meta: { ...meta, progressToken: PROGRESS_TOKEN } } };
    setImmediate(() => {
      if (this.running.get(taskId) === entry) inProcess.receive([{ kind: 'request', message: request }], spec.auth);
    });
    return record;
  }

  /** The task is handed to its client: from now on its input requests put it in `input_required`. */
  detach(taskId: string): void {
    const entry = this.running.get(taskId);
    if (entry !== undefined) entry.inline = undefined;
  }

  /**
   * Stops running a task that went another way (answered inline): its flow's waiting requests
   * settle as when a session closes, and the record (never handed to a client) ends `failed`.
   */
  async abandon(taskId: string, why: string): Promise<void> {
    this.end(taskId);
    await this.store.update(taskId, { status: 'failed', statusMessage: why, error: { code: ErrorCode.InternalError, message: why } });
  }

  /**
   * Cancels a task: it ends `cancelled` (a task that has ended stays as it is), and its flow is
   * sent `notifications/cancelled` for the request, as a client's cancellation reaches it.
   * @returns the task after it, or undefined when unknown.
   */
  async cancel(taskId: string, reason = 'The client cancelled the task'): Promise<TaskRecord | undefined> {
    const record = await this.store.update(taskId, { status: 'cancelled', statusMessage: reason });
    if (record?.status === 'cancelled') this.cancelFlow(taskId, reason);
    return record;
  }

  /**
   * The flow's side of a cancel: when task `taskId` runs here, its flow is sent
   * `notifications/cancelled` for the request (once, however many times the cancel is heard:
   * {@link cancel} here, or the store's `cancelled` from another instance), and its later answer
   * is dropped.
   */
  cancelFlow(taskId: string, reason = 'The client cancelled the task'): void {
    const entry = this.running.get(taskId);
    if (entry === undefined || entry.cancelled === true) return;
    entry.cancelled = true;
    entry.inProcess.receive([{ kind: 'notification', message: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: entry.call.requestId, reason } } }]);
  }

  /**
   * The client's answers to a task's input requests, by key: each waiting one reaches the flow
   * as the response to its request (`responses`: results; `errors`: a client's JSON-RPC error
   * answer, which the flow gets as an error, like any error answer to a server-initiated
   * request); unknown keys are ignored. The task stays `input_required` while any is left, and
   * is `working` again once none is.
   * @returns the task after it, or undefined when unknown.
   */
  async provideInput(taskId: string, responses: Record<string, unknown>, errors: Record<string, JsonRpcErrorObject> = {}): Promise<TaskRecord | undefined> {
    const record = await this.store.get(taskId);
    const entry = this.running.get(taskId);
    if (record === undefined || record.status !== 'input_required') return record;
    // Another instance runs it: the answers wait in the task until that instance hands them over.
    if (entry === undefined) return recordInput(this.store, record, responses, errors);
    const taken: string[] = [];
    const answers: Array<{ kind: MessageKind; message: JsonRpcMessage }> = [];
    const outcomes = [...Object.entries(responses).map(([key, result]) => [key, { result }] as const), ...Object.entries(errors).map(([key, error]) => [key, { error }] as const)];
    for (const [key, outcome] of outcomes) {
      const id = entry.call.take(key);
      if (id === undefined) continue;
      taken.push(key);
      answers.push({ kind: 'response', message: { jsonrpc: '2.0', id, ...outcome } as JsonRpcResponse });
    }
    if (answers.length === 0) return record;
    // From the task as it is now: a request the flow asked meanwhile stays listed.
    const updated = await this.store.update(taskId, (current) => {
      if (current.status !== 'input_required') return undefined;
      const left = { ...(current.inputRequests ?? {}) };
      for (const key of taken) delete left[key];
      return Object.keys(left).length > 0 ? { inputRequests: left } : { status: 'working' };
    });
    entry.inProcess.receive(answers);
    return updated;
  }

  /**
   * Hands the answers another instance recorded in the task (`inputResponses`, and error answers
   * in `inputErrors`, which the flow gets as errors; see `recorded-input.ts`) to the flow, when the
   * task runs here: each waiting request is answered once (a key already answered is skipped, so
   * hearing the change twice delivers nothing twice), then the delivered answers leave the task.
   */
  async deliverRecorded(record: TaskRecord): Promise<void> {
    const entry = this.running.get(record.taskId);
    if (entry === undefined || entry.cancelled === true || isTerminal(record.status) || (record.inputResponses === undefined && record.inputErrors === undefined)) return;
    const answers: Array<{ kind: MessageKind; message: JsonRpcMessage }> = [];
    const outcomes = [
      ...Object.entries(record.inputResponses ?? {}).map(([key, result]) => [key, { result }] as const),
      ...Object.entries(record.inputErrors ?? {}).map(([key, error]) => [key, { error }] as const),
    ];
    for (const [key, outcome] of outcomes) {
      const id = entry.call.take(key);
      if (id !== undefined) answers.push({ kind: 'response', message: { jsonrpc: '2.0', id, ...outcome } as JsonRpcResponse });
    }
    if (answers.length === 0) return;
    entry.inProcess.receive(answers);
    // From the task as it is now: answers recorded meanwhile for requests still waiting stay.
    await this.store.update(record.taskId, (current) => {
      const waiting = new Set(entry.call.waitingKeys);
      const results = Object.entries(current.inputResponses ?? {});
      const errors = Object.entries(current.inputErrors ?? {});
      const resultsLeft = results.filter(([key]) => waiting.has(key));
      const errorsLeft = errors.filter(([key]) => waiting.has(key));
      if (resultsLeft.length === results.length && errorsLeft.length === errors.length) return undefined;
      return { inputResponses: Object.fromEntries(resultsLeft), inputErrors: Object.fromEntries(errorsLeft) };
    });
  }

  /** Sets a task's `statusMessage` (progress, `msg.mcp.taskStatus`). @returns the task after it. */
  setStatusMessage(taskId: string, text: string): Promise<TaskRecord | undefined> {
    return this.store.update(taskId, { statusMessage: text.slice(0, 1000) });
  }

  /** The task call named `destinationId` (`msg.mcp.sessionId` of a task's msg), if one runs here. */
  callOf(destinationId: string): TaskCall | undefined {
    return this.calls.get(destinationId);
  }

  /** Stops running every task (the endpoint closed; the endpoint's interrupt has failed them). */
  close(): void {
    for (const taskId of [...this.running.keys()]) this.end(taskId);
  }

  private answered(taskId: string, response: JsonRpcResponse): void {
    this.end(taskId);
    const patch = response.error !== undefined ? { status: 'failed' as const, error: response.error, statusMessage: response.error.message } : { status: 'completed' as const, result: response.result };
    this.store.update(taskId, patch).catch((error) => this.host.warning(`MCP task ${taskId}: could not store its outcome: ${(error as Error).message}`));
  }

  private asked(taskId: string, key: string, request: { method: string; params?: Record<string, unknown> }): void {
    const entry = this.running.get(taskId);
    if (entry === undefined) return;
    if (entry.inline !== undefined) {
      const taken = entry.inline(key, request, (result) => {
        const id = entry.call.take(key);
        if (id !== undefined && this.running.get(taskId) === entry) entry.inProcess.receive([{ kind: 'response', message: { jsonrpc: '2.0', id, result } as JsonRpcResponse }]);
      });
      if (taken) return;
    }
    // Added to the task as it is now (another instance may be removing answered keys at once).
    this.store.update(taskId, (current) => ({ status: 'input_required', inputRequests: { ...(current.status === 'input_required' ? current.inputRequests : {}), [key]: request } }))
      .catch((error) => this.host.warning(`MCP task ${taskId}: could not store its input request: ${(error as Error).message}`));
  }

  /** Forgets a running task; its in-process caller closes once the current message is through. */
  private end(taskId: string): void {
    const entry = this.running.get(taskId);
    if (entry === undefined) return;
    this.running.delete(taskId);
    this.calls.delete(entry.call.id);
    entry.forget();
    setImmediate(() => {
      entry.call.end();
      entry.inProcess.close();
    });
  }
}
