import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flowPerTest, helper, inputsOf, publishedRegistry, type LoadedFlow } from '../support/helper';
import { openSse, postJson } from '../support/sse-client';
import { waitFor } from '../support/core-server';

const TAB = { id: 'tab1', type: 'tab', label: 'test' };
const ENDPOINT = { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', ssePath: '/sse', messagePath: '/sse/message', keepAlive: 15, maxBodySize: 4194304 };

/** The usual server: sse in -> events, message in -> received, out node, catch -> caught. */
function serverFlow(extra: object[] = []): object[] {
  return [
    TAB,
    ENDPOINT,
    { id: 'in', type: 'mcp-sse-in', z: 'tab1', endpoint: 'ep', wires: [['events']] },
    { id: 'events', type: 'helper', z: 'tab1' },
    { id: 'msgIn', type: 'mcp-message-in', z: 'tab1', endpoint: 'ep', wires: [['received']] },
    { id: 'received', type: 'helper', z: 'tab1' },
    { id: 'out', type: 'mcp-sse-out', z: 'tab1' },
    { id: 'catcher', type: 'catch', z: 'tab1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab1' },
    ...extra,
  ];
}


describe('the nodes in the Node-RED runtime (test helper, real HTTP)', () => {
  let flow: LoadedFlow | undefined;
  const { load, open, track } = flowPerTest();

  it('answers a request through message in -> flow -> sse out with the request id, and reports sessions', async () => {
    flow = await load(serverFlow());
    const events = inputsOf('events');
    const received = inputsOf('received');
    const sse = await open();
    assert.match(sse.endpoint, /^\/sse\/message\?sessionId=/);
    await waitFor(() => events.length === 1, 2000, 'open msg');
    assert.equal(events[0].topic, 'open');
    assert.equal(events[0].payload.sessionId, sse.sessionId);
    assert.equal(events[0].payload.sessions, 1);
    assert.equal(events[0].mcp.sessionId, sse.sessionId);

    const answer = await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 'req-42', method: 'tools/list', params: {} });
    assert.equal(answer.status, 202);
    await waitFor(() => received.length === 1, 2000, 'message msg');
    const msg = received[0];
    assert.equal(msg.topic, 'tools/list');
    assert.deepEqual(msg.payload, { jsonrpc: '2.0', id: 'req-42', method: 'tools/list', params: {} });
    assert.deepEqual(msg.mcp, { sessionId: sse.sessionId, endpoint: 'ep', transport: 'sse', kind: 'request', requestId: 'req-42', method: 'tools/list' });

    // A flow that only sets the result: the id comes from the request, never from a counter.
    helper.getNode('out').receive({ ...msg, payload: { result: { tools: [] } } });
    const reply = await sse.nextEvent();
    assert.equal(reply.event, 'message');
    assert.deepEqual(JSON.parse(reply.data), { jsonrpc: '2.0', id: 'req-42', result: { tools: [] } });

    sse.close();
    await waitFor(() => events.length === 2, 2000, 'close msg');
    assert.equal(events[1].topic, 'close');
    assert.equal(events[1].payload.reason, 'client-disconnected');
    assert.equal(events[1].payload.sessions, 0);
  });

  it('shows the number of open sessions in the sse in status', async () => {
    flow = await load(serverFlow());
    const statuses: any[] = [];
    helper.getNode('in').on('call:status', (call: any) => statuses.push(call.args[0]));
    const a = await open();
    await open();
    await waitFor(() => statuses.some((s) => s.text === '2 sessions'), 2000, 'status 2 sessions');
    assert.equal(statuses.at(-1).fill, 'green');
    a.close();
    await waitFor(() => statuses.at(-1)?.text === '1 session', 2000, 'status 1 session');
  });

  it('sends one msg per message of a batch, in order', async () => {
    flow = await load(serverFlow());
    const received = inputsOf('received');
    const sse = await open();
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'a' },
      { jsonrpc: '2.0', method: 'notifications/b' },
      { jsonrpc: '2.0', id: 2, method: 'c' },
    ];
    assert.equal((await postJson(`${flow.url}${sse.endpoint}`, batch)).status, 202);
    await waitFor(() => received.length === 3, 2000, 'three msgs');
    assert.deepEqual(received.map((m) => [m.topic, m.mcp.kind]), [['a', 'request'], ['notifications/b', 'notification'], ['c', 'request']]);
  });

  it('raises a Catch-able error, with the msg, when the session has gone', async () => {
    flow = await load(serverFlow());
    const caught = inputsOf('caught');
    const sse = await open();
    const sessionId = sse.sessionId;
    sse.close();
    await waitFor(() => flow!.RED.nodes.getNode('ep').endpoint.sessionCount === 0, 2000, 'session gone');
    helper.getNode('out').receive({ payload: { result: {} }, mcp: { sessionId, endpoint: 'ep', requestId: 1 }, marker: 'mine' });
    await waitFor(() => caught.length === 1, 2000, 'catch');
    assert.equal(caught[0].marker, 'mine');
    assert.match(caught[0].error.message, /closed or unknown/);
  });

  it('raises a Catch-able error for a payload that is not a JSON-RPC message, and the session keeps working', async () => {
    flow = await load(serverFlow());
    const caught = inputsOf('caught');
    const sse = await open();
    const mcp = { sessionId: sse.sessionId, endpoint: 'ep', requestId: 3 };
    helper.getNode('out').receive({ payload: 'just text', mcp });
    helper.getNode('out').receive({ payload: { result: {} }, mcp: { sessionId: sse.sessionId } });
    await waitFor(() => caught.length === 2, 2000, 'two errors');
    assert.match(caught[0].error.message, /must be an object/);
    assert.match(caught[1].error.message, /no request to answer/);
    helper.getNode('out').receive({ payload: { result: { ok: true } }, mcp });
    assert.deepEqual(JSON.parse((await sse.nextEvent()).data), { jsonrpc: '2.0', id: 3, result: { ok: true } });
  });

  it('publishes the session registry in global context, without sockets in its JSON', async () => {
    flow = await load(serverFlow());
    const sse = await open();
    const registry = publishedRegistry('in');
    assert.ok(registry.get(sse.sessionId), 'a function node can look a session up');
    const json = JSON.parse(JSON.stringify(registry));
    assert.deepEqual(Object.keys(json), [sse.sessionId]);
    assert.equal(json[sse.sessionId].endpointId, 'ep');
  });

  it('includes httpNodeRoot in the endpoint event', async () => {
    helper.settings({ httpNodeRoot: '/api' });
    try {
      flow = await load(serverFlow(), { httpNodeRoot: '/api' });
      const sse = await openSse(`${flow.url}/api/sse`);
      track(sse);
      assert.match(sse.endpoint, /^\/api\/sse\/message\?sessionId=/);
      assert.equal((await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
    } finally {
      helper.settings({});
    }
  });

  describe('deploys', () => {
    it('keep sessions open when a modified-nodes deploy touches other nodes, even the sse in node', async () => {
      flow = await load(serverFlow());
      const sse = await open();
      const routes = flow.routeCount();
      const changed = serverFlow().map((n: any) => (n.id === 'in' || n.id === 'out' ? { ...n, name: 'renamed' } : n));
      await helper.setFlows(changed, 'nodes');
      assert.equal(flow.routeCount(), routes, 'no route was added');
      const received = inputsOf('received');
      assert.equal((await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 9, method: 'ping' })).status, 202);
      await waitFor(() => received.length === 1, 2000, 'message after deploy');
      helper.getNode('out').receive({ ...received[0], payload: { result: {} } });
      assert.deepEqual(JSON.parse((await sse.nextEvent()).data), { jsonrpc: '2.0', id: 9, result: {} });
    });

    it('keep sessions and the requests their flow holds on a modified-flows deploy that leaves the endpoint as it was', async () => {
      flow = await load(serverFlow());
      const sse = await open();
      const received = inputsOf('received');
      assert.equal((await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'slow' } })).status, 202);
      await waitFor(() => received.length === 1, 2000, 'the call reached the flow');
      // The message-in node changes, and the nodes wired to it restart with it; the endpoint does not.
      await helper.setFlows(serverFlow().map((n: any) => (n.id === 'msgIn' ? { ...n, name: 'renamed' } : n)), 'flows');
      helper.getNode('out').receive({ ...received[0], payload: { result: { content: [] } } });
      assert.deepEqual(JSON.parse((await sse.nextEvent()).data), { jsonrpc: '2.0', id: 4, result: { content: [] } });
    });

    it('keep sessions and streams open on a full deploy that leaves the endpoint as it was; the request the flow was working on gets -32000, and its late answer a warning', async () => {
      flow = await load(serverFlow());
      const routes = flow.routeCount();
      const sse = await open();
      const received = inputsOf('received');
      assert.equal((await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow' } })).status, 202);
      await waitFor(() => received.length === 1, 2000, 'the call reached the flow');
      await helper.setFlows(serverFlow(), 'full');
      assert.deepEqual(JSON.parse((await sse.nextEvent()).data), { jsonrpc: '2.0', id: 5, error: { code: -32000, message: 'Connection closed: the MCP endpoint is restarting; send the request again' } });
      assert.equal(sse.isEnded, false, 'the stream stays open');
      assert.equal(flow.routeCount(), routes, 'no route was added');

      // The old flow's answer, late: dropped with a warning, not a Catch-able error.
      const warnings: string[] = [];
      helper.getNode('out').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
      const caught = inputsOf('caught');
      helper.getNode('out').receive({ ...received[0], payload: { result: {} } });
      await waitFor(() => warnings.length === 1, 2000, 'a warning');
      assert.match(warnings[0], /request 5 dropped: the MCP endpoint restarted/);

      // The session goes on with the new flow; the late answer never reached the client.
      const again = inputsOf('received');
      assert.equal((await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 6, method: 'ping' })).status, 202);
      await waitFor(() => again.length === 1, 2000, 'the next request reached the new flow');
      helper.getNode('out').receive({ ...again[0], payload: { result: {} } });
      assert.deepEqual(JSON.parse((await sse.nextEvent()).data), { jsonrpc: '2.0', id: 6, result: {} });
      assert.equal(caught.length, 0);
    });

    it('tell an open session once when a full deploy that keeps the endpoint changes a tool', async () => {
      const tool = (description: string): object => ({ id: 'tool', type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name: 'slow', description, inputSchema: '{"type":"object"}', wires: [[]] });
      flow = await load(serverFlow([tool('Slow')]));
      const sse = await open();
      const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
      await postJson(`${flow.url}${sse.endpoint}`, init);
      assert.equal(JSON.parse((await sse.nextEvent()).data).id, 1);
      await helper.setFlows(serverFlow([tool('Slow')]), 'full');
      await helper.setFlows(serverFlow([tool('Slow, changed')]), 'full');
      assert.deepEqual(JSON.parse((await sse.nextEvent(2000)).data), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(sse.takeAll().length, 0, 'once, and nothing for the deploy that changed nothing');
    });

    for (const type of ['full', 'flows'] as const) {
      it(`end every stream cleanly on a ${type} deploy, never stack routes, and serve new sessions after`, async () => {
        flow = await load(serverFlow());
        const routes = flow.routeCount();
        for (let i = 0; i < 5; i++) {
          const sse = await open();
          const changed = serverFlow().map((n: any) => (n.id === 'ep' ? { ...n, name: `deploy ${i}` } : n));
          await helper.setFlows(changed, type);
          await sse.ended;
          assert.equal(flow.routeCount(), routes, `routes after deploy ${i + 1}`);
        }
        const received = inputsOf('received');
        const sse = await open();
        assert.equal((await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'ping' })).status, 202);
        await waitFor(() => received.length === 1, 2000, 'message after deploys');
      });
    }

    it('stop serving the path when the nodes are removed (404), and serve it again when they come back', async () => {
      flow = await load(serverFlow());
      await helper.setFlows([TAB, { id: 'other', type: 'helper', z: 'tab1' }], 'full');
      await assert.rejects(openSse(`${flow.url}/sse`), (e: { status?: number }) => e.status === 404);
      await helper.setFlows(serverFlow(), 'full');
      const sse = await open();
      assert.ok(sse.sessionId);
    });
  });

  it('reports a second endpoint on the same path at deploy, and the first keeps serving', async () => {
    const flowWithTwin = serverFlow([
      { ...ENDPOINT, id: 'ep2' },
      { id: 'in2', type: 'mcp-sse-in', z: 'tab1', endpoint: 'ep2', wires: [] },
    ]);
    const errors: string[] = [];
    flow = await load(flowWithTwin);
    const in2 = helper.getNode('in2');
    // The error is raised while the flow starts; the status says so afterwards.
    const logged = helper.log().args.filter((a: any[]) => a[0]?.level === 20 && a[0]?.id === 'in2').map((a: any[]) => String(a[0].msg));
    errors.push(...logged);
    assert.ok(in2, 'the node exists');
    assert.ok(errors.some((e) => /Cannot serve GET \/sse: it is already served by mcp-sse-in \(in\) of endpoint "ep"/.test(e)), `logged: ${errors.join(' | ')}`);
    const sse = await open();
    assert.ok(sse.sessionId);
  });
});
