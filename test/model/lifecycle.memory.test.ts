/**
 * Every generated lifecycle path, run against a real `Connection` on the in-memory transport
 * with a simulated clock. At every step: state, `readyState`, queue length, exact
 * `bufferedAmount`, pending timers and when the next fires, pings sent, how `closed` settled,
 * and the exact sequence of events the app has seen so far, against what the production
 * machine predicts; then the properties that hold whatever the machine says
 * (`lifecycle-invariants.ts`).
 *
 * How the paths are bounded (`lifecycle-walk.ts`): a state key is what guards and the event
 * alphabet read (state, queued messages and bytes, failure recorded or not, the close request,
 * messages the socket holds, the retry count where it decides, a ping out, a reconnect wait
 * already redrawn by a wake, the order of the timers), 62 keys with reconnection and heartbeat
 * (`maxRetries` 1), 35 without, 53 with reconnection and `resendUnconfirmed`; `user.send`
 * comes in two sizes while connecting or waiting to reconnect (one fits, one is past
 * `maxQueuedBytes` of 8) and one elsewhere; `maxQueuedMessages` of 2 bounds the queue, and
 * `filterEvents` lets the socket hold at most 2 messages while open. Each path is the shortest
 * path to a key plus one event the key offers: one path per edge, 685, 327 and 526.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { generateLifecyclePaths } from '../../src/testing/model/lifecycle-walk.js';
import { lifecyclePath } from '../../src/testing/lifecycle-paths.js';
import { runPath } from '../../src/testing/model/lifecycle-runner.js';
import { memoryDriver } from '../../src/testing/model/memory-driver.js';
import { transitionLabel, transitionLabels } from './machine-coverage.js';

const paths = generateLifecyclePaths();
/** Transitions the connection's own actor took, over every path run so far. */
const taken = new Set<string>();

describe(`the ${paths.length} generated lifecycle paths, on the in-memory transport`, () => {
  for (const path of paths) {
    it(lifecyclePath(connectionMachine, path).description, async () => {
      const run = await runPath(path, memoryDriver(), { onTransitions: (ts) => ts.forEach((t) => taken.add(transitionLabel(t))) });
      expect(run.observed).toEqual(run.expected);
      expect(run.violations).toEqual([]);
    });
  }
});

afterAll(() => {
  // Inside the connection, too, every transition is taken, but the `user.send` ones: the shell
  // performs those from the machine's definition without stepping it (`send-plan.ts`), and the
  // runner checks what they do (the queue, the bytes on the socket, the undelivered events).
  const sends = transitionLabels(connectionMachine).filter((label) => label.includes(' on user.send '));
  expect(sends.length).toBeGreaterThan(0);
  expect(transitionLabels(connectionMachine).filter((label) => !taken.has(label))).toEqual(sends);
});
