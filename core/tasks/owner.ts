/**
 * Who owns a task (`TaskRecord.owner`), both eras: only its owner may read, list or cancel it.
 *
 * Never imports Node-RED.
 */
import type { AuthInfo } from '../auth/claims';

/** The owner of the tasks a caller without OAuth makes on session `sessionId` (2025-11-25). */
export function sessionOwner(sessionId: string): string {
  return `session:${sessionId}`;
}

/** The owner of a 2026-07-28 task made without OAuth: whoever has its id. */
export const ANYONE = 'anyone';

/**
 * The owner of a task made on session or exchange `originId`: with OAuth, the caller's subject
 * (`subject:<sub>`, else `subject:<client_id>`), so any of that caller's sessions finds it. A
 * caller without OAuth, or whose token names neither `sub` nor `client_id`, owns it as a caller
 * without OAuth does: its session (`session:<id>`), or {@link ANYONE} on a 2026-07-28 exchange.
 * (Such tokens are never one shared owner: they could read and cancel each other's tasks.)
 * @param exchange true when `originId` is a 2026-07-28 exchange (no session).
 */
export function taskOwner(originId: string, auth: AuthInfo | undefined, exchange: boolean): string {
  const who = auth?.subject ?? auth?.clientId;
  if (who !== undefined) return `subject:${who}`;
  return exchange ? ANYONE : sessionOwner(originId);
}
