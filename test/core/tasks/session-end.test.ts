/**
 * A 2025-11-25 task made without OAuth belongs to its session: when the session ends for good (here
 * the client's DELETE) nobody can reach the task again, so it is cancelled then, as a client's
 * `tasks/cancel` does: the flow gets `notifications/cancelled` for the call, and the task reads
 * `cancelled` with a reason that says the session ended (not running on until its TTL).
 * A core endpoint over plain node:http, a raw Streamable HTTP client.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, waitFor, type CoreServer } from '../../support/core-server';
import { StreamableClient } from '../../support/streamable-client';
import { MemoryTaskStore } from '../../../core/tasks/memory-store';

describe('a 2025-11-25 session that ends for good cancels its unfinished tasks', () => {
  let server: CoreServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('DELETE of the session: the flow hears notifications/cancelled, the task reads cancelled', async () => {
    const store = new MemoryTaskStore();
    server = await startCoreServer({ tasks: { store } });
    let started = 0;
    server.endpoint.features.declare({
      kind: 'tool', owner: 'n', taskSupport: 'always', definition: { name: 'hold', inputSchema: { type: 'object' } },
      onRequest: () => void started++,
    });
    const client = new StreamableClient(`${server.url}/mcp`);
    assert.equal((await client.initialize()).status, 200);
    client.protocolVersion = '2025-11-25';
    await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const call = await client.post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'hold', arguments: {}, task: { ttl: 600_000 } } });
    assert.equal(call.status, 200, call.body);
    await waitFor(() => started === 1, 5000, 'the flow to get the call');
    const [task] = (await store.list(`session:${client.sessionId}`, undefined, 10)).tasks;
    assert.equal(task?.status, 'working');

    assert.ok([200, 204].includes((await client.delete()).status));
    const cancelled = () => server!.received.find((m) => m.kind === 'notification' && 'method' in m.message && m.message.method === 'notifications/cancelled');
    await waitFor(() => cancelled() !== undefined, 5000, 'the flow to hear notifications/cancelled');
    assert.equal((cancelled()!.message as unknown as { params: { requestId: unknown } }).params.requestId, 7);
    const after = await store.get(task.taskId);
    assert.equal(after?.status, 'cancelled');
    assert.match(String(after?.statusMessage), /session that made the task ended \(the client deleted it\)/);
    client.closeAll();
  });
});
