import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flowPerTest, helper, inputsOf, type LoadedFlow } from '../support/helper';
import { openSse, postJson, type SseConnection } from '../support/sse-client';
import { waitFor } from '../support/core-server';

const TAB = { id: 'tab1', type: 'tab', label: 'test' };
const ENDPOINT = { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', ssePath: '/sse', messagePath: '/sse/message', keepAlive: 15, maxBodySize: 4194304 };

/** message in -> received; an `ask` out node (short timeout) -> answers; a broadcast out node; catch -> caught. */
function pushFlow(endpoint: object = ENDPOINT): object[] {
  return [
    TAB,
    endpoint,
    { id: 'in', type: 'mcp-sse-in', z: 'tab1', endpoint: 'ep', wires: [[]] },
    { id: 'msgIn', type: 'mcp-message-in', z: 'tab1', endpoint: 'ep', wires: [['received']] },
    { id: 'received', type: 'helper', z: 'tab1' },
    { id: 'ask', type: 'mcp-sse-out', z: 'tab1', target: 'session', timeout: 0.2, wires: [['answers']] },
    { id: 'answers', type: 'helper', z: 'tab1' },
    { id: 'everyone', type: 'mcp-sse-out', z: 'tab1', target: 'endpoint', endpoint: 'ep', wires: [[]] },
    { id: 'catcher', type: 'catch', z: 'tab1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab1' },
  ];
}


describe('mcp sse out: server push in the Node-RED runtime (test helper, real HTTP)', () => {
  let flow: LoadedFlow | undefined;
  const { load, open, track } = flowPerTest();
  const next = async (sse: SseConnection) => JSON.parse((await sse.nextEvent()).data);

  it('sends a request to the client and puts its answer on the output, keeping the msg\'s own properties', async () => {
    flow = await load(pushFlow());
    const answers = inputsOf('answers');
    const received = inputsOf('received');
    const sse = await open();
    const mcp = { sessionId: sse.sessionId, endpoint: 'ep', kind: 'request', requestId: 'call-9', method: 'tools/call' };
    helper.getNode('ask').receive({ payload: { method: 'roots/list' }, mcp, marker: 'mine' });
    const request = await next(sse);
    assert.equal(request.method, 'roots/list');
    await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: request.id, result: { roots: [] } });
    await waitFor(() => answers.length === 1, 2000, 'the answer');
    assert.deepEqual(answers[0].payload, { roots: [] });
    assert.equal(answers[0].marker, 'mine');
    assert.equal(answers[0].mcp.requestId, 'call-9', 'still knows which client request it works on');
    assert.deepEqual(answers[0].mcp.request, { id: request.id, method: 'roots/list', outcome: 'result' });
    assert.equal(received.length, 0, 'the response did not come out of mcp message in');
  });

  it('ends the wait with a timeout msg, and tells the client it stopped waiting', async () => {
    flow = await load(pushFlow());
    const answers = inputsOf('answers');
    const sse = await open();
    helper.getNode('ask').receive({ payload: { method: 'ping' }, mcp: { sessionId: sse.sessionId, endpoint: 'ep' } });
    const request = await next(sse);
    await waitFor(() => answers.length === 1, 5000, 'the timeout');
    assert.equal(answers[0].mcp.request.outcome, 'timeout');
    assert.equal(answers[0].payload.error.code, -32001);
    assert.deepEqual((await next(sse)).params.requestId, request.id);
  });

  it('ends the wait with a session-closed msg when the client goes away', async () => {
    flow = await load(pushFlow());
    const answers = inputsOf('answers');
    const sse = await open();
    helper.getNode('ask').receive({ payload: { method: 'elicitation/create', params: { message: 'name?', requestedSchema: { type: 'object', properties: {} } } }, mcp: { sessionId: sse.sessionId, endpoint: 'ep' } });
    await next(sse);
    sse.close();
    await waitFor(() => answers.length === 1, 2000, 'the session-closed msg');
    assert.equal(answers[0].mcp.request.outcome, 'session-closed');
    assert.equal(answers[0].payload.error.code, -32000);
  });

  it('broadcasts a notification to every session of its endpoint, and refuses to broadcast anything else', async () => {
    flow = await load(pushFlow());
    const caught = inputsOf('caught');
    const a = await open();
    const b = await open();
    helper.getNode('everyone').receive({ payload: { method: 'notifications/tools/list_changed' } });
    assert.deepEqual(await next(a), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.deepEqual(await next(b), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    helper.getNode('everyone').receive({ payload: { method: 'ping' } });
    await waitFor(() => caught.length === 1, 2000, 'catch');
    assert.match(caught[0].error.message, /notifications only/);
  });

  it('warns when it drops progress that does not increase', async () => {
    flow = await load(pushFlow());
    const received = inputsOf('received');
    const warnings: string[] = [];
    helper.getNode('ask').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
    const sse = await open();
    await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'x', _meta: { progressToken: 'p' } } });
    await waitFor(() => received.length === 1, 2000, 'the request');
    const progress = (n: number) => helper.getNode('ask').receive({ ...received[0], payload: { method: 'notifications/progress', params: { progress: n } } });
    progress(5);
    progress(3);
    assert.deepEqual((await next(sse)).params, { progress: 5, progressToken: 'p' });
    await waitFor(() => warnings.length === 1, 2000, 'the warning');
    assert.match(warnings[0], /progress must increase: 3 is not above 5/);
  });

  it('keeps a session through a dropped stream when the endpoint allows resumption', async () => {
    flow = await load(pushFlow({ ...ENDPOINT, resumeGrace: 30 }));
    const sse = await open();
    sse.close();
    const endpoint = flow.RED.nodes.getNode('ep').endpoint;
    const session = endpoint.registry.get(sse.sessionId);
    await waitFor(() => !session.attached, 2000, 'the stream to drop');
    helper.getNode('everyone').receive({ payload: { method: 'notifications/tools/list_changed' } });
    const back = await openSse(`${flow.url}/sse`, { 'Last-Event-ID': `${sse.sessionId}:0` });
    track(back);
    assert.equal(back.sessionId, sse.sessionId);
    assert.deepEqual(await next(back), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
  });
});
