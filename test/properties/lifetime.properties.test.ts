// Replay a failure: copy `seed` and `path` from the report, and `replayPath` from its counterexample, then run
// FC_SEED=<seed> FC_PATH=<path> FC_REPLAY=<replayPath> npx vitest run test/properties/lifetime.properties.test.ts -t '<property name>'
/**
 * Model-based properties of `Connection` on the in-memory transport, about attempts and the end
 * of life: what each attempt reports, one live socket at a time, no socket after `close()`, the
 * retry count and backoff, and nothing left once the connection closed or gave up. Generated
 * as in `memory.properties.test.ts`; these runs always reconnect (few retries, deterministic
 * `random`, mostly a heartbeat on protocol pings), since reconnects are what they are about.
 */
import { describe } from 'vitest';
import { neverAfterClose, nothingLeftBehind, oneLiveSocket, perAttempt, retryAccounting } from './lifetime-invariants.js';
import { itHolds } from './memory-property.js';
import { reconnectingConfigs, worldConfigs } from './world-config.js';
import { MEMORY_RUNS } from './runs.js';

describe(`Connection's attempts and end on the in-memory transport (${MEMORY_RUNS} generated runs per property)`, () => {
  itHolds(
    'reports per attempt at most one error and exactly one close, each close that says a reconnect follows followed by reconnecting, and settles closed once, after the last',
    perAttempt,
    reconnectingConfigs,
    MEMORY_RUNS,
  );

  itHolds('never has two sockets live at once', oneLiveSocket, reconnectingConfigs, MEMORY_RUNS);

  itHolds('never opens a socket after close() was called or the connection ended', neverAfterClose, reconnectingConfigs, MEMORY_RUNS);

  itHolds(
    'counts reconnects in a row up to maxRetries, resets the count only after a stable open, and waits within the backoff ceiling',
    retryAccounting,
    reconnectingConfigs,
    MEMORY_RUNS,
  );

  // With and without reconnect: a connection that never reconnects must clean up as well.
  itHolds('leaves no timer, socket or listener behind once closed or given up', nothingLeftBehind, worldConfigs, MEMORY_RUNS);
});
