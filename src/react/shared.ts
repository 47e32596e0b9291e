/**
 * The connections `useConnection` shares: one per URL and options, used by every component that
 * asks for them, and closed a short while after its last user lets go, so that a remount (React's
 * StrictMode mounts every component twice in development; a route that comes back) finds it still
 * open instead of opening another.
 *
 * Nothing here imports React: what a component does is "take" a shared connection during render
 * (which may be thrown away, so taking costs no use) and "use" it while it is subscribed (from a
 * commit to the cleanup). A connection taken and never used is released like one whose users all
 * left. Its delay runs on the connection's own clock, so a test on a simulated clock drives it.
 */
import type { Connection } from '../connection.js';
import { clock } from '../connection-internals.js';
import type { TimerHandle } from '../time.js';

/** How long a shared connection outlives its last user, in milliseconds: a remount within it reuses the connection. */
export const RELEASE_DELAY = 1000;

/** One shared connection and who uses it. */
export interface SharedConnection {
  readonly key: string;
  readonly connection: Connection;
}

interface Entry extends SharedConnection {
  users: number;
  /** The pending release, while nobody uses it (`undefined` otherwise: a clock's handle may be anything else). */
  timer: TimerHandle;
}

/** The shared connections not yet over, by key. One that ends leaves: whoever asks next gets a new one. */
const byKey = new Map<string, Entry>();

/**
 * The shared connection for `key`, made with `create` if there is none (or the last one ended).
 * Taking it is not using it: unless someone uses it within `RELEASE_DELAY`, it is closed.
 */
export function shareConnection(key: string, create: () => Connection): SharedConnection {
  let entry = byKey.get(key);
  if (entry === undefined) {
    const made: Entry = { key, connection: create(), users: 0, timer: undefined };
    entry = made;
    byKey.set(key, made);
    void made.connection.closed.then(() => {
      if (byKey.get(key) === made) byKey.delete(key);
    });
    scheduleRelease(made);
  }
  return entry;
}

/** Counts one user of `shared` until the returned function is called (once; more calls do nothing). */
export function holdShared(shared: SharedConnection): () => void {
  const entry = shared as Entry;
  entry.users += 1;
  if (entry.timer !== undefined) {
    entry.connection[clock]().clearTimeout(entry.timer);
    entry.timer = undefined;
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    entry.users -= 1;
    if (entry.users === 0) scheduleRelease(entry);
  };
}

function scheduleRelease(entry: Entry): void {
  // Whoever holds the connection again cancels this first (`holdShared`).
  entry.timer = entry.connection[clock]().setTimeout(() => {
    entry.timer = undefined;
    // The connection may have ended on its own meanwhile, and another taken its key.
    if (byKey.get(entry.key) === entry) byKey.delete(entry.key);
    // A normal closure: the server sees 1000. Closing drains what is queued first, and reports
    // anything it cannot deliver as undelivered.
    void entry.connection.close(1000);
  }, RELEASE_DELAY);
}
