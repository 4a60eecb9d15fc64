/**
 * Logging levels per session (MCP 2025-11-25 "Server Features > Utilities > Logging"): after a
 * client's `logging/setLevel`, `notifications/message` below that level is not sent to it.
 *
 * Never imports Node-RED.
 */

/** The syslog levels MCP uses, from least to most severe (RFC 5424). */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
type LogLevel = typeof LOG_LEVELS[number];

/** True when `value` is one of {@link LOG_LEVELS}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** The level each session asked for; a session that never asked gets every message. */
export class LogLevels {
  private readonly levels = new Map<string, number>();

  /** Records a session's `logging/setLevel`. */
  set(sessionId: string, level: LogLevel): void {
    this.levels.set(sessionId, LOG_LEVELS.indexOf(level));
  }

  /** The level a session asked for, if any. */
  get(sessionId: string): LogLevel | undefined {
    const index = this.levels.get(sessionId);
    return index === undefined ? undefined : LOG_LEVELS[index];
  }

  /**
   * True when a `notifications/message` of `level` may go to the session: it asked for no level, or
   * `level` is at or above the one it asked for. A message with an unknown level is sent.
   */
  allows(sessionId: string, level: unknown): boolean {
    const min = this.levels.get(sessionId);
    if (min === undefined || !isLogLevel(level)) return true;
    return LOG_LEVELS.indexOf(level) >= min;
  }

  /** Forgets a session that closed. */
  closeSession(sessionId: string): void {
    this.levels.delete(sessionId);
  }
}
