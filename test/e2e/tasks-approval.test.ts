/**
 * Issue 21 end to end: examples/approval.json in the real node-red, with
 * `@modelcontextprotocol/ext-tasks` as the requester in both eras (2025-11-25 on a session,
 * 2026-07-28 stateless; see test/support/ext-tasks.ts). request_approval runs as a task; the
 * client goes away completely; a person approves through the page 5 s later (a real HTTP POST);
 * a new client gets the completed result under the same task id. Also: a cancelled task leaves
 * the page (the flow heard the cancellation); an elicitation during a task, answered by the
 * client (2025-11-25: delivered while the task is input_required; 2026-07-28: tasks/update);
 * a task id that is not the caller's (another session's, the other era's, nobody's) is not found;
 * 200 concurrent tasks in both eras, none lost or crossed. With the Task TTL (endpoint setting and
 * the functions' constant) set to 2 s: requests older than it leave the list, and a decision
 * POSTed for one gets "this request has expired" (410).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { legacyTaskSession, modernTaskSession, resumedTaskSession, type TaskSession } from '../support/ext-tasks';

const EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'approval.json');
type FlowNode = Record<string, unknown> & { id: string; type: string };

/**
 * A second tool beside the example's, for the elicitation: after a second (the call is a task by
 * then in both eras: 2026-07-28 asks inline only within its first 0.2 s) it asks the client why,
 * then answers with the reason.
 */
function askReasonTool(): FlowNode[] {
  const z = 'approval_tab';
  return [
    { id: 't_ask', type: 'mcp-sse-tool', z, endpoint: 'approval_endpoint', name: 'ask_reason', description: 'Asks the user why', inputSchema: '{"type":"object","properties":{}}', taskSupport: 'always', x: 100, y: 500, wires: [['t_ask_fn']] },
    { id: 't_ask_fn', type: 'function', z, name: 'elicit', func: "setTimeout(() => {\nmsg.payload = { method: 'elicitation/create', params: { message: 'Why?', requestedSchema: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] } } };\nnode.send(msg);\n}, 1000);\nreturn null;", outputs: 1, x: 300, y: 500, wires: [['t_ask_out']] },
    { id: 't_ask_out', type: 'mcp-sse-out', z, name: 'ask the client', target: 'session', endpoint: '', timeout: 60, x: 500, y: 500, wires: [['t_ask_answer']] },
    { id: 't_ask_answer', type: 'function', z, name: 'answer', func: "msg.payload = 'reason: ' + (msg.payload && msg.payload.content ? msg.payload.content.reason : 'none');\nreturn msg;", outputs: 1, x: 700, y: 500, wires: [['t_ask_reply']] },
    { id: 't_ask_reply', type: 'mcp-sse-out', z, name: 'reply', target: 'session', endpoint: '', timeout: 60, x: 900, y: 500, wires: [[]] },
  ];
}

/** The TaskExecution ext-tasks returns for a tool that runs as a task. */
interface Execution {
  kind: string;
  handle: { taskId: string };
  serializeReference(): unknown;
  detach(): Promise<void>;
  cancel(): Promise<void>;
  result(): Promise<{ status: string; result?: Record<string, unknown>; error?: Error }>;
}

/**
 * Lets go of a task without cancelling it. ext-tasks' session.close() cancels every execution
 * whose local outcome has not settled yet, and detach() settles it only a tick later: wait for
 * that (the local outcome of a detached execution is a failure "closed"; the task runs on).
 */
async function letGo(execution: Execution): Promise<void> {
  await execution.detach();
  await execution.result().catch(() => undefined);
}

async function call(session: TaskSession, name: string, args: Record<string, unknown>): Promise<Execution> {
  const execution = (await session.callTool(name, args as never)) as unknown as Execution;
  assert.equal(execution.kind, 'task', `${name} ran as a task`);
  return execution;
}

describe('tasks end to end: examples/approval.json with ext-tasks in both eras', () => {
  let nodeRed: RunningNodeRed;
  let dir: string;
  let mcpUrl: string;

  /** The approval page of a task: 200 while it waits for a person, 404 once decided or cancelled. */
  const page = async (taskId: string): Promise<number> => (await fetch(`${nodeRed.url}/approval/${encodeURIComponent(taskId)}`)).status;
  const waiting = (taskId: string): Promise<void> => waitForAsync(async () => (await page(taskId)) === 200, `the approval page of ${taskId}`);
  const decide = async (taskId: string, decision: 'approve' | 'reject'): Promise<void> => {
    const res = await fetch(`${nodeRed.url}/approval/${encodeURIComponent(taskId)}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `decision=${decision}&comment=ok` });
    assert.equal(res.status, 200, await res.text());
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-tasks-'));
    const flow = [...(JSON.parse(readFileSync(EXAMPLE, 'utf8')) as FlowNode[]), ...askReasonTool()];
    writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow));
    nodeRed = await startNodeRedWith(path.join(dir, 'flows.json'), { install: 'link' });
    mcpUrl = `${nodeRed.url}/approval-mcp/mcp`;
  });
  after(async () => {
    await nodeRed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('2025-11-25 and 2026-07-28: the client goes away, a person approves 5 s later, a new client gets the result by the task id', { timeout: 120_000 }, async () => {
    const legacy = await legacyTaskSession(mcpUrl);
    const modern = await modernTaskSession(mcpUrl);
    const first = await call(legacy.session, 'request_approval', { summary: 'Order 42: three laptops', requester: 'ada' });
    const second = await call(modern.session, 'request_approval', { summary: 'Order 43: a printer', requester: 'bob' });
    await Promise.all([waiting(first.handle.taskId), waiting(second.handle.taskId)]);
    const references = [first.serializeReference(), second.serializeReference()];
    // Gone completely: the executions let go of their tasks (no cancel), the clients close.
    await letGo(first);
    await letGo(second);
    await legacy.close();
    await modern.close();

    await new Promise((r) => setTimeout(r, 5000));
    await decide(first.handle.taskId, 'approve');
    await decide(second.handle.taskId, 'reject');

    const resumed = await resumedTaskSession(mcpUrl, legacy.sessionId);
    const again = await modernTaskSession(mcpUrl);
    try {
      const [a, b] = await Promise.all([
        (resumed.session.resumeTask(references[0] as never) as unknown as Promise<Execution>).then((e) => e.result()),
        (again.session.resumeTask(references[1] as never) as unknown as Promise<Execution>).then((e) => e.result()),
      ]);
      assert.equal(a.status, 'completed', String(a.error));
      assert.deepEqual(pick(a.result?.structuredContent), { approved: true, decision: 'approved', summary: 'Order 42: three laptops' });
      assert.deepEqual((a.result?._meta as Record<string, unknown>)['io.modelcontextprotocol/related-task'], { taskId: first.handle.taskId });
      assert.equal(b.status, 'completed', String(b.error));
      assert.deepEqual(pick(b.result?.structuredContent), { approved: false, decision: 'rejected', summary: 'Order 43: a printer' });
    } finally {
      await resumed.close();
      await again.close();
    }
  });

  it('cancels mid-way in both eras: the task reads cancelled and the flow takes it off the page', { timeout: 120_000 }, async () => {
    for (const open of [legacyTaskSession, modernTaskSession]) {
      const client = await open(mcpUrl);
      try {
        const execution = await call(client.session, 'request_approval', { summary: 'Cancel me' });
        await waiting(execution.handle.taskId);
        await execution.cancel();
        assert.equal((await execution.result()).status, 'cancelled');
        assert.equal((await client.session.task(execution.handle.taskId as never).snapshot()).status, 'cancelled');
        await waitForAsync(async () => (await page(execution.handle.taskId)) === 404, 'the flow saw the cancellation');
      } finally {
        await client.close();
      }
    }
  });

  it('asks the client during a task (elicitation) and the answer reaches the flow, in both eras', { timeout: 120_000 }, async () => {
    const answer = async (): Promise<unknown> => ({ action: 'accept', content: { reason: 'budget' } });
    for (const open of [legacyTaskSession, modernTaskSession]) {
      const client = await open(mcpUrl, answer);
      try {
        const outcome = await (await call(client.session, 'ask_reason', {})).result();
        assert.equal(outcome.status, 'completed', String(outcome.error));
        assert.deepEqual(outcome.result?.content, [{ type: 'text', text: 'reason: budget' }]);
      } finally {
        await client.close();
      }
    }
  });

  it("answers a task id that is not the caller's with not-found (-32602), never the task, in both eras", { timeout: 120_000 }, async () => {
    const notFound = (error: Error & { code?: number }): boolean => error.code === -32602 && /not found|unknown task/i.test(error.message);
    const owner = await legacyTaskSession(mcpUrl);
    const other = await legacyTaskSession(mcpUrl);
    const modern = await modernTaskSession(mcpUrl);
    try {
      const mine = await call(owner.session, 'request_approval', { summary: 'Mine only' });
      const theirs = await call(modern.session, 'request_approval', { summary: 'Made without a session' });
      // Another 2025-11-25 session: neither by id nor in its list.
      await assert.rejects(other.session.task(mine.handle.taskId as never).snapshot(), notFound);
      assert.deepEqual((await other.session.listTasks()).tasks, []);
      // Across eras: a session's task is not a 2026-07-28 client's, and a 2026-07-28 task is no session's.
      await assert.rejects(modern.session.task(mine.handle.taskId as never).snapshot(), notFound);
      await assert.rejects(other.session.task(theirs.handle.taskId as never).snapshot(), notFound);
      // An id nobody made.
      await assert.rejects(modern.session.task('AAAAAAAAAAAAAAAAAAAAAA' as never).snapshot(), notFound);
      // The owners still see theirs.
      assert.equal((await owner.session.task(mine.handle.taskId as never).snapshot()).status, 'working');
      assert.equal((await modern.session.task(theirs.handle.taskId as never).snapshot()).status, 'working');
      await mine.cancel();
      await theirs.cancel();
    } finally {
      await owner.close();
      await other.close();
      await modern.close();
    }
  });

  it('runs 200 concurrent tasks (2 sessions of 2025-11-25 and 2 clients of 2026-07-28, 50 each) with no result lost or crossed', { timeout: 120_000 }, async () => {
    const clients = await Promise.all([legacyTaskSession(mcpUrl), modernTaskSession(mcpUrl), legacyTaskSession(mcpUrl), modernTaskSession(mcpUrl)]);
    try {
      const executions = await Promise.all(Array.from({ length: 200 }, (_, i) => call(clients[i % 4].session, 'request_approval', { summary: `item ${i}` })));
      assert.equal(new Set(executions.map((e) => e.handle.taskId)).size, 200, 'every task has its own id');
      await Promise.all(executions.map((e) => waiting(e.handle.taskId)));
      for (let i = 0; i < 200; i += 20) await Promise.all(executions.slice(i, i + 20).map((e, j) => decide(e.handle.taskId, (i + j) % 2 === 0 ? 'approve' : 'reject')));
      const outcomes = await Promise.all(executions.map((e) => e.result()));
      outcomes.forEach((outcome, i) => {
        assert.equal(outcome.status, 'completed', `task ${i}: ${String(outcome.error)}`);
        assert.deepEqual(pick(outcome.result?.structuredContent), { approved: i % 2 === 0, decision: i % 2 === 0 ? 'approved' : 'rejected', summary: `item ${i}` });
      });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

describe('examples/approval.json forgets requests older than the Task TTL (2 s here)', () => {
  let nodeRed: RunningNodeRed;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-tasks-ttl-'));
    const flow = (JSON.parse(readFileSync(EXAMPLE, 'utf8')) as FlowNode[]).map((node) => {
      if (node.type === 'mcp-sse-endpoint') return { ...node, maxTaskTtl: 2 };
      if (node.type !== 'function' || !String(node.func).includes('TASK_TTL_MS')) return node;
      const func = String(node.func).replace('const TASK_TTL_MS = 3600 * 1000;', 'const TASK_TTL_MS = 2 * 1000;');
      assert.notEqual(func, node.func, `${node.id} keeps the Task TTL in the constant TASK_TTL_MS`);
      return { ...node, func };
    });
    assert.equal(flow.filter((node) => String(node.func ?? '').includes('TASK_TTL_MS = 2 * 1000')).length, 3, 'the list, the page and the decision know the Task TTL');
    writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow));
    nodeRed = await startNodeRedWith(path.join(dir, 'flows.json'), { install: 'link' });
  });
  after(async () => {
    await nodeRed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops expired requests from the list and answers a decision for one with "this request has expired"', { timeout: 60_000 }, async () => {
    const client = await legacyTaskSession(`${nodeRed.url}/approval-mcp/mcp`);
    try {
      const late = await call(client.session, 'request_approval', { summary: 'Decided too late' });
      const forgotten = await call(client.session, 'request_approval', { summary: 'Nobody looked' });
      const list = async (): Promise<string> => (await fetch(`${nodeRed.url}/approval`)).text();
      await waitForAsync(async () => (await list()).includes('Nobody looked'), 'the requests on the list');
      await letGo(late);
      await letGo(forgotten);
      await new Promise((r) => setTimeout(r, 2500));

      const res = await fetch(`${nodeRed.url}/approval/${encodeURIComponent(late.handle.taskId)}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
      const text = await res.text();
      assert.equal(res.status, 410, text);
      assert.match(text, /This request has expired/);
      const after = await list();
      assert.match(after, /Nothing is waiting/);
      assert.doesNotMatch(after, /Nobody looked/);
      assert.equal((await fetch(`${nodeRed.url}/approval/${encodeURIComponent(forgotten.handle.taskId)}`)).status, 404);
    } finally {
      await client.close();
    }
  });
});

/** The fields of a decision the test compares (not the time). */
function pick(value: unknown): Record<string, unknown> {
  const v = (value ?? {}) as Record<string, unknown>;
  return { approved: v.approved, decision: v.decision, summary: v.summary };
}

/** Polls an async check every 50 ms until it holds. @throws when it does not within `timeoutMs`. */
async function waitForAsync(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
