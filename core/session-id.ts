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
 * True when `id` has the shape of the ids {@link newSessionId} issues (a lower-case v4 UUID), so
 * that a malformed session id is refused with 400 before any lookup.
 */
export function isWellFormedSessionId(id: string): boolean {
  return id.length === 36 && validate(id) && version(id) === 4 && id === id.toLowerCase();
}
