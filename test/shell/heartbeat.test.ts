/**
 * The heartbeat on the in-memory transport and a simulated clock: protocol pings (as `ws` sends
 * them), the application-level `pingMessage` for transports without them, the dead socket a
 * missing pong reveals, and a ping timer that fires far too late because the device slept.
 */
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, liveWorld, RECONNECT_DELAY } from '../support/memory-world.js';

describe('protocol heartbeat', () => {
  it('pings heartbeatInterval after open, and again heartbeatInterval after each pong', () => {
    const { connection, memory, clock, log } = liveWorld();
    clock.advance(HEARTBEAT_INTERVAL - 1);
    expect(memory.socket.pings).toBe(0);
    clock.advance(1);
    expect(memory.socket.pings).toBe(1);
    clock.advance(HEARTBEAT_TIMEOUT - 1);
    memory.socket.pong();
    // The interval starts again from the pong, not from the ping.
    clock.advance(HEARTBEAT_INTERVAL - 1);
    expect(memory.socket.pings).toBe(1);
    clock.advance(1);
    expect(memory.socket.pings).toBe(2);
    for (let round = 0; round < 3; round++) {
      memory.socket.pong();
      clock.advance(HEARTBEAT_INTERVAL);
    }
    expect(memory.socket.pings).toBe(5);
    expect(connection.state).toBe('open');
    expect(log).toEqual(['open']);
  });

  it('drops a socket whose pong does not come within heartbeatTimeout, reports its unsent data, and reconnects', () => {
    const { connection, memory, clock, log } = liveWorld();
    const dead = memory.socket;
    connection.send('never written');
    clock.advance(HEARTBEAT_INTERVAL + HEARTBEAT_TIMEOUT - 1);
    expect(dead.phase).toBe('open');
    clock.advance(1);
    expect(dead.phase).toBe('terminated');
    expect(log).toEqual([
      'open',
      'undelivered never written connection-lost',
      'close 1006 heartbeat-timeout unclean (will reconnect)',
      'reconnecting attempt 2 retry 1 in 100ms',
    ]);
    clock.advance(RECONNECT_DELAY);
    expect(memory.sockets).toHaveLength(2);
    memory.socket.accept();
    expect(connection.state).toBe('open');
  });

  it('ignores a pong that arrives with no ping out', () => {
    const { memory, clock, log } = liveWorld();
    clock.advance(HEARTBEAT_INTERVAL / 2);
    memory.socket.pong();
    clock.advance(HEARTBEAT_INTERVAL / 2);
    expect(memory.socket.pings).toBe(1); // the unasked-for pong did not restart the interval
    clock.advance(HEARTBEAT_TIMEOUT);
    expect(log).toEqual(['open', 'close 1006 heartbeat-timeout unclean (will reconnect)', 'reconnecting attempt 2 retry 1 in 100ms']);
  });

  it('ignores a pong reported for an attempt left behind', () => {
    const { memory, clock, log, handlers } = liveWorld();
    clock.advance(HEARTBEAT_INTERVAL + HEARTBEAT_TIMEOUT + RECONNECT_DELAY);
    memory.socket.accept();
    clock.advance(HEARTBEAT_INTERVAL);
    expect(memory.socket.pings).toBe(1);
    handlers[0]!.pong(); // the first socket's late answer cannot vouch for the second
    clock.advance(HEARTBEAT_TIMEOUT);
    expect(memory.sockets[1]!.phase).toBe('terminated');
    expect(log).toEqual([
      'open',
      'close 1006 heartbeat-timeout unclean (will reconnect)',
      'reconnecting attempt 2 retry 1 in 100ms',
      'open',
      'close 1006 heartbeat-timeout unclean (will reconnect)',
      'reconnecting attempt 3 retry 2 in 200ms',
    ]);
  });

  it('runs no heartbeat timer when heartbeatInterval is 0', () => {
    const { memory, clock, connection } = liveWorld({ heartbeatInterval: 0, reconnect: false });
    expect(clock.pendingTimers).toBe(0);
    clock.advance(HEARTBEAT_INTERVAL * 100);
    expect(memory.socket.pings).toBe(0);
    expect(connection.state).toBe('open');
  });

  it('runs no heartbeat on a transport without pings when no pingMessage is given', () => {
    const { memory, clock, connection } = liveWorld({ reconnect: false }, { pings: false });
    expect(clock.pendingTimers).toBe(0);
    clock.advance(HEARTBEAT_INTERVAL * 100);
    memory.socket.flush();
    expect(memory.socket.written).toEqual([]);
    expect(connection.state).toBe('open');
  });
});

describe('application-level ping (pingMessage)', () => {
  const PING = '{"type":"ping"}';

  it('writes pingMessage to the socket and takes the next inbound message as its pong', () => {
    const { connection, memory, clock, log } = liveWorld({ pingMessage: PING }, { pings: false });
    clock.advance(HEARTBEAT_INTERVAL);
    memory.socket.flush();
    expect(memory.socket.written.map(({ data }) => data)).toEqual([PING]);
    expect(memory.socket.pings).toBe(0);
    memory.socket.deliver('anything at all');
    clock.advance(HEARTBEAT_INTERVAL + HEARTBEAT_TIMEOUT - 1);
    memory.socket.flush();
    expect(memory.socket.written.map(({ data }) => data)).toEqual([PING, PING]);
    memory.socket.deliver('{"type":"pong"}');
    clock.advance(HEARTBEAT_INTERVAL - 1);
    expect(connection.state).toBe('open');
    // The pong is still a message: the application sees it.
    expect(log).toEqual(['open', 'message anything at all', 'message {"type":"pong"}']);
  });

  it('takes only a message after a ping for a pong: one before it, or on a new attempt before its first ping, is not', () => {
    const { memory, clock, machineEvents } = liveWorld({ pingMessage: PING }, { pings: false });
    memory.socket.deliver('before any ping');
    clock.advance(HEARTBEAT_INTERVAL); // ping 1
    memory.socket.deliver('pong 1');
    memory.socket.deliver('after the pong');
    clock.advance(HEARTBEAT_INTERVAL); // ping 2, unanswered: the socket is dropped
    clock.advance(HEARTBEAT_TIMEOUT);
    clock.advance(RECONNECT_DELAY);
    memory.socket.accept();
    memory.socket.deliver('first on attempt 2');
    expect(machineEvents).toEqual(['timer.ping', 'socket.pong', 'timer.ping', 'timer.pong']);
  });

  it('drops the socket when nothing arrives within heartbeatTimeout of the ping message', () => {
    const { memory, clock, log } = liveWorld({ pingMessage: PING }, { pings: false });
    clock.advance(HEARTBEAT_INTERVAL);
    memory.socket.flush();
    clock.advance(HEARTBEAT_TIMEOUT);
    expect(memory.socket.phase).toBe('terminated');
    expect(log).toEqual(['open', 'close 1006 heartbeat-timeout unclean (will reconnect)', 'reconnecting attempt 2 retry 1 in 100ms']);
  });

  it('does not report a ping message the dead socket never wrote out as undelivered', () => {
    const { connection, memory, clock, log } = liveWorld({ pingMessage: PING }, { pings: false });
    connection.send('user data');
    clock.advance(HEARTBEAT_INTERVAL + HEARTBEAT_TIMEOUT); // nothing flushed: the ping is stuck behind it
    expect(memory.sockets[0]!.phase).toBe('terminated');
    expect(log).toEqual([
      'open',
      'undelivered user data connection-lost',
      'close 1006 heartbeat-timeout unclean (will reconnect)',
      'reconnecting attempt 2 retry 1 in 100ms',
    ]);
  });
});

describe('wake from sleep', () => {
  it('probes at once when the ping timer fires far too late, and drops the socket if no pong follows', () => {
    const { memory, clock, log, machineEvents } = liveWorld();
    clock.advance(HEARTBEAT_INTERVAL - 1);
    clock.sleep(HEARTBEAT_INTERVAL * 60); // the lid closes a millisecond before the ping
    clock.advance(1);
    expect(machineEvents).toEqual(['env.wake timer-late']);
    expect(memory.socket.pings).toBe(1);
    clock.advance(HEARTBEAT_TIMEOUT);
    expect(memory.sockets[0]!.phase).toBe('terminated');
    expect(log).toEqual(['open', 'close 1006 heartbeat-timeout unclean (will reconnect)', 'reconnecting attempt 2 retry 1 in 100ms']);
  });

  it('keeps a socket that answers the probe after a sleep', () => {
    const { connection, memory, clock, machineEvents } = liveWorld();
    clock.sleep(HEARTBEAT_INTERVAL * 60);
    clock.advance(HEARTBEAT_INTERVAL);
    memory.socket.pong();
    clock.advance(HEARTBEAT_INTERVAL);
    expect(machineEvents).toEqual(['env.wake timer-late', 'socket.pong', 'timer.ping']);
    expect(connection.state).toBe('open');
  });

  it('takes another timer that fires late for what it is: a reconnect wait slept through starts the next attempt', () => {
    const world = liveWorld();
    world.socket.drop();
    world.clock.sleep(HEARTBEAT_INTERVAL * 60);
    world.clock.advance(RECONNECT_DELAY);
    expect(world.sockets).toHaveLength(2);
    expect(world.machineEvents).toEqual([]);
  });

  it('takes a ping timer that fires late by no more than heartbeatInterval for an ordinary ping', () => {
    const { clock, machineEvents } = liveWorld();
    clock.sleep(HEARTBEAT_INTERVAL);
    clock.advance(HEARTBEAT_INTERVAL);
    expect(machineEvents).toEqual(['timer.ping']);
  });
});
