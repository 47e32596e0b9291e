/**
 * A bound on a wait that has none of its own (a server's close, a socket's `close` event, a
 * connection's `close()`): if it has not settled in time, the wait fails with a message naming
 * what it was for and what is still outstanding, so that a hang shows up as a failure that says
 * where it is stuck instead of a test timeout that says nothing. The bound is generous, far above
 * what the wait takes on a busy machine: it is a diagnosis, never a fix, and never a sleep.
 */

/** The allowance for waits that should end at once (a destroyed socket's close, a server's): room for a very busy machine. */
export const TEARDOWN_ALLOWANCE = 10_000;

/**
 * Resolves as `promise` does; rejects, naming `what` and what `outstanding()` lists then, if it
 * has not settled within `ms`. The timer goes once it settles, so nothing is left behind.
 */
export async function within<T>(what: string, ms: number, promise: Promise<T>, outstanding: () => readonly string[]): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const left = outstanding();
      reject(new Error(`${what}: not done within ${ms} ms; still waiting for ${left.length === 0 ? 'nothing listed' : left.join('; ')}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
