/**
 * What a `Connection` tells its listeners, and how the machine's state reads from outside:
 * the flattened state name and the `readyState` derived from it (never stored beside it).
 */
import type { SnapshotFrom } from 'xstate';
import type { connectionMachine } from '../machines/connection.machine.js';
import type { CloseInfo, GiveUpReason, TransportFailure, UndeliveredReason } from '../machines/connection.types.js';
import type { OutgoingData } from './byte-length.js';
import type { IncomingData } from './transports/transport.js';

/** `readyState` values, as on `WebSocket`. */
export type ReadyState = 0 | 1 | 2 | 3;

/** The machine's state, flattened: the four `readyState`s, with `closing` in detail. */
export type ConnectionStateName =
  'connecting' | 'open' | 'closing.draining' | 'closing.handshake' | 'closing.aborting' | 'closed' | 'reconnecting' | 'gaveUp';

export interface OpenInfo {
  /** The subprotocol the server selected, or `''`. */
  readonly protocol: string;
  /** The extensions the server selected, or `''`. */
  readonly extensions: string;
}

/** A message that was never written to a socket, and why. */
export interface UndeliveredMessage {
  /** Exactly what was passed to `send()`. */
  readonly data: OutgoingData;
  readonly reason: UndeliveredReason;
}

/** How one attempt ended, and whether another follows. */
export interface CloseEventInfo extends CloseInfo {
  /** `true` when the connection waits to reconnect (a `reconnecting` event follows); `false` when this close is the last. */
  readonly willReconnect: boolean;
}

/** The wait before the next attempt. */
export interface ReconnectInfo {
  /** The attempt that follows the wait (the first attempt is 1). */
  readonly attempt: number;
  /** How many reconnects in a row this is (1 after an open connection dropped; reset once one stays open `minStableTime`). */
  readonly retry: number;
  /** The wait, in ms, drawn by the backoff; `online` or a visible page may replace it once with a fresh draw below `minReconnectDelay`, without another event. */
  readonly delay: number;
}

/** The connection stopped reconnecting. */
export interface GiveUpInfo {
  readonly reason: GiveUpReason;
  /** How the last attempt ended. */
  readonly close: CloseInfo;
}

/** What a `state` event carries: the state, and the `readyState` it reads as. */
export interface StateChange {
  readonly state: ConnectionStateName;
  readonly readyState: ReadyState;
}

/** The events a `Connection` emits, and what each listener receives. */
export interface ConnectionEventMap {
  open: OpenInfo;
  message: IncomingData;
  error: TransportFailure;
  close: CloseEventInfo;
  /**
   * First the state the connection starts in, delivered in a microtask after creation (so a
   * listener attached right after `createConnection` hears it) and before any other event;
   * then each new state, after the events of the transition that led there.
   */
  state: StateChange;
  undelivered: UndeliveredMessage;
  reconnecting: ReconnectInfo;
  giveup: GiveUpInfo;
}

type Snapshot = SnapshotFrom<typeof connectionMachine>;

// The reconnect wait reads CONNECTING: send() queues there, as it does while connecting.
const READY_STATE: Record<string, ReadyState> = { connecting: 0, reconnecting: 0, open: 1, closing: 2, closed: 3, gaveUp: 3 };

/** `readyState` of a snapshot: 0 connecting or waiting to reconnect, 1 open, 2 closing, 3 closed or given up. */
export function readyStateOf(snapshot: Snapshot): ReadyState {
  return READY_STATE[topState(snapshot)]!;
}

/** `readyState` of a state name such as `closing.draining`. */
export function readyStateOfName(state: ConnectionStateName): ReadyState {
  return READY_STATE[state.split('.')[0]!]!;
}

function topState(snapshot: Snapshot): string {
  const value = snapshot.value;
  return typeof value === 'string' ? value : Object.keys(value)[0]!;
}

/** The state with `closing` in detail, e.g. `closing.draining`. */
export function stateName(snapshot: Snapshot): ConnectionStateName {
  const value = snapshot.value;
  if (typeof value === 'string') return value as ConnectionStateName;
  const [parent, child] = Object.entries(value)[0]!;
  return `${parent}.${child as string}` as ConnectionStateName;
}
