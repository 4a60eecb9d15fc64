/**
 * Session ids (MCP "Transports > Streamable HTTP > Session Management": globally unique and
 * cryptographically secure, visible ASCII only): lower-case v4 UUIDs from the `uuid` package.
 *
 * Never imports Node-RED.
 */
import { v4 as uuidv4, validate, version } from 'uuid';

/** A fresh session id: a random v4 UUID (122 random bits from the platform's CSPRNG). */
export function newSessionId(): string {
  return uuidv4();
}

/**
 * True when `id` has the shape of the ids {@link newSessionId} issues (a lower-case v4 UUID): only
 * such an id can name a session of this endpoint, here or on another instance.
 */
export function isWellFormedSessionId(id: string): boolean {
  return id.length === 36 && validate(id) && version(id) === 4 && id === id.toLowerCase();
}

/**
 * The longest session id, in characters, taken for some server's id rather than garbage. The
 * specification sets no bound; 1024 leaves room for every shape servers issue (a UUID is 36, a
 * `uuid4().hex` 32, a signed or encrypted token such as a JWT a few hundred), while a longer value
 * is no session id at all.
 */
export const MAX_SESSION_ID_LENGTH = 1024;

/** Visible ASCII (0x21 to 0x7E), the characters a session id may hold. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * What a session id a client sent (`Mcp-Session-Id`, or the HTTP+SSE `sessionId` query parameter)
 * can be, before any lookup:
 * - `ours`: the shape this package issues ({@link isWellFormedSessionId}): look it up;
 * - `foreign`: a valid id (visible ASCII, at most {@link MAX_SESSION_ID_LENGTH} characters) that
 *   no instance of this package ever issued, such as one an earlier server at the same URL gave
 *   the client: an unknown session, 404, so that the client starts a new one;
 * - `malformed`: empty, with a character outside visible ASCII, or longer than the bound: 400.
 */
export function sessionIdShape(id: string): 'ours' | 'foreign' | 'malformed' {
  if (isWellFormedSessionId(id)) return 'ours';
  return id.length <= MAX_SESSION_ID_LENGTH && VISIBLE_ASCII.test(id) ? 'foreign' : 'malformed';
}
