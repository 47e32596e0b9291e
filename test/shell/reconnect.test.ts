/**
 * Reconnection on the in-memory transport and a simulated clock: the backoff's waits and when
 * each new attempt starts, what is reported per attempt and what only once, and `maxRetries`
 * with its reset after a stable connection. The policy, the queue, `url()`, stopping and
 * `ManagedWebSocket` have their own `reconnect.*.test.ts` files.
 */
import { describe, expect, it } from 'vitest';
import { memoryWorld } from '../support/memory-world.js';

/** A `random` that returns `values` in turn, and counts its calls. */
function randomFrom(values: readonly number[]) {
  let calls = 0;
  const random = () => values[calls++ % values.length]!;
  return { random, calls: () => calls };
}

describe('backoff', () => {
  it('waits floor(random() * min(max, min * factor^(n-1))) before the n-th reconnect, and starts each attempt exactly then', () => {
    const draws = randomFrom([0.5, 0.25, 0.9, 0.999, 0.1]);
    const world = memoryWorld({ random: draws.random, minReconnectDelay: 1000, maxReconnectDelay: 5000, reconnectFactor: 2 });
    // Ceilings 1000, 2000, 4000, then capped at 5000.
    const expected = [500, 500, 3600, 4995, 500];
    let now = 0;
    for (const [index, delay] of expected.entries()) {
      world.socket.refuse();
      expect(world.lastReconnect).toEqual({ attempt: index + 2, retry: index + 1, delay });
      world.clock.advance(delay - 1);
      expect(world.sockets).toHaveLength(index + 1); // not a millisecond early
      world.clock.advance(1);
      now += delay;
      expect(world.sockets).toHaveLength(index + 2);
    }
    expect(world.createdAt).toEqual([0, 500, 1000, 4600, 9595, 10095]);
    expect(now).toBe(10095);
    expect(draws.calls()).toBe(expected.length); // one draw per wait, none for anything else
  });

  it('waits the ceilings themselves with reconnectJitter: false, and never calls random', () => {
    const draws = randomFrom([0.5]);
    const world = memoryWorld({
      random: draws.random,
      reconnectJitter: false,
      minReconnectDelay: 100,
      maxReconnectDelay: 1000,
      reconnectFactor: 3,
    });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      world.socket.refuse();
      delays.push(world.lastReconnect!.delay);
      world.retry();
    }
    expect(delays).toEqual([100, 300, 900, 1000, 1000]);
    expect(world.createdAt).toEqual([0, 100, 400, 1300, 2300, 3300]);
    expect(draws.calls()).toBe(0);
  });

  it('counts a failed open connection as a reconnect too: the wait after a drop grows the same way', () => {
    const world = memoryWorld({ reconnectJitter: false, minReconnectDelay: 1000 });
    world.socket.accept();
    world.socket.drop();
    expect(world.lastReconnect).toEqual({ attempt: 2, retry: 1, delay: 1000 });
    world.retry().accept();
    world.socket.drop(); // before minStableTime: still in a row
    expect(world.lastReconnect).toEqual({ attempt: 3, retry: 2, delay: 2000 });
  });
});

describe('per attempt and once', () => {
  it('ends every attempt with exactly one close, willReconnect until the last, and settles closed only at the end', async () => {
    const world = memoryWorld({ maxRetries: 2, reconnectJitter: false, minReconnectDelay: 1000 });
    world.socket.refuse();
    expect(world.log).toEqual([
      'state connecting',
      'error refused',
      'close 1006 refused unclean (will reconnect)',
      'reconnecting attempt 2 retry 1 in 1000ms',
      'state reconnecting',
    ]);
    expect(await world.isSettled()).toBe(false);

    world.retry().accept();
    world.socket.completeClose(1012, 'restarting');
    expect(world.log.slice(5)).toEqual([
      'state connecting',
      'open',
      'state open',
      'close 1012 "restarting" normal clean (will reconnect)',
      'reconnecting attempt 3 retry 2 in 2000ms',
      'state reconnecting',
    ]);
    expect(await world.isSettled()).toBe(false);

    world.retry().refuse();
    expect(world.log.slice(11)).toEqual([
      'state connecting',
      'error refused',
      'close 1006 refused unclean',
      'giveup max-retries after 1006 refused unclean',
      'state gaveUp',
    ]);
    expect(world.log.filter((line) => line.startsWith('close'))).toHaveLength(3);
    expect(await world.isSettled()).toBe(true);
    await expect(world.connection.closed).resolves.toEqual({ code: 1006, reason: '', wasClean: false, cause: 'refused' });
  });

  it('reads readyState 0 and state reconnecting during the wait, from the close listener on', () => {
    const world = memoryWorld();
    const seen: string[] = [];
    world.connection.on('close', () => seen.push(`close ${world.connection.state} ${world.connection.readyState}`));
    world.connection.on('reconnecting', () => seen.push(`reconnecting ${world.connection.state} ${world.connection.readyState}`));
    world.socket.accept();
    world.socket.drop();
    expect(seen).toEqual(['close reconnecting 0', 'reconnecting reconnecting 0']);
    expect({ state: world.connection.state, readyState: world.connection.readyState }).toEqual({ state: 'reconnecting', readyState: 0 });
    world.clock.advance(world.lastReconnect!.delay - 1);
    expect(world.connection.state).toBe('reconnecting');
  });
});

describe('maxRetries', () => {
  it('gives up after exactly maxRetries reconnects in a row, then rejects sends as closed', async () => {
    const world = memoryWorld({ maxRetries: 3 });
    world.socket.refuse();
    for (let i = 0; i < 3; i++) world.retry().refuse();
    expect(world.sockets).toHaveLength(4); // the first attempt and 3 reconnects
    expect(world.log.filter((line) => line.startsWith('reconnecting'))).toHaveLength(3);
    expect(world.log.slice(-3)).toEqual(['close 1006 refused unclean', 'giveup max-retries after 1006 refused unclean', 'state gaveUp']);
    expect({ state: world.connection.state, readyState: world.connection.readyState }).toEqual({ state: 'gaveUp', readyState: 3 });
    expect(world.connection.send('late')).toBe(false);
    expect(world.log.at(-1)).toBe('undelivered late closed');
    expect(world.clock.pendingTimers).toBe(0);
    world.clock.advance(3_600_000);
    expect(world.sockets).toHaveLength(4);
    await expect(world.connection.closed).resolves.toMatchObject({ cause: 'refused' });
  });

  it('gives up at once with maxRetries 0, on the first retryable close', () => {
    const world = memoryWorld({ maxRetries: 0 });
    world.socket.accept();
    world.socket.drop();
    expect(world.log.slice(-3)).toEqual([
      'close 1006 connection-lost unclean',
      'giveup max-retries after 1006 connection-lost unclean',
      'state gaveUp',
    ]);
  });

  it('still meets the limit when the server accepts and at once drops every connection', () => {
    const world = memoryWorld({ maxRetries: 2, minStableTime: 5000 });
    world.socket.accept();
    world.socket.drop();
    for (let i = 0; i < 2; i++) {
      world.retry().accept();
      world.clock.advance(4999); // open, but not for minStableTime
      world.socket.drop();
    }
    expect(world.sockets).toHaveLength(3);
    expect(world.log.slice(-2)).toEqual(['giveup max-retries after 1006 connection-lost unclean', 'state gaveUp']);
  });

  it('starts the count again once a connection has stayed open minStableTime', () => {
    const world = memoryWorld({ maxRetries: 2, minStableTime: 5000, reconnectJitter: false, minReconnectDelay: 1000 });
    world.socket.refuse();
    world.retry().refuse();
    expect(world.lastReconnect).toMatchObject({ retry: 2, delay: 2000 });
    world.retry().accept();
    world.clock.advance(5000);
    world.socket.drop();
    // A fresh count: the first reconnect of a new row, with the first ceiling.
    expect(world.lastReconnect).toEqual({ attempt: 4, retry: 1, delay: 1000 });
    expect(world.connection.state).toBe('reconnecting');
    world.retry().refuse();
    world.retry().refuse();
    expect(world.log.slice(-2)).toEqual(['giveup max-retries after 1006 refused unclean', 'state gaveUp']);
  });
});

describe('timers', () => {
  it('leaves none once the connection has given up or closed, whatever was pending', async () => {
    const gaveUp = memoryWorld({ maxRetries: 1 });
    gaveUp.socket.refuse();
    gaveUp.retry().accept();
    gaveUp.socket.completeClose(1008, 'policy');
    expect(gaveUp.connection.state).toBe('gaveUp');
    expect(gaveUp.clock.pendingTimers).toBe(0);

    const closedWhileWaiting = memoryWorld();
    closedWhileWaiting.socket.refuse();
    expect(closedWhileWaiting.clock.pendingTimers).toBe(1); // the retry timer
    await closedWhileWaiting.connection.close();
    expect(closedWhileWaiting.clock.pendingTimers).toBe(0);
  });
});
