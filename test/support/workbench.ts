/**
 * Support for the workbench's tests in the real node-red: a flow file of three examples side by
 * side (the tutorial's hand-written flow on /sse and /mcp, the declared tools on /tools/*, server
 * push on /push/*), `adminAuth` with two users, their admin API tokens, and JSON requests to the
 * admin API.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, TUTORIAL_EXAMPLE } from './node-red';

const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The two admin users: `admin` may do everything (`*`), `reader` may only read (`read`). */
export const USERS = {
  admin: { password: 'admin-password', permissions: '*' },
  reader: { password: 'reader-password', permissions: 'read' },
} as const;

/** The `adminAuth` setting for {@link USERS} (bcrypt hashes, as Node-RED wants them). */
export function adminAuthSetting(): Record<string, unknown> {
  const bcrypt = require('bcryptjs') as { hashSync(text: string, rounds: number): string };
  return {
    type: 'credentials',
    users: Object.entries(USERS).map(([username, user]) => ({ username, password: bcrypt.hashSync(user.password, 8), permissions: user.permissions })),
  };
}

/**
 * The tutorial, tools and server-push examples in one flow file (in a new temporary folder), with
 * the tools example's HTTP API pointed at `apiUrl` (never the internet) and `changes` applied to
 * nodes by id.
 * @returns the flow file's path.
 */
export function workbenchFlows(apiUrl: string, changes: Record<string, Record<string, unknown>> = {}): string {
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as FlowNode[];
  const flow = [
    ...read(TUTORIAL_EXAMPLE),
    ...read(path.join(PACKAGE_ROOT, 'examples', 'tools.json')),
    ...read(path.join(PACKAGE_ROOT, 'examples', 'server-push.json')),
  ];
  const request = flow.find((n) => n.type === 'http request') as FlowNode;
  request.url = String(request.url).replace('https://api.open-meteo.com', apiUrl);
  for (const node of flow) Object.assign(node, changes[node.id] ?? {});
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-workbench-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

/** The endpoint ids of the three examples. */
export const ENDPOINTS = { tutorial: 'mcp_cfg_tutorial', tools: 'tools_endpoint', push: 'mcp_push_cfg' } as const;

/** An admin API token for `user` (`POST /auth/token`, the password grant of the `node-red-admin` client). */
export async function adminToken(baseUrl: string, user: keyof typeof USERS): Promise<string> {
  const body = new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: USERS[user].permissions, username: user, password: USERS[user].password });
  const res = await fetch(`${baseUrl}/auth/token`, { method: 'POST', body });
  if (res.status !== 200) throw new Error(`no token for ${user}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One admin API answer: its status and its body (JSON when there is one). */
export interface AdminAnswer<T = unknown> {
  status: number;
  body: T;
}

/** Calls the admin API at `path` (e.g. `/mcp-sse/endpoints`) with `token` (none: no Authorization header). */
export async function admin<T = unknown>(baseUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<AdminAnswer<T>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: parsed as T };
}
