import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { openSse } from '../support/sse-client';

const FLOW = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'duplicate-paths.json');

for (const version of NODE_RED_VERSIONS) describe(`two endpoints on one SSE path, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  before(async () => {
    nodeRed = await startNodeRedWith(FLOW, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
  });
  after(() => nodeRed.stop());

  it('reports the second at deploy, before any request, naming the node and endpoint that serve the path', () => {
    const errors = nodeRed.output().split('\n').filter((line) => /\[error\]/.test(line));
    assert.equal(errors.length, 1, nodeRed.output());
    assert.match(errors[0], /\[mcp-sse-in:sessions of second\]/);
    assert.match(errors[0], /Cannot serve GET \/sse: it is already served by mcp-sse-in "sessions of first" \(dup_in_first\) of endpoint "first"/);
  });

  it('keeps serving the first endpoint', async () => {
    const sse = await openSse(`${nodeRed.url}/sse`);
    try {
      assert.match(sse.endpoint, /^\/first\/message\?sessionId=/);
    } finally {
      sse.close();
    }
  });
});
