// Replay a failure: copy `seed` and `path` from the report, then run
// FC_SEED=<seed> FC_PATH=<path> npx vitest run test/properties/ws.properties.test.ts -t '<property name>'
// Replay a whole passing run: FC_SEED=<the seed it printed>. (Real sockets: the timing still differs.)
/**
 * The invariants that hold on real sockets, against a real `ws` server on loopback behind a
 * fault-injecting TCP proxy (refused and stalled connects, links dropped, reset or blackholed
 * mid-stream, servers closing or vanishing), five in six runs reconnecting through the same
 * faults. Fewer runs than the in-memory properties, each a few real round trips: per-attempt
 * order (2), readyState (3), queue bounds (5), nothing left behind (6), and the fates of
 * messages (1) in the at-least-once form docs/delivery-guarantees.md documents for real sockets, with every loss
 * placed by the proxy and bounded by what the link can hold, in every run. The checks are in
 * `ws-invariants.ts`; `ws-mutants.test.ts` shows each able to fail.
 */
import fc from 'fast-check';
import { WebSocket as UndiciWebSocket } from 'undici';
import { describe, it } from 'vitest';
import type { WebSocketConstructor } from '../../src/index.js';
import { assertOptions } from './replay.js';
import { WS_RUNS } from './runs.js';
import { holdsOnRealSockets } from './ws-invariants.js';
import { plans, runPlan } from './ws-world.js';

/** One seed per test run, printed, so that any run, passing or not, can be generated again. */
const SEED = Number(process.env['FC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

function runOptions(property: string): ReturnType<typeof assertOptions> {
  console.log(`${property}: seed ${SEED} (replay with FC_SEED=${SEED})`);
  return { ...assertOptions(WS_RUNS), seed: SEED };
}

describe(`Connection through a fault-injecting proxy to a ws server (${WS_RUNS} generated runs per transport)`, () => {
  it('keeps its per-attempt order, readyState, queue-bound, clean-up and at-least-once guarantees with the ws transport, reconnecting or not', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => holdsOnRealSockets(await runPlan(plan))),
      runOptions('ws transport'),
    );
  }, 120_000);

  // The browser transport, through undici's WebSocket (Node's own global one): the same plans.
  it('keeps the same guarantees with the native transport over a platform WebSocket', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => holdsOnRealSockets(await runPlan(plan, UndiciWebSocket as unknown as WebSocketConstructor))),
      runOptions('native transport'),
    );
  }, 120_000);
});
