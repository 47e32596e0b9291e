/**
 * The in-memory test world: a connection on the in-memory transport and a simulated clock, with
 * every attempt's socket (and the handlers it reports through, and when it was created), every
 * event as a `formatEvent` line, and a step that waits out the current reconnect delay. No real
 * time passes anywhere. `liveWorld` is the same world set up for the liveness suites: short,
 * round heartbeat timings, no jitter, its first socket accepted, and the liveness events the
 * machine received.
 */
import type { InspectionEvent } from 'xstate';
import {
  createConnection,
  type Connection,
  type ConnectionEventMap,
  type ConnectionOptions,
  type ReconnectInfo,
  type Transport,
  type TransportHandlers,
  type UrlSource,
} from '../../src/index.js';
import { createMemoryTransport, SimulatedClock, type MemorySocket, type MemoryTransport } from '../../src/testing/index.js';
import { record } from './event-log.js';

/** The timings the liveness suites start from, in simulated ms. */
export const HEARTBEAT_INTERVAL = 1000;
export const HEARTBEAT_TIMEOUT = 500;
export const RECONNECT_DELAY = 100;

/** Lets every microtask already queued (and those they queue) run: one turn of the event loop, no timer. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface MemoryWorld {
  readonly connection: Connection;
  readonly memory: MemoryTransport;
  readonly clock: SimulatedClock;
  /** Every attempt's socket, oldest first. */
  readonly sockets: readonly MemorySocket[];
  /** The newest socket. */
  readonly socket: MemorySocket;
  /** The simulated time at which each socket was created. */
  readonly createdAt: readonly number[];
  /** What each attempt's socket reports through, oldest first: a test can report for an attempt left behind. */
  readonly handlers: readonly TransportHandlers[];
  /** What listeners heard, as `formatEvent` lines. */
  readonly log: string[];
  /** The environment and heartbeat events the machine received (`env.wake online`, `timer.ping`...), when the world was asked to watch them. */
  readonly machineEvents: string[];
  /** The last `reconnecting` event, if any. */
  readonly lastReconnect: ReconnectInfo | undefined;
  /** Waits out the current reconnect delay; throws unless that created exactly one new socket. */
  retry(): MemorySocket;
  /** Whether the `closed` promise has settled, once every reaction already queued has run. */
  isSettled(): Promise<boolean>;
}

export interface WorldSetup {
  readonly url?: UrlSource;
  /** Whether the transport has protocol pings, as `ws` has. @default true */
  readonly pings?: boolean;
  /** Event types the log leaves out. */
  readonly without?: readonly (keyof ConnectionEventMap)[];
  /** Watch the liveness events the machine receives (through an inspector, so an actor runs the connection). */
  readonly watchMachine?: boolean;
}

/** A connection to `url` (default `ws://example.test/chat`) with `options` on top of the in-memory world. */
export function memoryWorld(options: ConnectionOptions = {}, setup: WorldSetup = {}): MemoryWorld {
  const { url = 'ws://example.test/chat', pings = true, without = [], watchMachine = false } = setup;
  const memory = createMemoryTransport({ pings });
  const clock = new SimulatedClock();
  const createdAt: number[] = [];
  const handlers: TransportHandlers[] = [];
  const machineEvents: string[] = [];
  const transport: Transport = Object.assign(
    (...args: Parameters<Transport>) => {
      createdAt.push(clock.now());
      handlers.push(args[1]);
      return memory.transport(...args);
    },
    { pings },
  );
  const inspect = (event: InspectionEvent) => {
    if (event.type !== '@xstate.event') return;
    const received = event.event as { type: string; reason?: string };
    if (/^(env|timer\.(ping|pong)|socket\.pong)/.test(received.type))
      machineEvents.push(received.reason === undefined ? received.type : `${received.type} ${received.reason}`);
  };
  const connection = createConnection(url, { transport, clock, ...(watchMachine ? { inspect } : {}), ...options });
  const log = record(connection, { without });
  let lastReconnect: ReconnectInfo | undefined;
  connection.on('reconnecting', (info) => (lastReconnect = info));
  let settled = false;
  void connection.closed.then(() => (settled = true));
  return {
    connection,
    memory,
    clock,
    sockets: memory.sockets,
    get socket() {
      return memory.socket;
    },
    createdAt,
    handlers,
    log,
    machineEvents,
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

/** The world for the liveness suites: the heartbeat on short timings, no jitter, the first socket accepted, the machine's liveness events watched. */
export function liveWorld(options: ConnectionOptions = {}, { pings = true }: { pings?: boolean } = {}): MemoryWorld {
  const world = memoryWorld(
    {
      heartbeatInterval: HEARTBEAT_INTERVAL,
      heartbeatTimeout: HEARTBEAT_TIMEOUT,
      minReconnectDelay: RECONNECT_DELAY,
      reconnectJitter: false,
      ...options,
    },
    { url: 'ws://example.test/live', pings, without: ['state'], watchMachine: true },
  );
  world.socket.accept();
  return world;
}
