/**
 * Time: the clock a connection runs on, the scheduler that runs the machine's named timers for
 * every connection on that clock, and the reconnect backoff.
 *
 * One scheduler per clock serves every connection: a connection's running timers are entries in
 * one heap ordered by due time, and the clock holds a single platform timer, for the earliest.
 * A platform timer (a Node `Timeout`) and its closure weigh more than the entry, and an open
 * connection runs two or three timers at once (`stable`, `ping`, `pong`), so 50,000 connections
 * would otherwise hold over 100,000 of them.
 *
 * Two readings of time, because devices sleep: timers run on `monotonic()` time, which stops
 * while the device sleeps, as the platform's own timers do, so a timer keeps the delay it had
 * left; and each is told how late it fired by the wall clock, `now()`, which keeps counting,
 * so a timer that fires long after its due time shows the device slept (a laptop lid, a frozen
 * tab) and that the socket it guards may be long dead without having said so.
 */

/** The source of time for a connection; tests swap in the simulated clock from `./testing` and never sleep. */
export interface Clock {
  /**
   * Wall-clock milliseconds since an arbitrary origin; only differences matter. It must keep
   * counting while the device sleeps, since it is what tells a timer that fired far too late (a
   * wake) from one that fired on time.
   */
  now(): number;
  /**
   * Milliseconds on the time `setTimeout` counts in, which may stop while the device sleeps.
   * Timers are ordered on it, so that a step of the wall clock (NTP, a user) moves none of them.
   * Without it, `now()` serves both.
   */
  monotonic?(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Whatever the clock's `setTimeout` returns; only ever handed back to its `clearTimeout`. */
export type TimerHandle = unknown;

/** The platform's timers. */
class SystemClock implements Clock {
  // The wall clock, not performance.now(): that one stops while the device sleeps everywhere
  // but on Windows (Node on Linux, browsers on macOS and Linux; nodejs/node#47724,
  // w3c/hr-time#115), and so do the timers, so a timer would never look late after a sleep.
  // A step of the wall clock at worst makes one ping read as a wake: same ping.
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return globalThis.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  }
}

/** The platform's timers (a class's instance rather than an object literal, whose functions StrykerJS's vitest runner could not test: see CONTRIBUTING.md). */
export const systemClock: Clock = new SystemClock();

/** Whoever owns a set of timers: told when one fires, with the tag it was started with, and how late by the wall clock. */
export interface TimerOwner<Name extends string> {
  timerFired(name: Name, tag: number, lateBy: number): void;
}

/** One running timer: whose it is, its place in the heap, and when it is due on each reading of time. */
interface Entry {
  readonly timers: Timers<string>;
  readonly name: string;
  /** What the owner tagged the timer with (the connection attempt it belongs to). */
  readonly tag: number;
  readonly due: number;
  readonly wallDue: number;
  /** Start order, which breaks ties between timers due at the same time. */
  readonly seq: number;
  index: number;
}

/**
 * A connection's named timers: at most one per name, so a timer the machine starts again
 * replaces the old one instead of leaking it.
 */
export class Timers<Name extends string> {
  readonly #scheduler: Scheduler;
  readonly #owner: TimerOwner<Name>;
  /** The running timers; few run at once, so a short list beats a map. */
  #running: Entry[] | undefined;

  constructor(clock: Clock, owner: TimerOwner<Name>) {
    this.#scheduler = Scheduler.of(clock);
    this.#owner = owner;
  }

  /** How many timers are running. */
  get size(): number {
    return this.#running?.length ?? 0;
  }

  /** Starts `name` to fire in `delay` ms, tagged with `tag`, replacing it if it runs. */
  start(name: Name, delay: number, tag: number): void {
    this.cancel(name);
    const entry = this.#scheduler.add(this, name, tag, delay);
    // Sized exactly: a pushed-to array keeps room for growth, more than the entries weigh.
    this.#running = this.#running === undefined ? [entry] : this.#running.concat([entry]);
  }

  /** Stops `name` if it runs; does nothing otherwise. */
  cancel(name: Name): void {
    const entry = this.#running?.find((candidate) => candidate.name === name);
    if (entry === undefined) return;
    this.#scheduler.remove(entry);
    this.#forget(entry);
  }

  /** The scheduler's call: `entry` is due, and out of the heap. */
  fired(entry: Entry, lateBy: number): void {
    this.#forget(entry);
    this.#owner.timerFired(entry.name as Name, entry.tag, lateBy);
  }

  #forget(entry: Entry): void {
    const running = this.#running!.filter((candidate) => candidate !== entry);
    // An empty list and none find, count and filter alike: none saves the memory.
    this.#running = running.length === 0 ? undefined : running;
  }
}

/** Every running timer on one clock, in a binary heap by due time, and the one platform timer armed for the earliest. */
class Scheduler {
  static readonly #byClock = new WeakMap<Clock, Scheduler>();

  static of(clock: Clock): Scheduler {
    let scheduler = Scheduler.#byClock.get(clock);
    if (scheduler === undefined) Scheduler.#byClock.set(clock, (scheduler = new Scheduler(clock)));
    return scheduler;
  }

  readonly #clock: Clock;
  readonly #heap: Entry[] = [];
  #seq = 0;
  /** The platform timer, while one is armed. */
  #armed: TimerHandle;
  /** The due time the platform timer is armed for. */
  #armedFor = Infinity;
  #firing = false;

  private constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(timers: Timers<string>, name: string, tag: number, delay: number): Entry {
    const entry: Entry = {
      timers,
      name,
      tag,
      due: this.#monotonic() + delay,
      wallDue: this.#clock.now() + delay,
      seq: this.#seq++,
      index: this.#heap.length,
    };
    this.#heap.push(entry);
    this.#up(entry.index);
    this.#arm();
    return entry;
  }

  remove(entry: Entry): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (last !== entry) {
      heap[entry.index] = last;
      last.index = entry.index;
      this.#down(this.#up(last.index));
    }
    this.#arm();
  }

  #monotonic(): number {
    const clock = this.#clock;
    return clock.monotonic ? clock.monotonic() : clock.now();
  }

  /** Arms the platform timer for the earliest entry, unless it already is (or a firing run will). */
  #arm(): void {
    if (this.#firing) return;
    const next = this.#heap[0];
    const due = next === undefined ? Infinity : next.due;
    if (due === this.#armedFor) return;
    if (this.#armed !== undefined) this.#clock.clearTimeout(this.#armed);
    this.#armed = undefined;
    this.#armedFor = due;
    if (next !== undefined) this.#armed = this.#clock.setTimeout(this.#fire, Math.max(0, due - this.#monotonic()));
  }

  /**
   * Fires every entry that is due, earliest (then first started) first, as separate platform
   * timers due by then would fire. Each may start or cancel others; one it starts waits for the
   * next platform timer, even if due at once, as it would on the platform.
   */
  readonly #fire = (): void => {
    this.#armed = undefined;
    this.#armedFor = Infinity;
    this.#firing = true;
    const startedBefore = this.#seq;
    try {
      for (
        let next = this.#heap[0];
        next !== undefined && next.seq < startedBefore && next.due <= this.#monotonic();
        next = this.#heap[0]
      ) {
        this.remove(next);
        next.timers.fired(next, Math.max(0, this.#clock.now() - next.wallDue));
      }
    } finally {
      this.#firing = false;
      this.#arm();
    }
  };

  #before(a: Entry, b: Entry): boolean {
    // No two entries share a seq: ties on due time keep the order timers were started in.
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    a.index = j;
    b.index = i;
  }

  #up(index: number): number {
    const heap = this.#heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(heap[i]!, heap[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
    }
    return i;
  }

  #down(index: number): void {
    const heap = this.#heap;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < heap.length && this.#before(heap[left]!, heap[first]!)) first = left;
      if (right < heap.length && this.#before(heap[right]!, heap[first]!)) first = right;
      if (first === i) return;
      this.#swap(i, first);
      i = first;
    }
  }
}

/**
 * Reconnection delays: exponential backoff with full jitter ("Exponential Backoff and Jitter",
 * AWS Architecture Blog, 2015). The ceiling grows as `minDelay * factor^retry`, capped at
 * `maxDelay`, and the delay is drawn uniformly below it, so thousands of clients dropped by one
 * server restart come back spread over the whole window instead of in waves.
 */
export interface BackoffOptions {
  /** The ceiling of the first delay, in ms. */
  readonly minDelay: number;
  /** The highest ceiling, in ms. */
  readonly maxDelay: number;
  /** How much the ceiling grows per retry. */
  readonly factor: number;
  /** Whether to draw below the ceiling (`true`) or wait the ceiling itself (for tests and comparisons). */
  readonly jitter: boolean;
}

/** The ceiling for the `retry`-th retry (0-based). */
export function backoffCeiling(retry: number, { minDelay, maxDelay, factor }: BackoffOptions): number {
  return Math.min(maxDelay, minDelay * factor ** retry);
}

/** The delay before the `retry`-th retry; `random` returns a number in [0, 1), like `Math.random`. */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const ceiling = backoffCeiling(retry, options);
  return options.jitter ? Math.floor(random() * ceiling) : ceiling;
}
