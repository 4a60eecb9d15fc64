/**
 * The benchmark's broadcast trigger: `POST /bench/broadcast` makes each server send one
 * `notifications/tools/list_changed` to every open session, the way each design would:
 *
 * - package: an `http in` into a change node and an `mcp sse out` set to every session of the
 *   example's endpoint (one `McpEndpoint.broadcast`);
 * - tutorial flow: an `http in` into a function node that pushes the notification onto every
 *   session's `messages` in global context, for the pollers to write;
 * - SDK server: a route in bench/sdk-server.ts that calls `sendToolListChanged()` on every session's
 *   `McpServer`.
 *
 * Sessions of both transports get it: an HTTP+SSE session on its SSE stream, a Streamable HTTP
 * session on its standalone GET stream.
 *
 * The flows are the bundled ones plus these nodes, on a tab of their own, written into each
 * server's own user dir (so that two runs at once never share one).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const BROADCAST_PATH = '/bench/broadcast';
const TAB = 'bench_trigger_tab';

type FlowNode = Record<string, unknown> & { id: string; type: string };

function withTrigger(flow: FlowNode[], nodes: FlowNode[]): FlowNode[] {
  return [
    ...flow,
    { id: TAB, type: 'tab', label: 'bench: broadcast trigger', disabled: false, info: 'Added by the benchmark, not part of the flow measured' },
    { id: 'bench_http_in', type: 'http in', z: TAB, name: '', url: BROADCAST_PATH, method: 'post', upload: false, swaggerDoc: '', x: 120, y: 60, wires: [['bench_reply', ...nodes.filter((n) => n.first).map((n) => n.id)]] },
    { id: 'bench_reply', type: 'http response', z: TAB, name: '', statusCode: '200', headers: {}, x: 560, y: 120, wires: [] },
    ...nodes.map(({ first: _first, ...node }) => ({ z: TAB, x: 340, y: 60, ...node })),
  ];
}

/**
 * The package's example with the trigger: a change node into `mcp sse out` set to broadcast.
 * @param maxSessions if given, the example's endpoint gets this *Max sessions* (its default is 1000).
 * @returns `outFile`; throws if the example has no `mcp-sse-endpoint`, or one that does not serve
 *   Streamable HTTP on /mcp.
 */
export function packageFlowWithTrigger(exampleFile: string, outFile: string, maxSessions?: number): string {
  const flow = JSON.parse(readFileSync(exampleFile, 'utf8')) as FlowNode[];
  const endpoint = flow.find((n) => n.type === 'mcp-sse-endpoint');
  if (endpoint === undefined) throw new Error(`${exampleFile} has no mcp-sse-endpoint`);
  // The bench reaches the endpoint's Streamable HTTP path at /mcp (servers.ts).
  if (endpoint.streamable !== true || (endpoint.streamablePath ?? '/mcp') !== '/mcp') throw new Error(`${exampleFile}: the endpoint does not serve Streamable HTTP on /mcp`);
  if (maxSessions !== undefined) endpoint.maxSessions = maxSessions;
  writeFileSync(outFile, JSON.stringify(withTrigger(flow, [
    { id: 'bench_notification', type: 'change', first: true, name: 'tools/list_changed', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"method":"notifications/tools/list_changed"}', tot: 'json' }], action: '', property: '', from: '', to: '', reg: false, wires: [['bench_broadcast']] },
    { id: 'bench_broadcast', type: 'mcp-sse-out', name: 'broadcast', target: 'endpoint', endpoint: endpoint.id, y: 100, x: 560, wires: [] },
  ]), null, 2));
  return outFile;
}

/** The tutorial's flow with the trigger: a function node that queues the notification for every session's poller. */
export function tutorialFlowWithTrigger(fixtureFile: string, outFile: string): string {
  const func = `const sessions = global.get("sse_sessions") || {};
for (const id of Object.keys(sessions)) {
 const session = sessions[id];
 session.messages = session.messages || [];
 session.messages.push({ data: { jsonrpc: "2.0", method: "notifications/tools/list_changed" }, sent: false });
}
global.set("sse_sessions", sessions);
return null;`;
  writeFileSync(outFile, JSON.stringify(withTrigger(JSON.parse(readFileSync(fixtureFile, 'utf8')) as FlowNode[], [
    { id: 'bench_queue_all', type: 'function', first: true, name: 'queue for every session', func, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [[]] },
  ]), null, 2));
  return outFile;
}

/** Where the flow with the trigger for server `name` is written: a file in `dir`. */
export function triggerFlowFile(dir: string, name: string): string {
  return path.join(dir, `${name}-with-broadcast-trigger.json`);
}
