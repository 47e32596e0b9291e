/**
 * The thundering herd: 500 clients are connected through the proxy when the backend behind it
 * restarts, dropping them all at once. With full jitter their reconnects spread over the first
 * wait's whole window; without it they all come back together. Then a network restore: the
 * same drop, but every client is still in a long wait (as after a network that was down a
 * while) when all 500 hear `online` at the same moment; each replaces the rest of its wait
 * with one fresh draw below `minReconnectDelay`, so they come back as spread out as after a
 * drop, not at once.
 *
 * The proxy timestamps every connection it accepts (observed); the test also notes when each
 * client's wait ends (scheduled: the `reconnecting` event's time plus its delay, or the time of
 * a wake's draw plus that draw), which is what a server facing 500 separate machines would see,
 * since here one process plays every client, the proxy and the backend and accepts only so
 * many connections per 100 ms. It prints the peak number of connection attempts per 100 ms of
 * every run and asserts the jittered peaks are a small fraction of the
 * lockstep ones, and the restore's within 1.5 times the drop's. Real time: the runs share the
 * machine's speed, so the ratios, not the figures, are what the assertions rest on.
 *
 * Each client draws its jitter from its own stream of a seeded generator, the same stream in
 * the drop and the restore (after the restore's first, long wait), so the two runs differ in
 * how the clients come back, not in luck. The seed is new each run and printed; replay one with
 * `STORM_SEED=<seed> npx vitest run test/resilience/storm.test.ts`.
 */
import { expect, it } from 'vitest';
import type { ConnectionOptions } from '../../src/index.js';
import { expectAccountedFor, NOTHING_LOST } from '../support/expectations.js';
import { seeded } from '../support/seeded.js';
import { useScene } from '../support/scene.js';
import { STORM_CLIENTS, STORM_MIN_RECONNECT_DELAY } from './scale.js';

const CLIENTS = STORM_CLIENTS;
const WINDOW_MS = 100;
const TIMING = {
  // A wide window, because one process plays all 500 clients: handling their 500 drops at once
  // stalls its event loop for a few hundred ms, and every client whose drawn wait ended meanwhile
  // connects when the stall ends. The wider the window, the fewer they are.
  minReconnectDelay: STORM_MIN_RECONNECT_DELAY,
  maxReconnectDelay: 32_000,
  reconnectFactor: 2,
  connectTimeout: 5_000,
  heartbeatInterval: 0,
} satisfies ConnectionOptions;
/** The restore's first draw: a wait near the ceiling, so that every client is still waiting when `online` comes. */
const LONG_DRAW = 0.999;

const SEED = process.env.STORM_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.STORM_SEED);

/** Client `client`'s own stream of draws for this run's seed. */
function drawsOf(client: number): () => number {
  return seeded((SEED ^ Math.imul(client + 1, 0x9e3779b1)) >>> 0);
}

const startScene = useScene();

type Scenario = 'drop' | 'lockstep' | 'restore';

interface Storm {
  /** Most attempts within 100 ms, by when each client's wait ended. */
  readonly scheduledPeak: number;
  /** Most attempts within 100 ms, by when the proxy accepted them. */
  readonly observedPeak: number;
  readonly attempts: number;
  /** From the first attempt the proxy accepted after the drop (or the restore) to the last, in ms. */
  readonly spread: number;
}

/** The most timestamps within any `window` ms (a sliding window, so a burst is not split between two buckets). */
function peakPer(window: number, times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= window) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

/**
 * Connects every client, restarts the backend behind the proxy, and waits until all are open
 * again. For the restore, every client hears `online` once all are waiting to reconnect.
 */
async function storm(scenario: Scenario): Promise<Storm> {
  const environment = new EventTarget();
  const scene = await startScene({ ...TIMING, reconnectJitter: scenario !== 'lockstep', environment });
  const scheduled: number[] = [];
  let restoring = false;
  const clients = Array.from({ length: CLIENTS }, (_, id) => {
    const draws = drawsOf(id);
    let first = scenario === 'restore';
    const random = (): number => {
      if (first) {
        first = false;
        return LONG_DRAW;
      }
      const draw = draws();
      // A wake's draw is below minReconnectDelay, and made while `online` is dispatched.
      if (restoring) scheduled.push(performance.now() + Math.floor(draw * TIMING.minReconnectDelay));
      return draw;
    };
    return scene.connect({ random });
  });
  await Promise.all(clients.map((client) => client.whenOpen(20_000)));
  if (scenario !== 'restore') {
    for (const client of clients) client.connection.on('reconnecting', ({ delay }) => scheduled.push(performance.now() + delay));
  }
  const before = scene.proxy.accepted.length;
  // A client that closed while the scene connected them (a slow handshake on a busy machine) has
  // closes already: its reopen is the one after these.
  const closesBefore = clients.map((client) => client.closes.length);
  await scene.restartBackend();
  if (scenario === 'restore') {
    await Promise.all(
      clients.map((client) => client.until(() => client.connection.state === 'reconnecting', 'the reconnect wait', 20_000)),
    );
    restoring = true;
    environment.dispatchEvent(new Event('online'));
    restoring = false;
  }
  await Promise.all(
    clients.map((client, i) =>
      client.until(() => client.closes.length > closesBefore[i]! && client.connection.state === 'open', 'the reopen', 30_000),
    ),
  );

  const accepted = scene.proxy.accepted.slice(before);
  expectAccountedFor(await scene.finish(), NOTHING_LOST);
  return {
    scheduledPeak: peakPer(WINDOW_MS, scheduled),
    observedPeak: peakPer(WINDOW_MS, accepted),
    attempts: accepted.length,
    spread: Math.round(Math.max(...accepted) - Math.min(...accepted)),
  };
}

it(`spreads the reconnects of ${CLIENTS} clients dropped by a server restart, and of ${CLIENTS} clients that hear online at once`, async () => {
  const drop = await storm('drop');
  const lockstep = await storm('lockstep');
  const restore = await storm('restore');
  const line = (run: Storm) =>
    `${run.observedPeak} at the proxy (${run.scheduledPeak} as scheduled; ${run.attempts} attempts over ${run.spread} ms)`;
  console.log(
    `storm (seed ${SEED}; replay with STORM_SEED=${SEED}): ${CLIENTS} clients, first wait ${TIMING.minReconnectDelay} ms; peak connection attempts per ${WINDOW_MS} ms: ` +
      `${line(drop)} after a drop with jitter, ${line(lockstep)} without, ${line(restore)} after a network restore (online) with jitter`,
  );
  for (const run of [drop, lockstep, restore]) expect(run.attempts).toBeGreaterThanOrEqual(CLIENTS);
  // As scheduled, the lockstep herd is as sharp as the process handled the drops; as observed, it
  // is also capped by how fast the process accepts connections, so the margin is smaller.
  expect(drop.scheduledPeak).toBeLessThan(lockstep.scheduledPeak / 3);
  expect(drop.observedPeak).toBeLessThan(lockstep.observedPeak / 2);
  // A restore is no sharper than a drop: every client drew afresh below minReconnectDelay.
  expect(restore.observedPeak).toBeLessThanOrEqual(1.5 * drop.observedPeak);
}, 150_000);
