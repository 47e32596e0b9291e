/**
 * A connection on the in-memory transport and a simulated clock, for the liveness suites
 * (heartbeat, wake from sleep, environment events): short, round timings, a reconnect wait
 * with no jitter, a log of what listeners hear and of the events the machine received.
 */
import type { InspectionEvent } from 'xstate';
import { createConnection, type Connection, type ConnectionOptions, type Transport, type TransportHandlers } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock, type MemoryTransport } from '../../src/testing/index.js';
import { record } from './event-log.js';

/** The timings every liveness test starts from, in simulated ms. */
export const HEARTBEAT_INTERVAL = 1000;
export const HEARTBEAT_TIMEOUT = 500;
export const RECONNECT_DELAY = 100;

export interface LiveConnection {
  readonly connection: Connection;
  readonly memory: MemoryTransport;
  readonly clock: SimulatedClock;
  /** What listeners heard, as `formatEvent` lines (`state` left out). */
  readonly log: string[];
  /** The environment and heartbeat events the machine received, as `env.wake online`, `timer.ping`... */
  readonly machineEvents: string[];
  /** What each attempt's socket reports through, oldest first: a test can report for an attempt left behind. */
  readonly handlers: TransportHandlers[];
}

/** Opens a connection, its first socket accepted, with protocol pings (as `ws` has) unless `pings` is false. */
export function liveConnection(options: ConnectionOptions = {}, { pings = true }: { pings?: boolean } = {}): LiveConnection {
  const memory = createMemoryTransport({ pings });
  const clock = new SimulatedClock();
  const machineEvents: string[] = [];
  const handlers: TransportHandlers[] = [];
  const transport: Transport = Object.assign(
    (...args: Parameters<Transport>) => {
      handlers.push(args[1]);
      return memory.transport(...args);
    },
    { pings },
  );
  const connection = createConnection('ws://example.test/live', {
    transport,
    clock,
    heartbeatInterval: HEARTBEAT_INTERVAL,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    minReconnectDelay: RECONNECT_DELAY,
    reconnectJitter: false,
    inspect: (event: InspectionEvent) => {
      if (event.type !== '@xstate.event') return;
      const received = event.event as { type: string; reason?: string };
      if (/^(env|timer\.(ping|pong)|socket\.pong)/.test(received.type)) {
        machineEvents.push(received.reason === undefined ? received.type : `${received.type} ${received.reason}`);
      }
    },
    ...options,
  });
  const log = record(connection, { without: ['state'] });
  memory.socket.accept();
  return { connection, memory, clock, log, machineEvents, handlers };
}
