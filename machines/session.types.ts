/**
 * Types shared by the reliable-session statechart and the shell that drives it
 * (`src/reliable/`). As with the connection machine, the session machine sees counts, sizes and
 * facts, never a payload: the buffer of unacknowledged messages, the sequence numbers and the
 * frames stay in the shell, on the per-message path that must not step a machine.
 */
import type { UndeliveredReason } from './connection.types.js';

/**
 * Why a message handed to a reliable session's `send()` has no other fate to report:
 * the connection's reasons (in the plain fallback, where the connection alone carries it), and:
 */
export type SessionUndeliveredReason =
  | UndeliveredReason
  /** Refused: the buffer of messages the peer has not acknowledged was at `maxUnackedMessages` or `maxUnackedBytes`. */
  | 'buffer-full'
  /** Written to a socket, but the session ended before the peer acknowledged it: the peer may or may not have it. */
  | 'unacknowledged'
  /** Accepted and held, but the session ended before it was ever written: the peer does not have it. */
  | 'unsent';

/** Why the server no longer knows a session (or never spoke sessions again). */
export type SessionLossReason =
  /** The server does not know the session id: it restarted, or the session lived on another node. */
  | 'unknown-session'
  /** The server knew the session, but it expired while the client was away. */
  | 'expired-session'
  /** After a reconnect, the server sent no hello: it no longer speaks the session protocol. */
  | 'no-hello';

/** Why a client carries on without a session: no hello in `helloTimeout`, or the server's first message was something else. */
export type FallbackReason = 'no-hello' | 'not-a-hello';

/** The timers the session machine asks for: `hello` (waiting for the server's hello) and `close` (waiting for its bye). */
export type SessionTimerName = 'hello' | 'close';

/** What the machine is given when the shell creates it. */
export interface SessionInput {
  readonly maxUnackedMessages: number;
  readonly maxUnackedBytes: number;
}

export interface SessionContext {
  readonly maxUnackedMessages: number;
  readonly maxUnackedBytes: number;
  /** The session the server granted, once it has; cleared when the server no longer knows it. */
  readonly sessionId: string | undefined;
  /** The session the server no longer knew, told to the server when the next one starts. */
  readonly lostId: string | undefined;
  /** The code and reason `close()` was called with, for the connection's close once the byes are exchanged. */
  readonly closeRequest: { readonly code: number | undefined; readonly reason: string | undefined } | undefined;
}

/** From the application, through the session's API (arguments already validated). */
export type SessionUserEvent =
  /** One `send()` of `bytes` bytes; how full the buffer is, for the bound (as the connection machine's `user.send`). */
  | { readonly type: 'user.send'; readonly bytes: number; readonly unackedMessages: number; readonly unackedBytes: number }
  | { readonly type: 'user.close'; readonly code?: number; readonly reason?: string };

/** What the underlying `Connection` reported. */
export type SessionConnectionEvent =
  /** A socket opened (the first, or one after a reconnect). */
  | { readonly type: 'connection.open' }
  /** A socket (or an attempt at one) ended, and the connection will try again. */
  | { readonly type: 'connection.drop' }
  /** The connection is over for good (closed, or gave up). */
  | { readonly type: 'connection.end' };

/** What the server said, in frames or in the code it closed with. */
export type SessionServerEvent =
  /** The server's hello: it speaks the session protocol. */
  | { readonly type: 'server.hello' }
  /** The server's first message was not a hello: it is a plain WebSocket server. */
  | { readonly type: 'server.plain' }
  /** The server granted a session: a new one, or the one the client asked to resume; `seq` is the last client message it received. */
  | { readonly type: 'server.session'; readonly id: string; readonly resumed: boolean; readonly seq: number }
  /** The server ended the session (it sent its bye). */
  | { readonly type: 'server.bye' }
  /** The server closed the socket because it no longer knows the session the client resumed. */
  | { readonly type: 'server.lost'; readonly reason: Exclude<SessionLossReason, 'no-hello'> }
  /** The server closed the socket because the client broke the protocol, by its account. */
  | { readonly type: 'server.refuse'; readonly code: number; readonly reason: string }
  /** The server broke the protocol (a malformed frame, an ack beyond what was sent, a skipped number): the client closes with `code`. */
  | { readonly type: 'server.violation'; readonly code: number; readonly reason: string };

export type SessionTimerEvent = { readonly type: `timer.${SessionTimerName}` };

export type SessionEvent = SessionUserEvent | SessionConnectionEvent | SessionServerEvent | SessionTimerEvent;
