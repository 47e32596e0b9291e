/**
 * The invariants about attempts and the end of life that the memory properties hold the
 * connection to, one per property: what each attempt reports, one live socket at a time, no
 * socket after `close()`, the retry count and the backoff, and nothing left once it ended.
 */
import { expect } from 'vitest';
import type { CloseEventInfo, ConnectionEventMap } from '../../src/index.js';
import { checkAttempts, closeInfoOf, endsConnection, events, fail } from './log-rules.js';
import { isRetryableUnder, waitCeiling } from './world-config.js';
import type { Invariant, MemoryWorld } from './world.js';

/**
 * 2. Per attempt: each socket yields at most one error and, once it ended, exactly one close;
 * a close that says a reconnect follows is followed by `reconnecting`; the last close says
 * none follows iff the connection ended with it, and otherwise `close()` ended the wait for
 * a reconnect. `closed` settles once the connection ended, after its last close, with it.
 */
export const perAttempt: Invariant = {
  step: (world) => checkLifetime(world, false),
  final: (world) => checkLifetime(world, true),
};

function checkLifetime(world: MemoryWorld, final: boolean): void {
  const summary = checkAttempts(events(world));
  const state = world.connection.state;
  const waiting = state === 'reconnecting' || (world.ended && summary.lastClose?.willReconnect === true);
  const sockets = world.memory.sockets.length;
  if (sockets !== (waiting ? summary.attempt - 1 : summary.attempt))
    fail(`${sockets} sockets opened by attempt ${summary.attempt}${waiting ? ', waiting for its socket' : ''}`);
  if (summary.closes > sockets) fail(`${summary.closes} close events for ${sockets} sockets`);
  const settled = world.timeline.findIndex((entry) => entry.kind === 'settled');
  if (settled >= 0 && !world.timeline.slice(0, settled).some((entry) => entry.kind === 'event' && endsConnection(entry))) {
    fail('closed settled before the connection ended');
  }
  if (!final) return;
  if (!world.ended) fail(`the connection ended in ${state}`);
  if (summary.closes !== sockets) fail(`${summary.closes} close events for ${sockets} sockets`);
  if (state === 'gaveUp' && !summary.gaveUp) fail('the connection gave up without a giveup event');
  if (state === 'closed' && summary.gaveUp) fail('a giveup event, yet the connection is closed, not given up');
  if (summary.lastClose?.willReconnect && !world.timeline.some((entry) => entry.kind === 'closeCalled')) {
    fail('the last close said a reconnect follows, yet the connection ended without close()');
  }
  const all = world.timeline.filter((entry) => entry.kind === 'settled');
  if (all.length !== 1) fail(`closed settled ${all.length} times`);
  expect(all[0]!.info, 'closed settles with the last close').toEqual(closeInfoOf(summary.lastClose!));
}

/** Whether a socket is neither closed nor terminated. */
function isLive(phase: MemoryWorld['socket']['phase']): boolean {
  return phase !== 'closed' && phase !== 'terminated';
}

/**
 * 6. Once the connection is closed or gave up: no timer pending, no socket live, no listener
 * left on the environment or the abort signal; at the end, nothing buffered either, and
 * whatever the transports, the device or the clock do then, nothing more is heard or done.
 */
export const nothingLeftBehind: Invariant = {
  step(world) {
    if (!world.ended) return;
    const { clock, environment, signal } = world;
    if (clock.pendingTimers !== 0) fail(`${clock.pendingTimers} timers still pending once ${world.connection.state}`);
    if (world.liveSockets() !== 0) fail(`a socket is still live once ${world.connection.state}`);
    if (environment.listenerCount + signal.listenerCount !== 0) {
      fail(
        `${environment.listenerCount} environment and ${signal.listenerCount} abort-signal listeners left once ${world.connection.state}`,
      );
    }
  },
  async final(world) {
    const { connection, clock, memory } = world;
    if (!world.ended) fail(`the connection ended in ${connection.state}`);
    nothingLeftBehind.step(world);
    for (const [i, socket] of memory.sockets.entries()) if (isLive(socket.phase)) fail(`socket ${i + 1} is still ${socket.phase}`);
    if (connection.bufferedAmount !== 0 || connection.queuedMessages !== 0)
      fail(`${connection.bufferedAmount} bytes still buffered once ended`);
    await connection.closed;

    // Whatever the transports, the device or the clock do now (even reports a transport must
    // not make after terminate()), the connection stays as it is, silent, and touches nothing.
    const state = connection.state;
    const heard = world.timeline.length;
    const calls = world.calls.length;
    for (const handlers of world.held.shellHandlers) {
      handlers.open('late', '');
      handlers.message('late');
      handlers.pong();
      handlers.error({ cause: 'transport-error', message: 'late' });
      handlers.close(1000, 'late', true);
    }
    for (const callback of world.held.drainCallbacks) callback();
    for (const type of ['online', 'offline', 'visibilitychange']) world.environment.dispatchEvent(new Event(type));
    world.signal.abort();
    clock.advance(2 ** 31);
    await new Promise((resolve) => setImmediate(resolve));
    const late = world.timeline.slice(heard).map((entry) => (entry.kind === 'event' ? entry.type : entry.kind));
    if (late.length > 0) fail(`once ended, stray reports still produced ${late.join(', ')}`);
    if (world.calls.length !== calls)
      fail(
        `once ended, the connection still called its transport: ${world.calls
          .slice(calls)
          .map((c) => c.kind)
          .join(', ')}`,
      );
    if (connection.state !== state || clock.pendingTimers !== 0) fail('a stray report revived the connection');
  },
};

/** 9. No two sockets of the connection are ever live at once: each opens only once the last is closed or terminated. */
export const oneLiveSocket: Invariant = {
  step(world) {
    const live = world.liveSockets();
    if (live > 1) fail(`${live} sockets live at once`);
    for (const entry of world.timeline) {
      if (entry.kind === 'call' && entry.call.kind === 'open' && entry.live > 0)
        fail(`socket ${entry.socket + 1} opened while ${entry.live} other was live`);
    }
  },
};

/** 10. No socket is opened once `close()` was called (or the signal aborted), nor once the connection ended. */
export const neverAfterClose: Invariant = {
  step(world) {
    let why: string | undefined;
    for (const entry of world.timeline) {
      if (entry.kind === 'closeCalled') why ??= `close() at ${entry.at} ms`;
      if (entry.kind === 'event' && endsConnection(entry)) why ??= `the connection ended (${entry.type})`;
      if (entry.kind === 'call' && entry.call.kind === 'open' && why !== undefined)
        fail(`socket ${entry.socket + 1} opened at ${entry.at} ms, after ${why}`);
    }
  },
};

/** Whether an attempt stayed open `minStableTime`: certainly, certainly not, or at the very ms (either may come first). */
type Stability = 'stable' | 'unstable' | 'either';

/**
 * 11. Retry accounting. Each reconnect is announced with how many in a row it is: 1 after an
 * attempt that stayed open `minStableTime`, one more than the last otherwise, never more than
 * `maxRetries`; the wait is within [0, ceiling] of the backoff formula (the ceiling itself
 * without jitter, a whole number of ms below it with), and the next socket opens when it is
 * over; when the network came back or the page was shown during it, it opens instead within
 * a fresh wait below `minReconnectDelay` from that first wake (exactly it without jitter),
 * however long or short the old wait had left. A reconnect follows
 * only a close the policy retries; a give-up is for `max-retries` exactly when the retries ran
 * out, else for a close the policy rules final; and a connection that reconnects never just
 * stops: its last close is followed by `giveup` unless `close()` ended it.
 */
export const retryAccounting: Invariant = {
  step(world) {
    const { config } = world;
    const EPSILON = 1e-9;
    let retries = 0; // reconnects in a row, as far as the log shows
    let stability: Stability = 'unstable'; // of the current attempt
    let openedAt: number | undefined;
    let wait: { at: number; delay: number; woken: boolean } | undefined;
    let closeCalled = false;
    let lastClose: CloseEventInfo | undefined;
    const inARow = (): number[] => (stability === 'stable' ? [0] : stability === 'unstable' ? [retries] : [0, retries]);
    for (const entry of world.timeline) {
      if (entry.kind === 'closeCalled') closeCalled = true;
      // The first wake of a wait replaces what is left of it with a fresh draw below the first
      // ceiling; later wakes of the same wait change nothing.
      if (entry.kind === 'device' && wait !== undefined && !wait.woken && (entry.move === 'online' || entry.move === 'visible')) {
        wait = { at: entry.at, delay: waitCeiling(config, 1), woken: true };
      }
      if (entry.kind === 'call' && entry.call.kind === 'open' && wait !== undefined) {
        const waited = entry.at - wait.at;
        const what = wait.woken ? `the ${wait.delay} ms ceiling of a wait redrawn by a wake` : `a ${wait.delay} ms reconnect wait`;
        if (waited > wait.delay + EPSILON) fail(`socket ${entry.socket + 1} opened ${waited} ms into ${what}`);
        // Without jitter every wait is its ceiling; with it, a draw is below it (or 0).
        if (!config.reconnectJitter && wait.woken && Math.abs(waited - wait.delay) > EPSILON)
          fail(`socket ${entry.socket + 1} opened ${waited} ms after a wake, not minReconnectDelay (no jitter)`);
        if (config.reconnectJitter && wait.woken && waited >= wait.delay - EPSILON && wait.delay > 0)
          fail(`socket ${entry.socket + 1} opened ${waited} ms after a wake: not below minReconnectDelay (${wait.delay})`);
        if (!wait.woken && waited < wait.delay - EPSILON)
          fail(`socket ${entry.socket + 1} opened ${waited} ms into a ${wait.delay} ms reconnect wait, with no wake in between`);
        wait = undefined;
      }
      if (entry.kind !== 'event') continue;
      // The attempt left `open` at the first state change after it, or at its close, which the
      // shell reports before the state change when the attempt ended straight from `open`.
      const stateNow = entry.type === 'state' ? (entry.payload as ConnectionEventMap['state']).state : undefined;
      if (openedAt !== undefined && (entry.type === 'close' || (stateNow !== undefined && stateNow !== 'open'))) {
        const open = entry.at - openedAt;
        stability = open > config.minStableTime ? 'stable' : open < config.minStableTime ? 'unstable' : 'either';
        openedAt = undefined;
      }
      if (stateNow === 'open') openedAt = entry.at;
      else if (entry.type === 'close') {
        lastClose = entry.payload as CloseEventInfo;
        if (lastClose.willReconnect) {
          if (!config.reconnect || closeCalled)
            fail(`a close said a reconnect follows, though ${config.reconnect ? 'close() was called' : 'reconnect is off'}`);
          if (!isRetryableUnder(config.policy, lastClose))
            fail(`a close the ${config.policy} policy rules final (${lastClose.code} ${lastClose.cause}) said a reconnect follows`);
        }
      } else if (entry.type === 'reconnecting') {
        const { retry, delay } = entry.payload as ConnectionEventMap['reconnecting'];
        const expected = inARow().map((count) => count + 1);
        if (!expected.includes(retry)) fail(`reconnect announced as retry ${retry}; the log says ${expected.join(' or ')} in a row`);
        if (retry > config.maxRetries) fail(`retry ${retry} with maxRetries ${config.maxRetries}`);
        const ceiling = waitCeiling(config, retry);
        if (!(delay >= 0 && delay <= ceiling)) fail(`waits ${delay} ms before retry ${retry}, outside [0, ${ceiling}]`);
        if (!config.reconnectJitter && delay !== ceiling)
          fail(`waits ${delay} ms before retry ${retry}; without jitter the wait is the ceiling, ${ceiling}`);
        if (config.reconnectJitter && (!Number.isInteger(delay) || (delay >= ceiling && delay !== 0)))
          fail(`waits ${delay} ms before retry ${retry}: not a whole number of ms below ${ceiling}`);
        retries = retry;
        stability = 'unstable';
        wait = { at: entry.at, delay, woken: false };
      } else if (entry.type === 'giveup') {
        const { reason, close } = entry.payload as ConnectionEventMap['giveup'];
        if (closeCalled || !config.reconnect)
          fail(`gave up (${reason}), though ${closeCalled ? 'close() was called' : 'reconnect is off'}`);
        const retryable = isRetryableUnder(config.policy, close);
        if (reason === 'not-retryable' && retryable)
          fail(`gave up as not retryable after a close the ${config.policy} policy retries (${close.code} ${close.cause})`);
        if (reason === 'max-retries' && (!retryable || !inARow().includes(config.maxRetries))) {
          fail(
            `gave up for max-retries after ${inARow().join(' or ')} reconnects in a row (maxRetries ${config.maxRetries}) and a ${retryable ? 'retryable' : 'final'} close`,
          );
        }
      }
    }
    // A connection that reconnects ends only by close() or by giving up.
    if (
      world.ended &&
      config.reconnect &&
      !closeCalled &&
      lastClose !== undefined &&
      !lastClose.willReconnect &&
      world.connection.state !== 'gaveUp'
    ) {
      fail(`the connection closed for good after ${lastClose.code} ${lastClose.cause} without close() and without giving up`);
    }
  },
};
