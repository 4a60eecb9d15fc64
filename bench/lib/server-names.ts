/**
 * The servers the benchmark measures, by name: each is one of four processes reached over one
 * transport, in one protocol era. The package's example and the SDK reference serve both transports
 * from one process; the tutorial's flow serves HTTP+SSE only. The package's example also answers
 * MCP 2026-07-28 (stateless) on its Streamable HTTP path; the SDK's 2026-07-28 reference is a
 * process of its own (bench/sdk-modern-server.ts). No imports, so the report and its test load it
 * cheaply.
 */

/** The two MCP transports over HTTP: HTTP+SSE (2024-11-05) and Streamable HTTP (2025-03-26 and later). */
export type Transport = 'sse' | 'streamable-http';

/**
 * The protocol era a server is driven in: `session` for the 2025-era revisions (an `initialize`
 * handshake opens a session; the v1 SDK client `@modelcontextprotocol/sdk`), `stateless` for
 * 2026-07-28 (no session: every request carries its version in `_meta`; the v2 client
 * `@modelcontextprotocol/client` with `versionNegotiation: { mode: 'auto' }`).
 */
export type Era = 'session' | 'stateless';

/** The processes the bench starts (bench/lib/servers.ts). */
export type ProcessName = 'package' | 'tutorial' | 'sdk' | 'sdk-modern';

/** What the bench measures and reports, one column each: a process, the transport it is reached on, and the era. */
export type ServerName = 'package' | 'tutorial' | 'sdk' | 'package-mcp' | 'sdk-mcp' | 'package-modern' | 'sdk-modern';

/** Each measured server's process, transport and era, in the report's column order. */
export const SERVERS: Record<ServerName, { process: ProcessName; transport: Transport; era: Era }> = {
  package: { process: 'package', transport: 'sse', era: 'session' },
  tutorial: { process: 'tutorial', transport: 'sse', era: 'session' },
  sdk: { process: 'sdk', transport: 'sse', era: 'session' },
  'package-mcp': { process: 'package', transport: 'streamable-http', era: 'session' },
  'sdk-mcp': { process: 'sdk', transport: 'streamable-http', era: 'session' },
  'package-modern': { process: 'package', transport: 'streamable-http', era: 'stateless' },
  'sdk-modern': { process: 'sdk-modern', transport: 'streamable-http', era: 'stateless' },
};

/** Every measured server, in the report's column order. */
export const SERVER_NAMES = Object.keys(SERVERS) as ServerName[];

/** Parses a comma-separated list of server names (BENCH_SERVERS); throws on an unknown name. */
export function parseServerNames(text: string): ServerName[] {
  return text.split(',').map((name) => {
    if (!(name in SERVERS)) throw new Error(`unknown server "${name}": expected some of ${SERVER_NAMES.join(', ')}`);
    return name as ServerName;
  });
}
