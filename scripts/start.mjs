// `npm start`: Node-RED on http://127.0.0.1:1880 with this package and the tutorial example,
// answering MCP clients at /sse. PORT and HOST override the port and address; the user dir is
// .node-red/ in this folder, and edits deployed from the editor are kept there across restarts.
import path from 'node:path';
import { PACKAGE_ROOT, prepareUserDir, startNodeRed } from './node-red-runner.mjs';

const userDir = path.join(PACKAGE_ROOT, '.node-red');
prepareUserDir({
  userDir,
  flowsFile: path.join(PACKAGE_ROOT, 'examples', 'tutorial-mcp-server.json'),
  overwriteFlows: false,
  settings: { uiHost: process.env.HOST ?? '127.0.0.1' },
});
const port = Number(process.env.PORT ?? 1880);
const server = await startNodeRed({ userDir, port, inheritOutput: true, timeoutMs: 120_000 });
console.log(`\nMCP server (HTTP+SSE): ${server.url}/sse   editor: ${server.url}/   Ctrl-C stops.\n`);
const stop = () => server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
