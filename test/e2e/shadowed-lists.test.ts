/**
 * Declared tools beside a hand-written flow, in the real node-red: the tutorial flow (which answers
 * tools/list itself) with one `mcp sse tool` added on its endpoint. The endpoint then answers
 * tools/list from the declared tool alone, and warns at each deploy that the flow's tools are not
 * listed (nodes/lib/shadowed-lists.ts); the flow's tool can still be called by name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { tutorialWithDeclaredTool, type FlowNode } from '../support/declared-beside-flow';

/** The endpoint's warnings about tools/list in node-red's log so far. */
function warnings(nodeRed: RunningNodeRed): string[] {
  return nodeRed.output().split('\n').filter((line) => /\[warn\] \[mcp-sse-endpoint:tutorial\] This endpoint answers tools\/list from its mcp-sse-tool nodes alone/.test(line));
}

/** Deploys `flow` in full through the admin API. */
async function deploy(nodeRed: RunningNodeRed, flow: FlowNode[]): Promise<void> {
  const answer = await fetch(`${nodeRed.url}/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
  assert.ok(answer.ok, `deploy: ${answer.status}`);
}

async function toolNames(url: string): Promise<string[]> {
  const client = new Client({ name: 'shadowed-lists', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

describe('declared tools beside a flow that answers tools/list itself, in the real node-red', () => {
  let nodeRed: RunningNodeRed;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-flow-'));
    const file = path.join(dir, 'flows.json');
    writeFileSync(file, JSON.stringify(tutorialWithDeclaredTool()));
    nodeRed = await startNodeRedWith(file, { install: 'link' });
  });
  after(async () => {
    await nodeRed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns at deploy, naming the flow\'s node; tools/list has the declared tool only, and the flow\'s tool still answers when called by name', async () => {
    const found = warnings(nodeRed);
    assert.equal(found.length, 1, nodeRed.output());
    assert.match(found[0], /the flow after its mcp message in answers tools\/list too \(node "method" \(mcp_switch_method\)\)/);
    const client = new Client({ name: 'shadowed-lists', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/mcp`)));
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo'], 'the flow\'s add is not listed');
      assert.deepEqual((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content, [{ type: 'text', text: 'hi' }]);
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
    } finally {
      await client.close();
    }
  });

  it('warns again at each deploy that keeps both, and not at one without the declared tool (the flow lists its own tools again)', async () => {
    /** The flow with its method switch named `name`, so that each deploy's warning can be told apart. */
    const named = (name: string, withTool: boolean): FlowNode[] => tutorialWithDeclaredTool()
      .filter((node) => withTool || (node.id !== 'echo_tool' && node.id !== 'echo_text'))
      .map((node) => (node.id === 'mcp_switch_method' ? { ...node, name } : node));
    const warnedFor = async (name: string): Promise<void> => {
      for (const start = Date.now(); !warnings(nodeRed).some((line) => line.includes(`node "${name}"`));) {
        assert.ok(Date.now() - start < 5000, `a warning naming "${name}" within 5 s: ${nodeRed.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await deploy(nodeRed, named('method 2', true));
    await warnedFor('method 2');
    await deploy(nodeRed, named('method 3', false));
    assert.deepEqual(await toolNames(`${nodeRed.url}/mcp`), ['add']);
    await deploy(nodeRed, named('method 4', true));
    await warnedFor('method 4');
    assert.equal(warnings(nodeRed).length, 3, 'the first deploy, the second and the fourth: none for the third');
    assert.deepEqual(await toolNames(`${nodeRed.url}/mcp`), ['echo']);
  });
});
