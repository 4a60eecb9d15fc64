/**
 * The keep-alive of one endpoint: one timer, running only while the endpoint has something open,
 * writes a `: ping` comment to every open stream each interval (one timer for all sessions is
 * cheaper than one each). Idle and resumption timers belong to each session.
 *
 * Never imports Node-RED.
 */
import type { ReplyDestination } from './reply-destination';

/** One endpoint's keep-alive timer. */
export class KeepAlive {
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param intervalMs ms between keep-alive comments; 0 (or less) turns them off.
   * @param sessions every session and exchange of the endpoint, open or closing.
   */
  constructor(private readonly intervalMs: number, private readonly sessions: () => Iterable<ReplyDestination>) {}

  /** Starts the timer (something opened), unless it runs already or keep-alive is off. */
  start(): void {
    if (this.timer !== undefined || this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      for (const session of this.sessions()) session.keepAlive();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer when the endpoint has nothing open any more (something closed). */
  stopWhenIdle(): void {
    if (this.sessions()[Symbol.iterator]().next().done === true) this.stop();
  }

  /** Stops the timer (the endpoint closed). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
