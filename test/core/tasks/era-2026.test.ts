/**
 * The 2026-07-28 tasks extension's limit (core/tasks/era-2026.ts): past the endpoint's **Tasks** setting a
 * `tools/call` that would become a task is refused with `-32000` naming the limit (`data.limit`), the same
 * error as 2025-11-25; a task that ends frees its place.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, type CoreServer } from '../../support/core-server';
import { StreamableClient } from '../../support/streamable-client';

const TASKS = 'io.modelcontextprotocol/tasks';
const WITH_TASKS = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} } } };

type Message = { result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };

let server: CoreServer | undefined;
const clients: StreamableClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.closeAll();
  await server?.close();
  server = undefined;
});

/** Calls `job` as a 2026-07-28 client that declares the tasks extension; the answer's body. */
async function callJob(id: string): Promise<Message> {
  const c = new StreamableClient(`${(server as CoreServer).url}/mcp`);
  clients.push(c);
  const answer = await c.post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'job', arguments: {}, _meta: WITH_TASKS } }, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'job' });
  return answer.stream === undefined ? answer.json as Message : JSON.parse((await answer.stream.nextEvent()).data) as Message;
}

describe('the tasks limit on 2026-07-28', () => {
  it('refuses the call past the limit with -32000 and data.limit, and takes one again once a task ended', async () => {
    server = await startCoreServer({ keepAliveMs: 0, tasks: { maxPerOwner: 2 } });
    const endpoint = server.endpoint;
    const waiting: Array<() => void> = [];
    endpoint.features.declare({
      kind: 'tool', owner: 't', taskSupport: 'always', definition: { name: 'job', inputSchema: { type: 'object' } },
      onRequest: ({ session, requestId }) => waiting.push(() => endpoint.send(session.id, { content: [{ type: 'text', text: 'done' }] }, { requestId })),
    });
    await new Promise((r) => setTimeout(r, 20));

    assert.equal((await callJob('1')).result?.resultType, 'task');
    assert.equal((await callJob('2')).result?.resultType, 'task');
    const refused = await callJob('3');
    assert.equal(refused.error?.code, -32000, JSON.stringify(refused));
    assert.match(refused.error?.message ?? '', /Too many tasks/);
    assert.deepEqual(refused.error?.data, { limit: 2 });

    (waiting.shift() as () => void)();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await callJob('4')).result?.resultType, 'task', 'a task that ended frees its place');
  });
});
