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

/** What `backpressure` and `ready` events carry. */
export interface BufferLevel {
  /** Bytes accepted by `send()` and not yet written out (`bufferedAmount`), when the watermark was crossed. */
  readonly bufferedAmount: number;
  /** The `highWaterMark` option. */
  readonly highWaterMark: number;
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
  /** A send took `bufferedAmount` from below `highWaterMark` to at or above it; `ready` follows once it is back below. */
  backpressure: BufferLevel;
  /** `bufferedAmount` is back below `highWaterMark` after a `backpressure` event, where `send()` accepts messages. */
  ready: BufferLevel;
}

type Snapshot = SnapshotFrom<typeof connectionMachine>;

/** `readyState` of a state name such as `closing.draining`: the reconnect wait reads CONNECTING, since send() queues there as it does while connecting. */
export function readyStateOfName(state: ConnectionStateName): ReadyState {
  switch (state.split('.')[0]) {
    case 'connecting':
    case 'reconnecting':
      return 0;
    case 'open':
      return 1;
    case 'closing':
      return 2;
    default:
      return 3; // closed, gaveUp
  }
}

/** The state with `closing` in detail, e.g. `closing.draining`. */
export function stateName(snapshot: Snapshot): ConnectionStateName {
  const value = snapshot.value;
  if (typeof value === 'string') return value as ConnectionStateName;
  const [parent, child] = Object.entries(value)[0]!;
  return `${parent}.${child as string}` as ConnectionStateName;
}
