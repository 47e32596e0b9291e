// Replay a failure: copy `seed` and `path` from the report, and `replayPath` from its counterexample, then run
// FC_SEED=<seed> FC_PATH=<path> FC_REPLAY=<replayPath> npx vitest run test/properties/memory.properties.test.ts -t '<property name>'
/**
 * Model-based properties of `Connection` on the in-memory transport, about data and
 * conformance: fast-check generates the options, the application's calls and the network's,
 * device's and clock's moves, `fc.scheduler` interleaves the transport's reports with them in
 * every order, and the pure machine (`oracle.ts`) says what must have happened. Most runs
 * reconnect (with few retries, a deterministic `random` and, mostly, a heartbeat on a transport
 * with protocol pings), some do not. Each invariant is its own property; every run ends with
 * the connection closed or given up. The properties about attempts and the end of life are in
 * `lifetime.properties.test.ts`.
 */
import { describe } from 'vitest';
import {
  bufferedAmountAccounts,
  conformsToMachine,
  fastPathIsTheMachine,
  nothingLost,
  queueWithinBounds,
  readyStateFollowsMachine,
} from './invariants.js';
import { itHolds } from './memory-property.js';
import { worldConfigs } from './world-config.js';
import { MEMORY_RUNS } from './runs.js';

describe(`Connection on the in-memory transport (${MEMORY_RUNS} generated runs per property)`, () => {
  itHolds(
    'loses nothing across reconnects: every message handed to send() is written once by one socket or reported undelivered once, and queued messages reach the next open socket first, in send order',
    nothingLost,
    worldConfigs,
    MEMORY_RUNS,
  );

  itHolds(
    "keeps readyState equal to the machine's state, going back only to wait for a reconnect",
    readyStateFollowsMachine,
    worldConfigs,
    MEMORY_RUNS,
  );

  itHolds(
    'keeps bufferedAmount non-negative and equal to queued bytes plus bytes the socket has not written',
    bufferedAmountAccounts,
    worldConfigs,
    MEMORY_RUNS,
  );

  itHolds(
    'never queues more than maxQueuedMessages or maxQueuedBytes, and queues only before an open',
    queueWithinBounds,
    worldConfigs,
    MEMORY_RUNS,
  );

  itHolds(
    "writes from the open-state fast path exactly what the machine's writeMessage asks for",
    fastPathIsTheMachine,
    worldConfigs,
    MEMORY_RUNS,
  );

  itHolds(
    "emits exactly the events, makes exactly the transport calls and runs exactly the timers the machine's transitions ask for",
    conformsToMachine,
    worldConfigs,
    MEMORY_RUNS,
  );
});
