/**
 * Listener sets: {@link Listeners}, plain, and {@link HeldListeners}, which holds events while it
 * has no listener, for a short while (or until a deploy is done), and hands them to the next
 * listener added. An endpoint's accepted client messages go through one, so that a
 * message accepted (`202`) in the moment between one consumer leaving and the next arriving (in
 * Node-RED: a redeploy of `mcp message in`) is delivered, not dropped.
 *
 * Never imports Node-RED.
 */

type Listener<T> = (event: T) => void;

/** A set of listeners; `add` returns the function that removes the listener again. */
export class Listeners<T> {
  private readonly set = new Set<Listener<T>>();

  /** Adds a listener; returns the function that removes it. */
  add(listener: Listener<T>): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  /** Hands `event` to every listener, in the order they were added. */
  emit(event: T): void {
    for (const listener of this.set) listener(event);
  }

  /** The number of listeners. */
  get size(): number {
    return this.set.size;
  }
}

/** Defaults: events are held up to 3000 ms, at most 1000 of them. */
export const DEFAULT_HOLD_MS = 3000;
export const DEFAULT_HOLD_MAX = 1000;

/**
 * Listeners that hold events while there is none, for a short while, and hand them to the next
 * listener added (a redeploy of the consuming node). While a longer wait is on
 * ({@link holdLonger}: a deploy is under way), held events wait until it ends. An event dropped
 * unheard (too old, or past the most held) is told to `onDrop` at once, by a timer: whoever waits
 * for it hears so when it happens, not when the next event comes.
 */
export class HeldListeners<T> {
  private readonly set = new Set<Listener<T>>();
  private held: Array<{ event: T; at: number }> = [];
  private delivering = false;
  /** While a longer wait is on: held events wait at least until then (epoch ms); 0 when off. */
  private holdUntil = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param holdMs how long an event waits for a listener, in ms; older ones are dropped.
   * @param maxHeld the most events held; past it the oldest is dropped.
   * @param onDrop told of every event dropped unheard.
   */
  constructor(
    private readonly holdMs = DEFAULT_HOLD_MS,
    private readonly maxHeld = DEFAULT_HOLD_MAX,
    private readonly onDrop: (event: T) => void = () => {},
  ) {}

  /**
   * Adds a listener; events held meanwhile, whatever their age, are handed to the listeners on
   * the next turn of the event loop (so that whoever added it can finish setting up first).
   * @returns the function that removes the listener again.
   */
  add(listener: Listener<T>): () => void {
    this.set.add(listener);
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.length > 0 && !this.delivering) {
      this.delivering = true;
      setImmediate(() => {
        this.delivering = false;
        this.deliverHeld();
      });
    }
    return () => {
      if (this.set.delete(listener)) this.schedule();
    };
  }

  /** Hands `event` to every listener, or holds it when there is none. */
  emit(event: T): void {
    if (this.set.size === 0) {
      this.hold(event);
      return;
    }
    for (const listener of this.set) listener(event);
  }

  /**
   * Held events, and those held from now on, wait for a listener until {@link endHold}, at most
   * `ms` from now (a deploy is under way: the next listener comes when it is done).
   */
  holdLonger(ms: number): void {
    this.holdUntil = Date.now() + ms;
    this.schedule();
  }

  /** The longer wait is over: events wait `holdMs` from when they came, as before; older ones are dropped now. */
  endHold(): void {
    this.holdUntil = 0;
    this.schedule();
  }

  /** The number of listeners. */
  get size(): number {
    return this.set.size;
  }

  /** The number of events waiting for a listener. */
  get heldCount(): number {
    return this.held.length;
  }

  /** The events waiting for a listener now (those not yet expired), oldest first. */
  heldEvents(): T[] {
    this.expire(Date.now());
    return this.held.map(({ event }) => event);
  }

  private hold(event: T): void {
    this.expire(Date.now());
    if (this.held.length >= this.maxHeld) {
      const dropped = this.held.shift();
      if (dropped !== undefined) this.onDrop(dropped.event);
    }
    this.held.push({ event, at: Date.now() });
    if (this.timer === undefined) this.schedule();
  }

  /** When an event that came at `at` (epoch ms) is dropped unheard. */
  private expiresAt(at: number): number {
    return Math.max(at + this.holdMs, this.holdUntil);
  }

  private expire(now: number): void {
    while (this.held.length > 0 && now >= this.expiresAt(this.held[0].at)) {
      this.onDrop((this.held.shift() as { event: T }).event);
    }
  }

  /** Sets the timer that drops the oldest held event when it expires, while nobody listens. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.length === 0 || this.set.size > 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire(Date.now());
      this.schedule();
    }, Math.max(0, this.expiresAt(this.held[0].at) - Date.now()));
    this.timer.unref();
  }

  private deliverHeld(): void {
    if (this.set.size === 0) return;
    const events = this.held;
    this.held = [];
    for (const { event } of events) this.emit(event);
  }
}
