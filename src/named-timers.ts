/**
 * The machine's named timers, on the connection's clock: at most one per name, so a timer the
 * machine starts again replaces the old one instead of leaking it, and each knows how late it
 * fired. A timer that fires far later than asked has slept with the device (a laptop lid, a
 * frozen tab): the socket it guards may be long dead without having said so.
 */
import type { Clock, TimerHandle } from './clock.js';

/** At most one running timer per name, on `clock`. */
export class NamedTimers<Name extends string> {
  readonly #clock: Clock;
  readonly #handles = new Map<Name, TimerHandle>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many timers are running. */
  get size(): number {
    return this.#handles.size;
  }

  /** Starts `name`, replacing it if it runs; `fire` is told how many ms after its due time it ran. */
  start(name: Name, delay: number, fire: (lateBy: number) => void): void {
    this.cancel(name);
    const due = this.#clock.now() + delay;
    const handle = this.#clock.setTimeout(() => {
      this.#handles.delete(name);
      fire(Math.max(0, this.#clock.now() - due));
    }, delay);
    this.#handles.set(name, handle);
  }

  /** Stops `name` if it runs; does nothing otherwise. */
  cancel(name: Name): void {
    if (!this.#handles.has(name)) return;
    this.#clock.clearTimeout(this.#handles.get(name));
    this.#handles.delete(name);
  }
}
