/**
 * Request checks every endpoint runs before it touches a session: `Host` and `Origin` validation
 * against DNS rebinding (MCP 2024-11-05 "Transports > Security Warning": servers MUST validate the
 * `Origin` header) and optional authentication by a shared secret.
 *
 * Never imports Node-RED.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Settings of {@link checkRequest}. Every field is optional; the defaults are safe for localhost. */
export interface SecurityOptions {
  /**
   * Origins (`scheme://host[:port]`, as browsers send them) accepted besides same-host ones; `*`
   * accepts any. Default none: only requests without `Origin` (every non-browser client) and
   * same-host origins (the `Origin`'s host:port equals the `Host` header).
   */
  allowedOrigins?: string[];
  /**
   * Host names (`name` for any port, or `name:port`) accepted in the `Host` header; `*` accepts any.
   * Loopback names (`localhost`, `127.x.x.x`, `[::1]`) are always accepted. When the list is
   * empty (the default), a request that reached a loopback address must name a loopback host,
   * and a request that reached any other address may name any host.
   */
  allowedHosts?: string[];
  /**
   * The shared secret clients must send; empty or undefined turns authentication off.
   * Sent as `Authorization: Bearer <token>`, or as the value of {@link authHeader} when set.
   */
  authToken?: string;
  /** A header name (e.g. `X-API-Key`) whose value must equal the token, instead of a bearer token. */
  authHeader?: string;
}

/** Why a request was refused: the HTTP status, the sentence for the client, extra headers. */
interface SecurityFailure {
  status: 401 | 403;
  message: string;
  headers: Record<string, string>;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]']);

/** True for `localhost`, `*.localhost`, `127.0.0.0/8` and `::1` (with or without brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::ffff:127.0.0.1';
}

/** True when the connection reached this server on a loopback address. */
function arrivedOnLoopback(req: IncomingMessage): boolean {
  const address = req.socket?.localAddress;
  if (address === undefined) return false;
  return isLoopbackHost(address) || address.startsWith('::ffff:127.');
}

/**
 * Splits a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`) into a lower-case hostname and
 * port, or `undefined` when it is not a well-formed host.
 */
export function parseHost(value: string): { hostname: string; port: string } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value);
  if (match === null) return undefined;
  return { hostname: match[1].toLowerCase(), port: match[2] ?? '' };
}

/** The `host[:port]` of a serialised origin (`http://a.example:8080`), default ports dropped. */
function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** A `Host` header value normalised as `URL.host` would write it (default ports dropped). */
function normaliseHostHeader(host: string, encrypted: boolean): string {
  const parsed = parseHost(host);
  if (parsed === undefined) return host.toLowerCase();
  const defaultPort = encrypted ? '443' : '80';
  return parsed.port === '' || parsed.port === defaultPort ? parsed.hostname : `${parsed.hostname}:${parsed.port}`;
}

function hostAllowed(parsed: { hostname: string; port: string }, list: string[], onLoopback: boolean): boolean {
  if (isLoopbackHost(parsed.hostname.replace(/^\[|\]$/g, '')) || isLoopbackHost(parsed.hostname)) return true;
  if (list.length === 0) return !onLoopback;
  for (const entry of list) {
    const wanted = entry.trim().toLowerCase();
    if (wanted === '*') return true;
    if (wanted === parsed.hostname) return true;
    if (parsed.port !== '' && wanted === `${parsed.hostname}:${parsed.port}`) return true;
  }
  return false;
}

/** SHA-256 digests have equal length, so `timingSafeEqual` never leaks the secret's length. */
function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Checks `Host`, `Origin` and authentication, in that order, before anything else is done with a
 * request (GET on the SSE path and POST on the message path alike).
 *
 * @returns `undefined` when the request may go on; otherwise what to answer:
 *   403 for a missing or malformed `Host`, a host not allowed, an `Origin` not allowed (DNS
 *   rebinding protection); 401 with `WWW-Authenticate` for a missing or wrong secret. The message
 *   says which check failed and what to change, but never echoes the secret.
 */
export function checkRequest(req: IncomingMessage, options: SecurityOptions): SecurityFailure | undefined {
  const hostHeader = req.headers.host;
  const host = hostHeader === undefined ? undefined : parseHost(hostHeader);
  if (host === undefined) {
    return forbidden(hostHeader === undefined ? 'Missing Host header' : 'Malformed Host header');
  }
  if (!hostAllowed(host, options.allowedHosts ?? [], arrivedOnLoopback(req))) {
    return forbidden(`Host ${JSON.stringify(hostHeader)} is not allowed on this MCP endpoint (DNS rebinding protection): add it to the endpoint's allowed hosts`);
  }
  const origin = headerValue(req, 'origin');
  if (origin !== undefined) {
    const allowed = options.allowedOrigins ?? [];
    const encrypted = Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted);
    const fromHost = originHost(origin);
    const sameHost = fromHost !== undefined && fromHost === normaliseHostHeader(hostHeader as string, encrypted);
    const listed = allowed.some((entry) => {
      const wanted = entry.trim();
      return wanted === '*' || wanted.replace(/\/+$/, '').toLowerCase() === origin.toLowerCase();
    });
    if (!sameHost && !listed) {
      return forbidden(`Origin ${JSON.stringify(origin.slice(0, 200))} is not allowed on this MCP endpoint (DNS rebinding protection): add it to the endpoint's allowed origins`);
    }
  }
  const token = options.authToken ?? '';
  if (token === '') return undefined;
  const headerName = (options.authHeader ?? '').trim();
  if (headerName === '' || headerName.toLowerCase() === 'authorization') {
    const challenge = { 'WWW-Authenticate': 'Bearer realm="MCP"' };
    const authorization = headerValue(req, 'authorization');
    if (authorization === undefined) {
      return { status: 401, message: 'Missing Authorization header: this MCP endpoint needs "Authorization: Bearer <token>"', headers: challenge };
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match === null) {
      return { status: 401, message: 'Malformed Authorization header: expected "Bearer <token>"', headers: { 'WWW-Authenticate': 'Bearer realm="MCP", error="invalid_request"' } };
    }
    if (!secretsEqual(match[1], token)) {
      return { status: 401, message: 'Wrong bearer token', headers: { 'WWW-Authenticate': 'Bearer realm="MCP", error="invalid_token"' } };
    }
    return undefined;
  }
  const challenge = { 'WWW-Authenticate': `ApiKey realm="MCP", header="${headerName}"` };
  const given = headerValue(req, headerName);
  if (given === undefined) {
    return { status: 401, message: `Missing ${headerName} header: this MCP endpoint needs its key in it`, headers: challenge };
  }
  if (!secretsEqual(given, token)) return { status: 401, message: `Wrong ${headerName} header value`, headers: challenge };
  return undefined;
}

function forbidden(message: string): SecurityFailure {
  return { status: 403, message, headers: {} };
}
