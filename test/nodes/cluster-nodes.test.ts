/**
 * The nodes with a Redis URL on their endpoint (several instances), in the Node-RED runtime (test
 * helper, real HTTP) with a real redis-server: the other instance is a core server with the same
 * endpoint id. The `mcp sse in` status shows this instance's sessions and every instance's, and
 * says when Redis is lost; the log says so too; `mcp sse out` reaches a session of the other
 * instance, and a session nobody holds reaches a Catch node.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flowPerTest, helper, inputsOf, publishedRegistry } from '../support/helper';
import { startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse } from '../support/sse-client';
import { makeTlsFiles, startRedis, type RunningRedis } from '../support/redis';
// Node-RED's own tls-config node, as a user picks it in the endpoint's Redis TLS field.
const tlsNode = require('@node-red/nodes/core/network/05-tls.js');

const TAB = { id: 'tab1', type: 'tab', label: 'test' };

function flow(redisUrl: string): object[] {
  return [
    TAB,
    { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', ssePath: '/sse', messagePath: '/sse/message', keepAlive: 15, maxBodySize: 4194304, redisUrl, redisPrefix: 'nodes:', redisInstance: 'node-red-1' },
    { id: 'in', type: 'mcp-sse-in', z: 'tab1', endpoint: 'ep', wires: [['events']] },
    { id: 'events', type: 'helper', z: 'tab1' },
    { id: 'msgIn', type: 'mcp-message-in', z: 'tab1', endpoint: 'ep', wires: [[]] },
    { id: 'out', type: 'mcp-sse-out', z: 'tab1' },
    { id: 'catcher', type: 'catch', z: 'tab1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab1' },
  ];
}

describe('the nodes on an endpoint with a Redis URL (several instances)', () => {
  const PASSWORD = 's3cret-redis';
  let redis: RunningRedis;
  let other: CoreServer;
  const { load, open } = flowPerTest();
  before(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
    other = await startCoreServer({ id: 'ep', keepAliveMs: 0, cluster: { url: redis.url, password: PASSWORD, keyPrefix: 'nodes:', instanceId: 'node-red-2' } });
  });
  after(async () => {
    await other.close();
    await other.endpoint.close();
    await redis.stop();
  });

  it('shows this instance\'s sessions and every instance\'s, says when Redis is lost and back, and logs it', async () => {
    await load(flow(redis.url), { credentials: { ep: { redisPassword: PASSWORD } } });
    const statuses: Array<{ fill?: string; shape?: string; text?: string }> = [];
    helper.getNode('in').on('call:status', (call: { args: [typeof statuses[0]] }) => statuses.push(call.args[0]));
    const events = inputsOf('events');
    const endpoint = (helper.getNode('ep') as unknown as { endpoint: { cluster?: { up: boolean } } }).endpoint;
    await waitFor(() => endpoint.cluster?.up === true && other.endpoint.cluster?.up === true, 5000, 'both instances on Redis (with the password from credentials)');
    const remote = await openSse(`${other.url}/sse`);
    try {
      await open();
      await waitFor(() => statuses.at(-1)?.text === '1 here, 2 in all', 3000, 'the status to count both instances');
      assert.deepEqual(statuses.at(-1), { fill: 'green', shape: 'dot', text: '1 here, 2 in all' });
      assert.equal(events[0].payload.sessions, 1);
      const registry = publishedRegistry('in');
      assert.deepEqual(registry.counts('ep'), { local: 1, cluster: 2 });

      const warnings: string[] = [];
      const logs: string[] = [];
      helper.getNode('ep').on('call:warn', (call: { args: [string] }) => warnings.push(call.args[0]));
      helper.getNode('ep').on('call:log', (call: { args: [string] }) => logs.push(call.args[0]));
      await redis.stop();
      await waitFor(() => statuses.at(-1)?.text === '1 here, redis down', 3000, 'the status to say Redis is down');
      assert.deepEqual(statuses.at(-1), { fill: 'yellow', shape: 'ring', text: '1 here, redis down' });
      assert.match(warnings.join('\n'), /Redis connection lost .* serves its own sessions only/);
      await redis.start();
      await waitFor(() => statuses.at(-1)?.text === '1 here, 2 in all', 6000, 'the status to count both again');
      assert.match(logs.join('\n'), /Redis connection restored/);
    } finally {
      remote.close();
    }
  });

  it("sends a flow's msg to a session the other instance holds, and a session nobody holds reaches a Catch node", async () => {
    await load(flow(redis.url), { credentials: { ep: { redisPassword: PASSWORD } } });
    const endpoint = (helper.getNode('ep') as unknown as { endpoint: { cluster?: { up: boolean } } }).endpoint;
    await waitFor(() => endpoint.cluster?.up === true, 5000, 'on Redis');
    const remote = await openSse(`${other.url}/sse`);
    try {
      helper.getNode('out').receive({ payload: { method: 'notifications/message', params: { level: 'info', data: 'hi' } }, mcp: { sessionId: remote.sessionId, endpoint: 'ep' } });
      const event = await remote.nextEvent();
      assert.deepEqual(JSON.parse(event.data), { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hi' } });
      const caught = inputsOf('caught');
      helper.getNode('out').receive({ payload: { method: 'notifications/x' }, mcp: { sessionId: '0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c', endpoint: 'ep' } });
      await waitFor(() => caught.length === 1, 3000, 'the Catch node');
      assert.match(caught[0].error.message, /closed or unknown/);
    } finally {
      remote.close();
    }
  });

  it('reaches Redis over TLS with the CA of a tls-config node', async () => {
    const files = makeTlsFiles();
    const tlsRedis = await startRedis([], files);
    try {
      const nodes = flow(tlsRedis.url).map((n) => ((n as { id: string }).id === 'ep' ? { ...n, redisTls: 'tls' } : n));
      nodes.push({ id: 'tls', type: 'tls-config', name: 'redis ca', cert: '', key: '', ca: files.ca, certname: '', keyname: '', caname: '', servername: '', verifyservercert: true, alpnprotocol: '' });
      await load(nodes, { extra: [tlsNode] });
      const endpoint = (helper.getNode('ep') as unknown as { endpoint: { cluster?: { up: boolean } } }).endpoint;
      await waitFor(() => endpoint.cluster?.up === true, 5000, 'on Redis over TLS');
    } finally {
      await tlsRedis.stop();
    }
  });

  it('keeps the endpoint on this instance alone when the URL is an environment variable that is not set', async () => {
    await load(flow('${MCP_REDIS_URL_NOT_SET}'));
    const statuses: Array<{ text?: string }> = [];
    helper.getNode('in').on('call:status', (call: { args: [{ text?: string }] }) => statuses.push(call.args[0]));
    const endpoint = (helper.getNode('ep') as unknown as { endpoint: { cluster?: unknown } }).endpoint;
    assert.equal(endpoint.cluster, undefined);
    await open();
    await waitFor(() => statuses.at(-1)?.text === '1 session', 2000, 'the single-instance status');
  });
});
