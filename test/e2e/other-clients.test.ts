import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ClientV2, SSEClientTransport as SSEClientTransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startNodeRedWith, TUTORIAL_EXAMPLE, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';

const require = createRequire(__filename);

for (const version of NODE_RED_VERSIONS) describe(`other real MCP clients against the tutorial example, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  before(async () => {
    nodeRed = await startNodeRedWith(TUTORIAL_EXAMPLE, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
  });
  after(() => nodeRed.stop());

  it('the v2 SDK client (@modelcontextprotocol/client) calls add over SSE', async () => {
    const client = new ClientV2({ name: 'e2e-v2', version: '1.0.0' });
    await client.connect(new SSEClientTransportV2(new URL(`${nodeRed.url}/sse`)));
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), ['add']);
      const result = await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } });
      assert.deepEqual(result.content, [{ type: 'text', text: '42' }]);
    } finally {
      await client.close();
    }
  });

  for (const strategy of ['sse-only', 'http-first'] as const) {
    it(`mcp-remote (the bridge Claude Desktop runs), --transport ${strategy}, calls add`, async () => {
      // mcp-remote keeps its state under MCP_REMOTE_CONFIG_DIR; use a throwaway one.
      const configDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-'));
      const client = new Client({ name: 'e2e-mcp-remote', version: '1.0.0' });
      await client.connect(new StdioClientTransport({
        command: process.execPath,
        args: [require.resolve('mcp-remote/dist/proxy.js'), `${nodeRed.url}/sse`, '--transport', strategy],
        env: { ...process.env as Record<string, string>, MCP_REMOTE_CONFIG_DIR: configDir },
        stderr: 'pipe',
      }));
      try {
        const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
        assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
      } finally {
        await client.close();
        rmSync(configDir, { recursive: true, force: true });
      }
    });
  }
});
