/**
 * The workbench's admin API with several instances (Redis): two real node-red instances serve the
 * tutorial's endpoint through one real redis-server; each lists its own sessions, and says so with
 * its instance id (on the endpoint, and on each session), while the other instance lists none.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { connectSdkClient, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { startRedis, type RunningRedis } from '../support/redis';
import { admin, ENDPOINTS, workbenchFlows } from '../support/workbench';
import type { SessionSummary } from '../../core/workbench';
import type { EndpointInfo } from '../../nodes/lib/admin-api';

describe("the workbench's admin API with two instances sharing an endpoint through Redis", () => {
  let redis: RunningRedis;
  let flowFile: string;
  let instances: RunningNodeRed[] = [];

  before(async () => {
    redis = await startRedis();
    flowFile = workbenchFlows('http://127.0.0.1:9', { [ENDPOINTS.tutorial]: { redisUrl: '${MCP_REDIS_URL}' } });
    instances = await Promise.all([0, 1].map(() => startNodeRedWith(flowFile, { install: 'link', env: { MCP_REDIS_URL: redis.url } })));
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await redis?.stop();
    if (flowFile !== undefined) rmSync(path.dirname(flowFile), { recursive: true, force: true });
  });

  it('lists on each instance its own sessions, each with that instance id', async () => {
    const [a, b] = instances;
    const infoOf = async (nr: RunningNodeRed) => (await admin<EndpointInfo[]>(nr.url, 'GET', '/mcp-sse/endpoints')).body.find((e) => e.id === ENDPOINTS.tutorial) as EndpointInfo;
    const [infoA, infoB] = [await infoOf(a), await infoOf(b)];
    assert.equal(typeof infoA.instance, 'string');
    assert.equal(typeof infoB.instance, 'string');
    assert.notEqual(infoA.instance, infoB.instance);
    assert.equal((await admin<EndpointInfo[]>(a.url, 'GET', '/mcp-sse/endpoints')).body.find((e) => e.id === ENDPOINTS.tools)?.instance, undefined, 'an endpoint without Redis names no instance');
    const client = await connectSdkClient(`${a.url}/sse`);
    try {
      const onA = (await admin<SessionSummary[]>(a.url, 'GET', `/mcp-sse/endpoints/${ENDPOINTS.tutorial}/sessions`)).body;
      assert.deepEqual(onA.map((s) => [s.clientInfo?.name, s.instance]), [['e2e-test', infoA.instance]]);
      assert.deepEqual((await admin<SessionSummary[]>(b.url, 'GET', `/mcp-sse/endpoints/${ENDPOINTS.tutorial}/sessions`)).body, [], 'the other instance lists only its own');
    } finally {
      await client.close();
    }
  });
});
