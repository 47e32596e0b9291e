/**
 * A clock whose time moves only when a test says so. Pass it as the `clock` option and call
 * `advance(ms)`: every timer due by then fires, in order of due time, then of creation.
 * `sleep(ms)` plays a device that sleeps instead: the time `now()` reads jumps, timers do not.
 */
import type { Clock } from '../time.js';

interface PendingTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

export class SimulatedClock implements Clock {
  /** The time timers run on; `now()` adds the time spent asleep. */
  #now = 0;
  #slept = 0;
  #nextId = 1;
  #timers = new Map<number, PendingTimer>();

  now(): number {
    return this.#now + this.#slept;
  }

  /** The time timers run on: it stops while the device sleeps. */
  monotonic(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { id, due: this.#now + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** How many timers are waiting: 0 once a connection has fully closed. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer is due, as `now()` reads time (so `nextDue - now()` is how long until it fires), or `undefined`. */
  get nextDue(): number | undefined {
    let next: number | undefined;
    for (const timer of this.#timers.values()) if (next === undefined || timer.due < next) next = timer.due;
    return next === undefined ? undefined : next + this.#slept;
  }

  /** Moves time forward by `ms`, firing every timer that comes due, including ones set meanwhile. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let timer = this.#nextTimer(target); timer !== undefined; timer = this.#nextTimer(target)) {
      this.#timers.delete(timer.id);
      this.#now = timer.due;
      timer.callback();
    }
    this.#now = target;
  }

  /**
   * The device sleeps for `ms`, as a laptop with its lid shut: `now()` jumps ahead, as the wall
   * clock does, while no timer fires and each keeps the delay it had left (the monotonic clock
   * timers run on stops in sleep on most platforms). The next timer to fire then runs `ms` late.
   */
  sleep(ms: number): void {
    this.#slept += ms;
  }

  #nextTimer(until: number): PendingTimer | undefined {
    let next: PendingTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.due <= until && (next === undefined || timer.due < next.due || (timer.due === next.due && timer.id < next.id)))
        next = timer;
    }
    return next;
  }
}
