/**
 * The one source of time for a connection. Every delay the machine asks for is started here,
 * so tests can swap in the simulated clock from `./testing` and never sleep.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences matter. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Whatever the clock's `setTimeout` returns; only ever handed back to its `clearTimeout`. */
export type TimerHandle = unknown;

/** The platform's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
