/**
 * Who a request comes from, for the per-client cap on sessions without a stream: the remote
 * address, as Express's `req.ip` gives it when the request came through Express (Node-RED's
 * `httpNode`: it honours the `trust proxy` setting, which Node-RED takes from
 * `httpServerOptions: { "trust proxy": ... }` in settings.js, so `X-Forwarded-For` counts only from
 * a proxy the user trusts), else the socket's own address (plain `node:http`).
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * The client key of a request: its address ({@link addressKey}), from `req.ip` when set (Express,
 * behind its `trust proxy` setting), else the socket's remote address; `''` when neither is known.
 */
export function clientKey(req: IncomingMessage): string {
  const ip = (req as IncomingMessage & { ip?: unknown }).ip;
  return addressKey(typeof ip === 'string' && ip !== '' ? ip : req.socket?.remoteAddress ?? '');
}

/**
 * True when `req` names a forwarded client (`X-Forwarded-For`) that its client key does not use:
 * `req.ip` is unset, or is the socket's own address (Express does not trust the proxy). Every
 * client behind that proxy then shares one key.
 */
export function forwardedButUntrusted(req: IncomingMessage): boolean {
  if (req.headers['x-forwarded-for'] === undefined) return false;
  const ip = (req as IncomingMessage & { ip?: unknown }).ip;
  if (typeof ip !== 'string' || ip === '') return true;
  return addressKey(ip) === addressKey(req.socket?.remoteAddress ?? '');
}

/**
 * An address as a client key: an IPv4 address as it is (an IPv4-mapped IPv6 address,
 * `::ffff:192.0.2.1`, as its IPv4 address); an IPv6 address as its /64 network
 * (`2001:db8:1:2::/64`), since one host or home is usually given a whole /64 and can pick any
 * address in it; anything else as it is.
 */
export function addressKey(address: string): string {
  const zoneless = address.split('%')[0];
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(zoneless);
  if (mapped !== null) return mapped[1];
  if (!isIPv6(zoneless)) return address;
  const groups = expandIPv6(zoneless);
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (lower case, as written, without leading zeros removed). */
function expandIPv6(address: string): string[] {
  const lower = address.toLowerCase();
  const [head, tail] = lower.includes('::') ? lower.split('::') : [lower, undefined];
  const part = (text: string | undefined): string[] => {
    if (text === undefined || text === '') return [];
    // An embedded IPv4 tail (`::ffff:1.2.3.4` forms other than the mapped one) is two groups.
    return text.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group];
      const [a, b, c, d] = group.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  };
  const first = part(head);
  if (tail === undefined) return first;
  const last = part(tail);
  return [...first, ...new Array<string>(8 - first.length - last.length).fill('0'), ...last];
}
