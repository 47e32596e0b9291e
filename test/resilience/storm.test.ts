/**
 * The thundering herd: 500 clients are connected through the proxy when the backend behind it
 * restarts, dropping them all at once. With full jitter their reconnects spread over the first
 * wait's whole window; without it they all come back together. The proxy timestamps every
 * connection it accepts (observed); the test also notes when each client's wait ends (scheduled:
 * the `reconnecting` event's time plus its delay), which is what a server facing 500 separate
 * machines would see, since here one process plays every client, the proxy and the backend and
 * accepts only so many connections per 100 ms. It prints the peak number of connection attempts
 * per 100 ms of both runs, both ways (the README quotes them), and asserts the jittered peak is
 * a small fraction of the other. Real time: both runs share the machine's speed, so the ratio,
 * not either figure, is what the assertions rest on.
 */
import { expect, it } from 'vitest';
import type { ConnectionOptions } from '../../src/index.js';
import { expectAccountedFor, NOTHING_LOST } from '../support/expectations.js';
import { useScene } from '../support/scene.js';

const CLIENTS = 500;
const WINDOW_MS = 100;
const TIMING = {
  // A wide window, because one process plays all 500 clients: handling their 500 drops at once
  // stalls its event loop for a few hundred ms, and every client whose drawn wait ended meanwhile
  // connects when the stall ends. The wider the window, the fewer they are.
  minReconnectDelay: 8_000,
  maxReconnectDelay: 32_000,
  reconnectFactor: 2,
  connectTimeout: 5_000,
  heartbeatInterval: 0,
} satisfies ConnectionOptions;

const startScene = useScene();

interface Storm {
  /** Most attempts within 100 ms, by when each client's wait ended (the reconnecting event's time plus its delay). */
  readonly scheduledPeak: number;
  /** Most attempts within 100 ms, by when the proxy accepted them. */
  readonly observedPeak: number;
  readonly attempts: number;
  /** From the first attempt the proxy accepted after the restart to the last, in ms. */
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

/** Connects every client, restarts the backend behind the proxy, and waits until all are open again. */
async function storm(reconnectJitter: boolean): Promise<Storm> {
  const scene = await startScene({ ...TIMING, reconnectJitter });
  const clients = Array.from({ length: CLIENTS }, () => scene.connect());
  await Promise.all(clients.map((client) => client.whenOpen(20_000)));
  const scheduled: number[] = [];
  for (const client of clients) client.connection.on('reconnecting', ({ delay }) => scheduled.push(performance.now() + delay));
  const before = scene.proxy.accepted.length;
  await scene.restartBackend();
  await Promise.all(clients.map((client) => client.until(() => client.closes.length > 0 && client.connection.state === 'open', 'the reopen', 30_000)));

  const accepted = scene.proxy.accepted.slice(before);
  expectAccountedFor(await scene.finish(), NOTHING_LOST);
  return {
    scheduledPeak: peakPer(WINDOW_MS, scheduled),
    observedPeak: peakPer(WINDOW_MS, accepted),
    attempts: accepted.length,
    spread: Math.round(Math.max(...accepted) - Math.min(...accepted)),
  };
}

it(`spreads the reconnects of ${CLIENTS} clients dropped by a server restart`, async () => {
  const jittered = await storm(true);
  const lockstep = await storm(false);
  const line = (run: Storm) => `${run.observedPeak} at the proxy (${run.scheduledPeak} as scheduled; ${run.attempts} attempts over ${run.spread} ms)`;
  console.log(`storm: ${CLIENTS} clients, first wait ${TIMING.minReconnectDelay} ms; peak connection attempts per ${WINDOW_MS} ms: ${line(jittered)} with jitter, ${line(lockstep)} without`);
  expect(jittered.attempts).toBeGreaterThanOrEqual(CLIENTS);
  expect(lockstep.attempts).toBeGreaterThanOrEqual(CLIENTS);
  // As scheduled, the lockstep herd is as sharp as the process handled the drops; as observed, it
  // is also capped by how fast the process accepts connections, so the margin is smaller.
  expect(jittered.scheduledPeak).toBeLessThan(lockstep.scheduledPeak / 3);
  expect(jittered.observedPeak).toBeLessThan(lockstep.observedPeak / 2);
}, 80_000);
