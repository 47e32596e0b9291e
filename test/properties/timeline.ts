/**
 * What a memory world records as it runs, for the invariants to read: the timeline of what
 * listeners heard, what `send()` was given, what the shell asked of its transport and what the
 * server got; and the shape of an invariant.
 */
import type { CloseInfo, ConnectionEventMap, ConnectionStateName, OutgoingData } from '../../src/index.js';
import type { TransportCall } from './oracle.js';
import type { MemoryWorld } from './world.js';

/** What the device does: network and visibility events, and sleep. */
export type DeviceMove = 'online' | 'offline' | 'visible' | 'hidden' | 'sleep';

/**
 * A point on the world's timeline: what listeners heard, what `send()` was given, what the
 * shell asked of its transport and what the server got. `at` is the time timers run on.
 */
export type Entry =
  | {
      readonly kind: 'event';
      readonly type: keyof ConnectionEventMap;
      readonly payload: unknown;
      readonly readyState: number;
      readonly state: ConnectionStateName;
      readonly at: number;
    }
  /** Logged when `send()` is called, so what it reports comes after; `accepted` is filled in when it returns. */
  | { readonly kind: 'send'; readonly id: number; readonly data: OutgoingData; accepted: boolean | undefined }
  | { readonly kind: 'written'; readonly data: unknown; readonly bytes: number; readonly socket: number }
  /** A call on the transport; for an `open`, `live` counts the sockets not yet closed or terminated before it. */
  | { readonly kind: 'call'; readonly call: TransportCall; readonly socket: number; readonly at: number; readonly live: number }
  /** The application called `close()` (with valid arguments) or aborted the signal. */
  | { readonly kind: 'closeCalled'; readonly at: number }
  | { readonly kind: 'device'; readonly move: DeviceMove; readonly at: number }
  /** The `closed` promise settled. */
  | { readonly kind: 'settled'; readonly info: CloseInfo };

/** What a property asserts: after every step, and once the connection has finally ended. */
export interface Invariant {
  step(world: MemoryWorld): void;
  final?(world: MemoryWorld): void | Promise<void>;
}
