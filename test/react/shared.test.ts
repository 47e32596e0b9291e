/**
 * The connections `useConnection` shares, without React, in Node on a simulated clock and the
 * in-memory transport: one per key, closed RELEASE_DELAY after the last user lets go (or after
 * being taken by a render nobody committed), kept by a user who comes back in time, and replaced
 * once over. And the key: options compared by value, functions and objects by identity.
 */
import { describe, expect, it } from 'vitest';
import { createConnection, type Connection, type ConnectionOptions } from '../../src/index.js';
import { sharingKey } from '../../src/react/key.js';
import { holdShared, RELEASE_DELAY, shareConnection } from '../../src/react/shared.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

let keys = 0;

function setup() {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const key = `key-${keys++}`;
  const made: Connection[] = [];
  const take = () =>
    shareConnection(key, () => {
      const connection = createConnection('wss://chat.test/', { transport: memory.transport, clock });
      made.push(connection);
      return connection;
    });
  return { memory, clock, take, made };
}

describe('shared connections', () => {
  it('makes one connection per key, however many take it', () => {
    const { take, made } = setup();
    expect(take()).toBe(take());
    expect(made).toHaveLength(1);
  });

  it('closes a connection taken and never used, RELEASE_DELAY later (a render React threw away)', () => {
    const { memory, clock, take } = setup();
    const { connection } = take();
    memory.socket.accept();
    clock.advance(RELEASE_DELAY - 1);
    expect(connection.state).toBe('open');
    clock.advance(1);
    expect(connection.state).toBe('closing.draining');
  });

  it('keeps the connection while anyone uses it, and through a return within RELEASE_DELAY', () => {
    const { memory, clock, take, made } = setup();
    const shared = take();
    memory.socket.accept();
    const first = holdShared(shared);
    const second = holdShared(shared);
    first();
    first(); // a second call does nothing
    clock.advance(RELEASE_DELAY * 5);
    expect(shared.connection.state).toBe('open');
    second();
    clock.advance(RELEASE_DELAY - 1);
    const back = holdShared(take()); // a remount: the same connection, its release called off
    clock.advance(RELEASE_DELAY * 5);
    expect(shared.connection.state).toBe('open');
    expect(made).toHaveLength(1);
    back();
    clock.advance(RELEASE_DELAY);
    expect(shared.connection.state).toBe('closing.draining');
  });

  it('closes with 1000 once released, and gives whoever asks next a new connection', async () => {
    const { memory, clock, take, made } = setup();
    const shared = take();
    memory.socket.accept();
    holdShared(shared)();
    clock.advance(RELEASE_DELAY);
    memory.socket.flush();
    await Promise.resolve(); // the drain report is a microtask
    expect(memory.socket.closeRequest).toMatchObject({ code: 1000 });
    memory.socket.completeClose();
    await shared.connection.closed;
    expect(take()).not.toBe(shared);
    expect(made).toHaveLength(2);
  });
});

describe('shared connections, their timers', () => {
  it('keeps one release timer pending while nobody uses the connection, and none while anyone does', () => {
    const { memory, clock, take } = setup();
    const shared = take();
    memory.socket.accept();
    const pending = clock.pendingTimers; // the release, beside the connection's own timers
    const first = holdShared(shared);
    expect(clock.pendingTimers).toBe(pending - 1);
    const second = holdShared(shared);
    first();
    expect(clock.pendingTimers).toBe(pending - 1); // one user left: no release yet
    second();
    expect(clock.pendingTimers).toBe(pending);
  });

  it('forgets a connection that ended on its own, and a stale release leaves its successor alone', async () => {
    const { memory, clock, take, made } = setup();
    const shared = take();
    memory.socket.accept();
    const closing = shared.connection.close();
    memory.socket.completeClose();
    await closing;
    await Promise.resolve(); // the shared table hears of the end a microtask later
    const next = take(); // the old release is still pending
    expect(next).not.toBe(shared);
    const using = holdShared(next);
    clock.advance(RELEASE_DELAY); // the old connection's release fires
    expect(take()).toBe(next);
    expect(made).toHaveLength(2);
    using();
  });
});

describe('the sharing key', () => {
  it('compares the URL and plain options by value, in any key order', () => {
    const options: ConnectionOptions = { reconnect: false, protocols: ['json'], headers: { a: '1', b: '2' } };
    expect(sharingKey('wss://chat.test/', options)).toBe(
      sharingKey(new URL('wss://chat.test/'), { headers: { b: '2', a: '1' }, protocols: ['json'], reconnect: false }),
    );
    expect(sharingKey('wss://chat.test/', {})).toBe(sharingKey('wss://chat.test/', undefined));
    expect(sharingKey('wss://chat.test/', { reconnect: false })).not.toBe(sharingKey('wss://chat.test/', { reconnect: true }));
    expect(sharingKey('wss://chat.test/a', {})).not.toBe(sharingKey('wss://chat.test/b', {}));
  });

  it('compares functions and other objects by identity', () => {
    const clock = new SimulatedClock();
    const url = () => 'wss://chat.test/';
    expect(sharingKey(url, { clock })).toBe(sharingKey(url, { clock }));
    expect(sharingKey(url, { clock })).not.toBe(sharingKey(url, { clock: new SimulatedClock() }));
    expect(sharingKey(url, {})).not.toBe(sharingKey(() => 'wss://chat.test/', {}));
    expect(sharingKey('wss://chat.test/', { shouldReconnect: () => true })).not.toBe(
      sharingKey('wss://chat.test/', { shouldReconnect: () => true }),
    );
  });

  it('tells primitives of different types apart, leaves out undefined fields, and takes any value without throwing', () => {
    const key = (options: Record<string, unknown>) => sharingKey('wss://chat.test/', options);
    expect(key({ maxRetries: 5 })).not.toBe(key({ maxRetries: '5' }));
    expect(key({ reconnect: true })).not.toBe(key({ reconnect: 'true' }));
    expect(key({ reconnect: null })).not.toBe(key({ reconnect: 'null' }));
    expect(key({ reconnect: undefined })).toBe(key({}));
    expect(key({ protocols: [undefined] })).toBe(key({ protocols: [null] }));
    expect(key({ id: 1n })).toBe(key({ id: 1n }));
    expect(key({ id: 1n })).not.toBe(key({ id: 2n }));
    expect(key({ id: 1n })).not.toBe(key({ id: '1' }));
    expect(key({ id: Symbol.for('a') })).not.toBe(key({ id: Symbol.for('b') }));
  });
});
