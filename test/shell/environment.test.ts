/**
 * What the device says about the network, through an injected `environment` target: `online`
 * and a page made visible replace the rest of a reconnect wait with one fresh draw below
 * `minReconnectDelay`, once per wait; `offline` and `online` make an open socket prove itself
 * with a ping; the listeners go once the connection is over for good. In-memory transport and
 * simulated clock; events are dispatched on plain `EventTarget`s.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionOptions } from '../../src/index.js';
import { HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, liveWorld, type MemoryWorld } from '../support/memory-world.js';

/** `minReconnectDelay`, and the wait's ceiling: long enough that an attempt which starts before the drawn wait is over was started by the environment. */
const LONG_WAIT = 20_000;
/** What `random` returns, in turn: the drop's wait is 0.9 of its ceiling, each wake's 0.25 then 0.5 of `minReconnectDelay`. */
const DRAWS = [0.9, 0.25, 0.5];
const DROP_WAIT = 0.9 * LONG_WAIT;
const WAKE_WAIT = 0.25 * LONG_WAIT;

/** An `EventTarget` that counts the listeners added to it and not yet removed (by type and listener, as the platform matches them). */
class CountingTarget extends EventTarget {
  readonly #added = new Map<string, Set<unknown>>();
  visibilityState: 'visible' | 'hidden' = 'visible';

  get listeners(): number {
    return [...this.#added.values()].reduce((sum, listeners) => sum + listeners.size, 0);
  }

  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    const [type, listener] = args;
    if (!this.#added.has(type)) this.#added.set(type, new Set());
    this.#added.get(type)!.add(listener);
    super.addEventListener(...args);
  }

  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    const [type, listener] = args;
    this.#added.get(type)?.delete(listener);
    super.removeEventListener(...args);
  }

  /** Dispatches `type` as the platform would; for `visibilitychange`, after setting `visibilityState`. */
  fire(type: 'online' | 'offline' | 'visibilitychange', visibility?: 'visible' | 'hidden'): void {
    if (visibility !== undefined) this.visibilityState = visibility;
    this.dispatchEvent(new Event(type));
  }
}

/** A connection whose first socket has dropped: it waits `DROP_WAIT` before the next attempt, drawn from `DRAWS`. */
function waitingToReconnect(options: ConnectionOptions): MemoryWorld {
  let draw = 0;
  const random = () => DRAWS[draw++ % DRAWS.length]!;
  const live = liveWorld({ minReconnectDelay: LONG_WAIT, maxReconnectDelay: LONG_WAIT, reconnectJitter: true, random, ...options });
  live.memory.socket.drop();
  expect(live.connection.state).toBe('reconnecting');
  return live;
}

/** Advances to just before `ms` from now, then to `ms`: returns how many sockets existed at each. */
function socketsAround(live: MemoryWorld, ms: number): [number, number] {
  live.clock.advance(ms - 1);
  const before = live.memory.sockets.length;
  live.clock.advance(1);
  return [before, live.memory.sockets.length];
}

describe('during the reconnect wait', () => {
  // Every client of a server hears `online` at the same moment: ending the wait at once would
  // send them all back together, the herd the jitter exists to prevent.
  it('replaces the rest of the wait with one fresh draw below minReconnectDelay when the device comes online', () => {
    const environment = new CountingTarget();
    const live = waitingToReconnect({ environment });
    live.clock.advance(1_000);
    environment.fire('online');
    expect(live.machineEvents).toEqual(['env.wake online']);
    expect(live.connection.state).toBe('reconnecting');
    expect(socketsAround(live, WAKE_WAIT)).toEqual([1, 2]);
    expect(live.connection.state).toBe('connecting');
    live.clock.advance(DROP_WAIT); // the wait's first timer went with it: no third socket
    expect(live.memory.sockets).toHaveLength(2);
  });

  it('draws again only once per wait: a second wake changes nothing', () => {
    const environment = new CountingTarget();
    const live = waitingToReconnect({ environment });
    environment.fire('online');
    live.clock.advance(1_000);
    environment.fire('visibilitychange', 'visible');
    environment.fire('online');
    expect(live.machineEvents).toEqual(['env.wake online', 'env.wake visible', 'env.wake online']);
    expect(socketsAround(live, WAKE_WAIT - 1_000)).toEqual([1, 2]);
  });

  it('draws again in the next wait, after another failed attempt', () => {
    const environment = new CountingTarget();
    const live = waitingToReconnect({ environment });
    environment.fire('online');
    live.clock.advance(WAKE_WAIT);
    live.memory.socket.refuse('refused', 'simulated');
    expect(live.connection.state).toBe('reconnecting'); // for 0.5 of LONG_WAIT (the ceiling, capped)
    environment.fire('online');
    // The cycle's next draw, 0.9: a wake replaces the wait, which may then be longer than what was left.
    expect(socketsAround(live, 0.9 * LONG_WAIT)).toEqual([2, 3]);
  });

  it('replaces the rest of the wait when the page becomes visible', () => {
    const environment = new CountingTarget();
    const live = waitingToReconnect({ environment });
    environment.fire('visibilitychange', 'visible');
    expect(live.machineEvents).toEqual(['env.wake visible']);
    expect(live.connection.state).toBe('reconnecting');
    expect(socketsAround(live, WAKE_WAIT)).toEqual([1, 2]);
  });

  it('waits minReconnectDelay after a wake without jitter, as every first wait does', () => {
    const environment = new CountingTarget();
    const live = waitingToReconnect({ environment, reconnectJitter: false, minReconnectDelay: 1_000, maxReconnectDelay: 1_000 });
    environment.fire('online');
    expect(socketsAround(live, 1_000)).toEqual([1, 2]);
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
    expect(connection.state).toBe('reconnecting');
  });

  it('takes a target that says nothing of visibility for a visible page', () => {
    const environment = new EventTarget();
    const { machineEvents } = waitingToReconnect({ environment });
    environment.dispatchEvent(new Event('visibilitychange'));
    expect(machineEvents).toEqual(['env.wake visible']);
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

describe('many connections on one target', () => {
  // A page has one window for all its connections; Node warns at the eleventh listener of a type.
  const COUNT = 12;

  it('share three listeners, each connection still hears every event, and the last to finish removes them', () => {
    const environment = new CountingTarget();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const worlds = Array.from({ length: COUNT }, () => liveWorld({ environment }));
    expect(environment.listeners).toBe(3);
    environment.fire('offline');
    // Each open connection probes its socket at once.
    expect(worlds.map(({ memory }) => memory.socket.pings)).toEqual(Array<number>(COUNT).fill(1));
    for (const { connection } of worlds.slice(1)) void connection.close(1000);
    for (const { memory } of worlds.slice(1)) memory.socket.completeClose();
    expect(environment.listeners).toBe(3);
    void worlds[0]!.connection.close(1000);
    worlds[0]!.memory.socket.completeClose();
    process.off('warning', onWarning);
    expect(environment.listeners).toBe(0);
    expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
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
    const live = waitingToReconnect({});
    global.fire('online');
    expect(live.machineEvents).toEqual(['env.wake online']);
    expect(socketsAround(live, WAKE_WAIT)).toEqual([1, 2]);
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
