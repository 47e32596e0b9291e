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
