/**
 * The one source of time for a connection. Every delay the machine asks for is started here,
 * so tests can swap in the simulated clock from `./testing` and never sleep.
 */
export interface Clock {
  /**
   * Milliseconds since an arbitrary origin; only differences matter. It must keep counting while
   * the device sleeps, since it is what tells a timer that fired far too late (a wake) apart
   * from one that fired on time.
   */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Whatever the clock's `setTimeout` returns; only ever handed back to its `clearTimeout`. */
export type TimerHandle = unknown;

/** The platform's timers. */
export const systemClock: Clock = {
  // The wall clock, not performance.now(): that one stops while the device sleeps everywhere
  // but on Windows (Node on Linux, browsers on macOS and Linux; nodejs/node#47724,
  // w3c/hr-time#115), and so do the timers, so a timer would never look late after a sleep.
  // A step of the wall clock (NTP, a user) at worst makes one ping read as a wake: same ping.
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
