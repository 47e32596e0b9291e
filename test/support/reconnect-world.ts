/**
 * A connection on the in-memory transport and a simulated clock, for the reconnection suites:
 * every attempt's socket (with the simulated time it was created at), every event as a short
 * line, and a step that waits out the current reconnect delay. No real time passes anywhere.
 */
import { createConnection, type Connection, type ConnectionOptions, type ReconnectInfo, type Transport, type UrlSource } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock, type MemorySocket } from '../../src/testing/index.js';
import { record } from './event-log.js';

export { record };

/** Lets every microtask already queued (and those they queue) run: one turn of the event loop, no timer. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface MemoryWorld {
  readonly connection: Connection;
  readonly clock: SimulatedClock;
  /** Every attempt's socket, oldest first. */
  readonly sockets: readonly MemorySocket[];
  /** The newest socket. */
  readonly socket: MemorySocket;
  /** The simulated time at which each socket was created. */
  readonly createdAt: readonly number[];
  readonly log: string[];
  /** The last `reconnecting` event, if any. */
  readonly lastReconnect: ReconnectInfo | undefined;
  /** Waits out the current reconnect delay; throws unless that created exactly one new socket. */
  retry(): MemorySocket;
  /** Whether the `closed` promise has settled, once every reaction already queued has run. */
  isSettled(): Promise<boolean>;
}

/** Creates a connection to `url` (default `ws://example.test/chat`) with `options` on top of the in-memory world. */
export function memoryWorld(options: ConnectionOptions = {}, url: UrlSource = 'ws://example.test/chat'): MemoryWorld {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const createdAt: number[] = [];
  const transport: Transport = (request, handlers) => {
    createdAt.push(clock.now());
    return memory.transport(request, handlers);
  };
  const connection = createConnection(url, { transport, clock, ...options });
  const log = record(connection);
  let lastReconnect: ReconnectInfo | undefined;
  connection.on('reconnecting', (info) => (lastReconnect = info));
  let settled = false;
  void connection.closed.then(() => (settled = true));
  return {
    connection,
    clock,
    sockets: memory.sockets,
    get socket() {
      return memory.socket;
    },
    createdAt,
    log,
    get lastReconnect() {
      return lastReconnect;
    },
    retry() {
      if (lastReconnect === undefined || connection.state !== 'reconnecting') throw new Error(`retry() while ${connection.state}`);
      const before = memory.sockets.length;
      clock.advance(lastReconnect.delay);
      if (memory.sockets.length !== before + 1) throw new Error(`expected one new socket, got ${memory.sockets.length - before}`);
      return memory.socket;
    },
    async isSettled() {
      await nextTurn();
      return settled;
    },
  };
}
