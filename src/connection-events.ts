/**
 * What a `Connection` tells its listeners, and how the machine's state reads from outside:
 * the flattened state name and the `readyState` derived from it (never stored beside it).
 */
import type { SnapshotFrom } from 'xstate';
import type { connectionMachine } from '../machines/connection.machine.js';
import type { CloseInfo, TransportFailure, UndeliveredReason } from '../machines/connection.types.js';
import type { OutgoingData } from './byte-length.js';
import type { IncomingData } from './transports/transport.js';

/** `readyState` values, as on `WebSocket`. */
export type ReadyState = 0 | 1 | 2 | 3;

/** The machine's state, flattened: the four `readyState`s, with `closing` in detail. */
export type ConnectionStateName =
  | 'connecting'
  | 'open'
  | 'closing.draining'
  | 'closing.handshake'
  | 'closing.aborting'
  | 'closed';

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

export interface StateChange {
  readonly state: ConnectionStateName;
  readonly readyState: ReadyState;
}

/** The events a `Connection` emits, and what each listener receives. */
export interface ConnectionEventMap {
  open: OpenInfo;
  message: IncomingData;
  error: TransportFailure;
  close: CloseInfo;
  state: StateChange;
  undelivered: UndeliveredMessage;
}

type Snapshot = SnapshotFrom<typeof connectionMachine>;

const READY_STATE: Record<string, ReadyState> = { connecting: 0, open: 1, closing: 2, closed: 3 };

/** `readyState` of a snapshot: 0 connecting, 1 open, 2 closing, 3 closed. */
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
  return `${parent}.${String(child)}` as ConnectionStateName;
}
