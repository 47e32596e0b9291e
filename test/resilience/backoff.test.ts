/**
 * When the attempts happen, against real sockets: the connection runs on a simulated clock and
 * an injected `random`, the proxy timestamps every connection it accepts on the same clock, and
 * the test moves time exactly by each wait the connection drew. Sockets still fail in real time
 * (the proxy resets them), but no time passes on the clock meanwhile, so the gaps between the
 * proxy's timestamps are the backoff, to the millisecond.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/testing/index.js';
import { ceiling } from '../support/expectations.js';
import { useScene, type Scene } from '../support/scene.js';
import type { TrackedClient } from '../support/tracked-client.js';

const BACKOFF = { minReconnectDelay: 100, maxReconnectDelay: 1_000, reconnectFactor: 2 } as const;
const MIN_STABLE_TIME = 5_000;

const startScene = useScene();

/** A connection on `clock` whose jitter draws are `draws`, in turn, through a proxy timestamping on `clock`. */
async function start(clock: SimulatedClock, draws: readonly number[]): Promise<{ scene: Scene; client: TrackedClient }> {
  let next = 0;
  const scene = await startScene(
    {
      clock,
      random: () => draws[next++ % draws.length]!,
      ...BACKOFF,
      minStableTime: MIN_STABLE_TIME,
      // Off: its timers would share the clock with the waits this test measures.
      heartbeatInterval: 0,
      connectTimeout: 60_000,
    },
    { now: () => clock.now() },
  );
  const client = scene.connect();
  await client.whenOpen();
  return { scene, client };
}

/** Waits for the next reconnect wait, checks it is the only timer running, and lets it elapse. */
async function elapseWait(clock: SimulatedClock, client: TrackedClient): Promise<number> {
  const count = client.reconnects.length + 1;
  await client.until(() => client.reconnects.length === count, `reconnect wait #${count}`);
  const { delay } = client.reconnects[count - 1]!;
  expect(clock.nextDue! - clock.now()).toBe(delay);
  expect(clock.pendingTimers).toBe(1);
  clock.advance(delay);
  return delay;
}

/** Gaps between consecutive timestamps. */
const gaps = (times: readonly number[]) => times.slice(1).map((time, i) => time - times[i]!);

describe('reconnect timing through a proxy, on a simulated clock', () => {
  it('waits a drawn share of a ceiling that doubles up to its cap before each attempt', async () => {
    const clock = new SimulatedClock();
    const draws = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.999, 0];
    const { scene, client } = await start(clock, draws);
    scene.proxy.admit = 'reset';
    const droppedAt = clock.now();
    scene.linkOf(client).drop();
    for (let retry = 1; retry <= draws.length; retry++) await elapseWait(clock, client);
    await client.until(() => client.closes.length === draws.length + 1, 'the last reset attempt');

    // Ceilings 100, 200, 400, 800, then the 1000 cap; each wait is floor(draw × ceiling).
    const expected = [50, 100, 200, 400, 500, 500, 999, 0];
    expect(draws.map((draw, i) => Math.floor(draw * ceiling(i + 1, BACKOFF)))).toEqual(expected);
    const waited = client.reconnects.slice(0, draws.length);
    expect(waited.map((r) => r.delay)).toEqual(expected);
    expect(waited.map((r) => r.retry)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(gaps([droppedAt, ...scene.proxy.accepted.slice(1)])).toEqual(expected);
  });

  it('starts the backoff over only once a connection has stayed open for minStableTime', async () => {
    const clock = new SimulatedClock();
    const { scene, client } = await start(clock, [0.5]);
    const dropAndReopen = async (openFor: number): Promise<void> => {
      clock.advance(openFor);
      const droppedAt = clock.now();
      scene.linkOf(client).drop();
      await elapseWait(clock, client);
      await client.whenOpen();
      expect(scene.proxy.accepted.at(-1)! - droppedAt).toBe(client.reconnects.at(-1)!.delay);
    };
    await dropAndReopen(0);
    // Not stable yet: the next drop counts as the second reconnect in a row, with a doubled ceiling.
    await dropAndReopen(MIN_STABLE_TIME - 1);
    await dropAndReopen(MIN_STABLE_TIME - 1);
    // Stable: the count starts over.
    await dropAndReopen(MIN_STABLE_TIME);
    expect(client.reconnects.map((r) => r.retry)).toEqual([1, 2, 3, 1]);
    expect(client.reconnects.map((r) => r.delay)).toEqual([50, 100, 200, 50]);
  });
});
