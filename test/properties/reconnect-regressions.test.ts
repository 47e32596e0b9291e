/**
 * Counterexamples the reconnect properties found, shrunk, kept as plain tests: each names the
 * property that found it, and fails until the bug it pins is fixed.
 */
import { describe, expect, it } from 'vitest';
import { createConnection, type ConnectionOptions } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

function connect(options: ConnectionOptions) {
  const memory = createMemoryTransport({ pings: true });
  const clock = new SimulatedClock();
  const connection = createConnection('ws://example.test/', { transport: memory.transport, clock, environment: null, ...options });
  return { memory, clock, connection };
}

describe('close() on a connection closing after an error', () => {
  // Found by "counts reconnects in a row up to maxRetries...": open, transport error (the
  // closing handshake starts without close()), close(), the close timeout drops the socket.
  // The machine ignored close() while closing, so the attempt ended as if nobody had called
  // it: the connection gave up for max-retries, or, with retries left, opened a new socket.
  it('ends the connection for good: no reconnect follows', () => {
    const { memory, clock, connection } = connect({ minReconnectDelay: 1, maxReconnectDelay: 1, closeTimeout: 10, heartbeatInterval: 0 });
    memory.socket.accept();
    memory.socket.fail('transport-error', 'simulated');
    expect(connection.state).toBe('closing.handshake');
    void connection.close();
    clock.advance(10); // the peer never completes the handshake: the socket is dropped
    clock.advance(10);
    expect(memory.sockets).toHaveLength(1);
    expect(connection.state).toBe('closed');
  });
});

describe('the reconnect policy', () => {
  // Found by "counts reconnects in a row..." and the conformance property: the machine gave
  // every heartbeat-timeout (and drain- and close-timeout) close one CloseInfo object, shared
  // by all connections, and the shell remembers its policy's answer per CloseInfo, so one
  // connection's `shouldReconnect` answered for the next.
  it("is each connection's own, for closes the machine makes itself", () => {
    const afterHeartbeatTimeout = (shouldReconnect: () => boolean) => {
      const { memory, clock, connection } = connect({ shouldReconnect, heartbeatInterval: 10, heartbeatTimeout: 10 });
      memory.socket.accept();
      clock.advance(20); // a ping, and no pong
      return connection.state;
    };
    expect(afterHeartbeatTimeout(() => true)).toBe('reconnecting');
    expect(afterHeartbeatTimeout(() => false)).toBe('gaveUp');
  });
});

describe('the random option', () => {
  // Found by the conformance property with `random` cycling [0, 0.999...]: the shell drew a
  // number for every timer it started (connect, ping...), not just for reconnect waits, so the
  // waits did not get the values the application's jitter source meant for them.
  it('is drawn once per reconnect wait and for nothing else', () => {
    let draws = 0;
    const random = () => (draws++, 0.5);
    const { memory, clock, connection } = connect({
      random,
      heartbeatInterval: 10,
      heartbeatTimeout: 10,
      minReconnectDelay: 100,
      maxReconnectDelay: 100,
    });
    const delays: number[] = [];
    connection.on('reconnecting', ({ delay }) => delays.push(delay));
    memory.socket.accept();
    clock.advance(15); // connect, stable and ping timers, a ping: no draw
    expect(draws).toBe(0);
    memory.socket.drop();
    expect(draws).toBe(1);
    expect(delays).toEqual([50]);
  });
});
