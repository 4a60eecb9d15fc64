/**
 * The servers the benchmark measures, by name: each is one of three processes reached over one
 * transport. The package's example and the SDK reference serve both transports from one process;
 * the tutorial's flow serves HTTP+SSE only. No imports, so the report and its test load it cheaply.
 */

/** The two MCP transports over HTTP: HTTP+SSE (2024-11-05) and Streamable HTTP (2025-03-26 and later). */
export type Transport = 'sse' | 'streamable-http';

/** The processes the bench starts (bench/lib/servers.ts). */
export type ProcessName = 'package' | 'tutorial' | 'sdk';

/** What the bench measures and reports, one column each: a process and the transport it is reached on. */
export type ServerName = 'package' | 'tutorial' | 'sdk' | 'package-mcp' | 'sdk-mcp';

/** Each measured server's process and transport, in the report's column order. */
export const SERVERS: Record<ServerName, { process: ProcessName; transport: Transport }> = {
  package: { process: 'package', transport: 'sse' },
  tutorial: { process: 'tutorial', transport: 'sse' },
  sdk: { process: 'sdk', transport: 'sse' },
  'package-mcp': { process: 'package', transport: 'streamable-http' },
  'sdk-mcp': { process: 'sdk', transport: 'streamable-http' },
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
