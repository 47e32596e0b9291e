/**
 * Unit tests of the pure statechart while open with reconnection and heartbeat on: the timers
 * `open` starts, the retry count's reset, pings, pongs, a missing pong, and what the
 * environment's wake and offline do. Pure `transition()`, no actor, no time.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../machines/connection.types.js';
import { RESILIENT, SINGLE_ATTEMPT, dropped, effects, expired, opened, params, runFrom, type Step } from '../support/machine-steps.js';

const run = (...events: Step[]): ReturnType<typeof runFrom> => runFrom(RESILIENT, events);
const pong = (attempt = 1): ConnectionEvent => ({ type: 'socket.pong', attempt });
const wake: ConnectionEvent = { type: 'env.wake', reason: 'online' };
const offline: ConnectionEvent = { type: 'env.offline' };
/** Pings, and gives the pong its time. */
const probe = ['sendPing', 'startTimer'];

describe('open, with reconnection and heartbeat', () => {
  it('starts the stable and ping timers on entry, and neither with both off', () => {
    const { steps } = run(opened());
    expect(effects(steps[1]!)).toEqual(['cancelTimer', 'flushQueue', 'emitOpen', 'startTimer', 'startTimer']);
    expect(params(steps[1]!, 'startTimer')).toEqual([
      { timer: 'stable', attempt: 1, retry: 0 },
      { timer: 'ping', attempt: 1, retry: 0 },
    ]);
    expect(effects(runFrom(SINGLE_ATTEMPT, [opened()]).steps[1]!)).toEqual(['cancelTimer', 'flushQueue', 'emitOpen']);
  });

  it('resets the retry count once the connection has stayed open long enough', () => {
    const reopened = [expired('connect'), expired('retry', 2), opened(2)] as const;
    expect(run(...reopened).snapshot.context.retries).toBe(1);
    const { snapshot, steps } = run(...reopened, expired('stable', 2));
    expect(snapshot.context.retries).toBe(0);
    expect(effects(steps[4]!)).toEqual([]);
  });

  it('pings when the ping timer fires and waits for the pong', () => {
    const { snapshot, steps } = run(opened(), expired('ping'));
    expect(effects(steps[2]!)).toEqual(probe);
    expect(params(steps[2]!, 'startTimer')).toEqual([{ timer: 'pong', attempt: 1, retry: 0 }]);
    expect(snapshot.context.awaitingPong).toBe(true);
  });

  it('takes the pong it waits for, then pings again after the interval; any other pong changes nothing', () => {
    const { snapshot, steps } = run(opened(), pong(), expired('ping'), pong(0), pong(), pong());
    expect(effects(steps[2]!)).toEqual([]); // no ping out
    expect(effects(steps[4]!)).toEqual([]); // from an attempt left behind
    expect(effects(steps[5]!)).toEqual(['cancelTimer', 'startTimer']);
    expect(params(steps[5]!, 'cancelTimer')).toEqual([{ timer: 'pong' }]);
    expect(params(steps[5]!, 'startTimer')).toEqual([{ timer: 'ping', attempt: 1, retry: 0 }]);
    expect(effects(steps[6]!)).toEqual([]);
    expect(snapshot.context.awaitingPong).toBe(false);
  });

  it('drops a socket whose pong did not come, as heartbeat-timeout, and decides what follows like any end', () => {
    const { snapshot, steps } = run(opened(), expired('ping'), expired('pong'));
    expect(snapshot.value).toBe('reconnecting');
    expect(effects(steps[3]!)).toEqual([
      'cancelTimer',
      'cancelTimer',
      'cancelTimer',
      'terminateSocket',
      'reportUnsent',
      'emitClose',
      'startTimer',
      'emitReconnecting',
    ]);
    expect(params(steps[3]!, 'reportUnsent')).toEqual([{ reason: 'connection-lost' }]);
    expect(params(steps[3]!, 'emitClose')).toEqual([
      { closeInfo: { code: 1006, reason: '', wasClean: false, cause: 'heartbeat-timeout' }, willReconnect: true },
    ]);
  });

  it('ignores the ping, pong and stable timers of an attempt left behind', () => {
    // The second attempt is open; its first attempt's timers fire late.
    const reopened = [expired('connect'), expired('retry', 2), opened(2)] as const;
    const { snapshot, steps } = run(...reopened, expired('ping', 1), expired('stable', 1), expired('ping', 2), expired('pong', 1));
    expect(steps.slice(4).map(effects)).toEqual([[], [], probe, []]);
    expect(snapshot).toMatchObject({ value: 'open', context: { attempt: 2, retries: 1 } });
  });

  it('checks the socket at once on a wake or going offline, unless a ping is already out', () => {
    for (const news of [wake, offline]) {
      const { snapshot, steps } = run(opened(), news, wake, offline);
      expect(effects(steps[2]!)).toEqual(['cancelTimer', ...probe]);
      expect(params(steps[2]!, 'cancelTimer')).toEqual([{ timer: 'ping' }]);
      expect(steps.slice(3).map(effects)).toEqual([[], []]);
      expect(snapshot.context.awaitingPong).toBe(true);
    }
  });

  it('starts each new attempt with no ping out: a ping the dropped socket left unanswered does not stop the next from checking', () => {
    const { snapshot, steps } = run(opened(), expired('ping'), dropped(), expired('retry', 2), opened(2), wake);
    expect(effects(steps[6]!)).toEqual(['cancelTimer', ...probe]);
    expect(snapshot).toMatchObject({ value: 'open', context: { attempt: 2, awaitingPong: true } });
  });

  it('ignores wakes and going offline with the heartbeat off', () => {
    const { steps } = runFrom(SINGLE_ATTEMPT, [opened(), wake, offline]);
    expect(steps.slice(2).map(effects)).toEqual([[], []]);
  });
});
