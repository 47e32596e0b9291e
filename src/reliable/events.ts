/**
 * What a reliable session tells its listeners, and how its machine's state reads from outside.
 */
import type { FallbackReason, SessionLossReason, SessionUndeliveredReason } from '../../machines/session.types.js';
import type { OutgoingData } from '../byte-length.js';
import type { IncomingData } from '../transports/transport.js';

/** The session's state: the machine's top-level state (see `machines/session.machine.ts`). */
export type SessionStateName = 'negotiating' | 'live' | 'resuming' | 'lost' | 'plain' | 'closing' | 'closed';

/** A message handed to `send()` that has no other fate, and why. */
export interface SessionUndelivered {
  /** Exactly what was passed to `send()`. */
  readonly data: OutgoingData;
  readonly reason: SessionUndeliveredReason;
}

/** A session began (`resumed: false`: a new one, numbered from 1) or was resumed after a reconnect. */
export interface SessionBegun {
  /** The session id the server granted. */
  readonly id: string;
  readonly resumed: boolean;
}

/** The server no longer knows the session: what it never acknowledged, for the application to decide about. */
export interface SessionLost {
  readonly reason: SessionLossReason;
  /** The session the server lost. */
  readonly sessionId: string;
  /**
   * Every message the session held, oldest first, exactly as passed to `send()`: those written
   * that the server never acknowledged (it may have processed some before it lost them), then
   * those never written. None of them is sent again unless the application sends it.
   */
  readonly messages: readonly OutgoingData[];
}

/** The session carries on as a plain connection, with the connection's guarantees only. */
export interface SessionFallback {
  readonly reason: FallbackReason;
}

/** The events a `ReliableSession` emits, and what each listener receives. */
export interface ReliableSessionEventMap {
  /** The state it starts in (in a microtask after creation), then each new one. */
  state: { readonly state: SessionStateName };
  /** An application message from the server: exactly once, in order, across reconnects. */
  message: IncomingData;
  undelivered: SessionUndelivered;
  session: SessionBegun;
  lost: SessionLost;
  fallback: SessionFallback;
}

/** The public name of a leaf state such as `negotiating.awaitingHello`. */
export function topStateOf(leaf: string): SessionStateName {
  const dot = leaf.indexOf('.');
  return (dot === -1 ? leaf : leaf.slice(0, dot)) as SessionStateName;
}
