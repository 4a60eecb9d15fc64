/**
 * `mcp-sse-workbench`: this package's Node-RED plugin (`"node-red": { "plugins": ... }` in
 * package.json): the runtime half adds the workbench's admin API (lib/admin-api.ts) under
 * `httpAdminRoot`; the editor half (mcp-sse-workbench.html, beside this file) is the MCP sidebar,
 * which reads that API and hears each endpoint's activity pushed over comms (lib/workbench.ts).
 */
import type { NodeAPI } from 'node-red';
import { registerAdminApi } from './lib/admin-api';

export = function register(RED: NodeAPI): void {
  registerAdminApi(RED);
};
