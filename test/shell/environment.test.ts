/**
 * What the device says about the network, through an injected `environment` target: `online`
 * and a page made visible end a reconnect wait at once; `offline` and `online` make an open
 * socket prove itself with a ping; the listeners go once the connection is over for good.
 * In-memory transport and simulated clock; events are dispatched on plain `EventTarget`s.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionOptions } from '../../src/index.js';
import { HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, liveWorld, type MemoryWorld } from '../support/memory-world.js';

/** Long enough that an attempt which starts before it is over was started by the environment. */
const LONG_WAIT = 20_000;

/** An `EventTarget` that counts the listeners added to it and not yet removed. */
class CountingTarget extends EventTarget {
  listeners = 0;
  visibilityState: 'visible' | 'hidden' = 'visible';

  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listeners += 1;
    super.addEventListener(...args);
  }

  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.listeners -= 1;
    super.removeEventListener(...args);
  }

  /** Dispatches `type` as the platform would; for `visibilitychange`, after setting `visibilityState`. */
  fire(type: 'online' | 'offline' | 'visibilitychange', visibility?: 'visible' | 'hidden'): void {
    if (visibility !== undefined) this.visibilityState = visibility;
    this.dispatchEvent(new Event(type));
  }
}

/** A connection whose first socket has dropped: it waits `LONG_WAIT` before the next attempt. */
function waitingToReconnect(options: ConnectionOptions): MemoryWorld {
  const live = liveWorld({ ...options, minReconnectDelay: LONG_WAIT });
  live.memory.socket.drop();
  expect(live.connection.state).toBe('reconnecting');
  return live;
}

describe('during the reconnect wait', () => {
  it('starts the next attempt at once when the device comes online', () => {
    const environment = new CountingTarget();
    const { connection, memory, clock, machineEvents } = waitingToReconnect({ environment });
    environment.fire('online');
    expect(machineEvents).toEqual(['env.wake online']);
    expect(connection.state).toBe('connecting');
    expect(memory.sockets).toHaveLength(2);
    clock.advance(LONG_WAIT); // the retry timer went with the wait: no third socket
    expect(memory.sockets).toHaveLength(2);
  });

  it('starts the next attempt at once when the page becomes visible', () => {
    const environment = new CountingTarget();
    const { connection, memory, machineEvents } = waitingToReconnect({ environment });
    environment.fire('visibilitychange', 'visible');
    expect(machineEvents).toEqual(['env.wake visible']);
    expect(connection.state).toBe('connecting');
    expect(memory.sockets).toHaveLength(2);
  });

  it('waits on when the page is hidden', () => {
    const environment = new CountingTarget();
    const { connection, memory, clock, machineEvents } = waitingToReconnect({ environment });
    environment.fire('visibilitychange', 'hidden');
    expect(machineEvents).toEqual([]);
    expect(connection.state).toBe('reconnecting');
    clock.advance(LONG_WAIT);
    expect(memory.sockets).toHaveLength(2);
  });

  it('reads the visibility from the target’s document, as on a window', () => {
    const environment = Object.assign(new EventTarget(), { document: { visibilityState: 'hidden' } });
    const { connection, machineEvents } = waitingToReconnect({ environment });
    environment.dispatchEvent(new Event('visibilitychange'));
    expect(machineEvents).toEqual([]);
    environment.document.visibilityState = 'visible';
    environment.dispatchEvent(new Event('visibilitychange'));
    expect(machineEvents).toEqual(['env.wake visible']);
    expect(connection.state).toBe('connecting');
  });
});

describe('while open', () => {
  it.each(['offline', 'online'] as const)('pings at once on %s, and drops the socket when no pong comes', (type) => {
    const environment = new CountingTarget();
    const { memory, clock, log } = liveWorld({ environment });
    clock.advance(HEARTBEAT_INTERVAL / 2);
    environment.fire(type);
    expect(memory.socket.pings).toBe(1);
    clock.advance(HEARTBEAT_TIMEOUT);
    expect(memory.sockets[0]!.phase).toBe('terminated');
    expect(log).toEqual(['open', 'close 1006 heartbeat-timeout unclean (will reconnect)', 'reconnecting attempt 2 retry 1 in 100ms']);
  });

  it('keeps a socket that answers the probe, and pings next heartbeatInterval after the pong', () => {
    const environment = new CountingTarget();
    const { connection, memory, clock } = liveWorld({ environment });
    clock.advance(HEARTBEAT_INTERVAL / 2);
    environment.fire('online');
    memory.socket.pong();
    clock.advance(HEARTBEAT_INTERVAL - 1); // the ping timer that was running went with the probe
    expect(memory.socket.pings).toBe(1);
    clock.advance(1);
    expect(memory.socket.pings).toBe(2);
    expect(connection.state).toBe('open');
  });

  it('sends no second probe while a ping is out', () => {
    const environment = new CountingTarget();
    const { memory, machineEvents } = liveWorld({ environment });
    environment.fire('offline');
    environment.fire('online');
    environment.fire('visibilitychange', 'visible');
    expect(machineEvents).toEqual(['env.offline', 'env.wake online', 'env.wake visible']);
    expect(memory.socket.pings).toBe(1);
  });

  it('does not probe when the page is hidden', () => {
    const environment = new CountingTarget();
    const { memory, clock } = liveWorld({ environment });
    environment.fire('visibilitychange', 'hidden');
    expect(memory.socket.pings).toBe(0);
    clock.advance(HEARTBEAT_INTERVAL); // the ping timer was left running
    expect(memory.socket.pings).toBe(1);
  });

  it('does not probe when the heartbeat is off', () => {
    const environment = new CountingTarget();
    const { connection, memory, machineEvents } = liveWorld({ environment, heartbeatInterval: 0 });
    environment.fire('offline');
    environment.fire('online');
    expect(machineEvents).toEqual(['env.offline', 'env.wake online']);
    expect(memory.socket.pings).toBe(0);
    expect(connection.state).toBe('open');
  });
});

describe('listening', () => {
  it('removes its listeners once closed during the reconnect wait', () => {
    const environment = new CountingTarget();
    const { connection } = waitingToReconnect({ environment });
    expect(environment.listeners).toBe(3);
    void connection.close();
    expect(environment.listeners).toBe(0);
  });

  it('removes its listeners once it gave up', () => {
    const environment = new CountingTarget();
    const { memory, log } = liveWorld({ environment, maxRetries: 0 });
    memory.socket.drop();
    expect(log.at(-1)).toBe('giveup max-retries after 1006 connection-lost unclean');
    expect(environment.listeners).toBe(0);
  });

  it('removes its listeners once the closing handshake completes', async () => {
    const environment = new CountingTarget();
    const { connection, memory } = liveWorld({ environment });
    const handshake = new Promise<void>((resolve) => connection.on('state', ({ state }) => state === 'closing.handshake' && resolve()));
    const closed = connection.close(1000);
    await handshake; // the socket had nothing left to write out
    expect(environment.listeners).toBe(3);
    memory.socket.completeClose();
    await closed;
    expect(environment.listeners).toBe(0);
  });
});

describe('the default environment', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** Makes `globalThis` an event target, as a window or a worker is; returns what dispatches on it. */
  function globalAsEventTarget(): CountingTarget {
    const target = new CountingTarget();
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
    return target;
  }

  it('is globalThis where it is an event target', () => {
    const global = globalAsEventTarget();
    const { memory } = waitingToReconnect({});
    global.fire('online');
    expect(memory.sockets).toHaveLength(2);
  });

  it('is ignored with environment: null', () => {
    const global = globalAsEventTarget();
    const { memory, machineEvents } = waitingToReconnect({ environment: null });
    expect(global.listeners).toBe(0);
    global.fire('online');
    expect(machineEvents).toEqual([]);
    expect(memory.sockets).toHaveLength(1);
  });
});
