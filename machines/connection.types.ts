/**
 * Types shared by the connection statechart and the shell that drives it.
 *
 * The machine only ever sees sizes, counts and facts. Message payloads, the outbound queue and
 * what a socket holds stay in the shell (`src/`); the machine's send effects name what to do
 * with them.
 */

/** Why a connection attempt or a connection ended. Stable strings: match on them. */
export type CloseCause =
  /** The closing handshake completed (either side started it). */
  | 'normal'
  /** The TCP connection was refused or the host could not be reached. */
  | 'refused'
  /** The server answered the upgrade request with something other than a WebSocket handshake. */
  | 'handshake-failed'
  /**
   * The transport refused to open a socket for the request, by throwing at once: an invalid
   * header, a URL or port the platform forbids, a Content Security Policy. The next attempt
   * would make the same request, so the default policy does not retry it.
   */
  | 'invalid-request'
  /** The TLS handshake failed: a certificate not trusted, expired or for another host (Node only; browsers give no detail). */
  | 'tls-failed'
  /** The handshake did not complete within `connectTimeout`. */
  | 'connect-timeout'
  /** `close()` was called before the connection opened. */
  | 'aborted'
  /** Buffered data did not drain within `drainTimeout` after `close()`; the socket was dropped. */
  | 'drain-timeout'
  /** The peer did not complete the closing handshake within `closeTimeout`; the socket was dropped. */
  | 'close-timeout'
  /** An inbound message exceeded `maxPayload`; the connection was closed with 1009. */
  | 'message-too-big'
  /** No pong came back within `heartbeatTimeout` of a ping: the socket was dropped as dead. */
  | 'heartbeat-timeout'
  /** The peer broke the protocol (invalid frame, invalid UTF-8...). */
  | 'protocol-error'
  /** The connection dropped without a closing handshake. */
  | 'connection-lost'
  /** Any other transport failure. */
  | 'transport-error';

/** Why a message handed to `send()` was not written to a socket. */
export type UndeliveredReason =
  /** Sent while connecting (or queued again under `resendUnconfirmed`), but the queue was at `maxQueuedMessages` or `maxQueuedBytes`. */
  | 'queue-full'
  /** Queued while connecting, but the attempt failed or was aborted before the socket opened. */
  | 'closed-before-open'
  /** Sent after `close()` was called. */
  | 'closing'
  /** Sent after the connection closed. */
  | 'closed'
  /** Handed to the socket, but still unsent when `drainTimeout` expired. */
  | 'drain-timeout'
  /** Handed to the socket, but still unsent when the connection dropped. */
  | 'connection-lost';

/**
 * The timers the machine asks the shell to run: `connect`, `drain` and `close` bound the
 * lifecycle (options `connectTimeout`, `drainTimeout`, `closeTimeout`); `retry` is the reconnect
 * wait (backoff); `stable` marks a connection open long enough to reset the retry count
 * (`minStableTime`); `ping` and `pong` are the heartbeat (`heartbeatInterval`, `heartbeatTimeout`).
 */
export type TimerName = 'connect' | 'drain' | 'close' | 'retry' | 'stable' | 'ping' | 'pong';

/** What the final close event reports. */
export interface CloseInfo {
  /** The close code, as a `CloseEvent` reports it: 1006 for abnormal closes, 1005 when none was given. */
  readonly code: number;
  /** The close reason the peer sent, or `''`. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** Why the connection ended. */
  readonly cause: CloseCause;
  /** The HTTP status the server answered the opening handshake with, when it refused the upgrade. */
  readonly status?: number;
}

/** Why the connection stopped reconnecting. */
export type GiveUpReason =
  /** `maxRetries` reconnects in a row failed. */
  | 'max-retries'
  /** The reconnect policy (`shouldReconnect`, or the default close-code policy) ruled the close final. */
  | 'not-retryable';

/** A failure reported by a transport, already classified. */
export interface TransportFailure {
  readonly cause: CloseCause;
  /** A human-readable description, with credentials and query strings redacted. */
  readonly message: string;
  /** The HTTP status of a refused upgrade (`handshake-failed`), where the transport can see it. */
  readonly status?: number;
}

/** Input the shell gives when it creates the actor. */
export interface ConnectionInput {
  /** The URL with credentials and query redacted: the context is visible to inspectors. */
  readonly url: string;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  /** Whether an attempt that ends without `close()` may be followed by another. */
  readonly reconnect: boolean;
  /** How many reconnects in a row may fail before the connection gives up (`Infinity`: never). */
  readonly maxRetries: number;
  /** Whether the open socket is checked with pings. */
  readonly heartbeat: boolean;
  /** Whether what a dropped socket never confirmed writing is queued again when a reconnect follows (at-least-once). */
  readonly resendUnconfirmed: boolean;
}

export interface ConnectionContext {
  readonly url: string;
  /** Identity of the current connection attempt; socket and timer events carry it. */
  readonly attempt: number;
  /** Reconnects since the connection last stayed open for `minStableTime` (or since it was created). */
  readonly retries: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly reconnect: boolean;
  readonly maxRetries: number;
  readonly heartbeat: boolean;
  readonly resendUnconfirmed: boolean;
  /** Whether a ping is out and its pong not yet back. */
  readonly awaitingPong: boolean;
  /** Whether a wake (`online`, a visible page) has already replaced the current reconnect wait with a fresh draw: once per wait. */
  readonly redrawnOnWake: boolean;
  /** The code and reason `close()` was called with, once it has been. */
  readonly closeRequest: { readonly code?: number; readonly reason?: string } | undefined;
  /** The first failure of this attempt, once there is one. */
  readonly failure: TransportFailure | undefined;
  /** The subprotocol and extensions the server selected. */
  readonly protocol: string;
  readonly extensions: string;
  /** How the last attempt ended, once one has. */
  readonly closeInfo: CloseInfo | undefined;
}

/** Events from the application, through the shell's public API (arguments already validated). */
export type UserEvent =
  /**
   * One `send()` of `bytes` bytes (UTF-8 for strings). The outbound queue is the shell's, as the
   * payloads are: the event says how full it is, for the queue bound to read. Every `user.send`
   * transition is targetless and assigns nothing, so the shell performs it from the machine's
   * definition without stepping the machine (see `src/send-plan.ts`).
   */
  | { readonly type: 'user.send'; readonly bytes: number; readonly queuedMessages: number; readonly queuedBytes: number }
  | { readonly type: 'user.close'; readonly code?: number; readonly reason?: string };

/** Facts from the transport, tagged with the attempt whose socket produced them. */
export type SocketEvent =
  | { readonly type: 'socket.open'; readonly attempt: number; readonly protocol: string; readonly extensions: string }
  | { readonly type: 'socket.error'; readonly attempt: number; readonly failure: TransportFailure }
  | {
      readonly type: 'socket.close';
      readonly attempt: number;
      readonly code: number;
      readonly reason: string;
      readonly wasClean: boolean;
    }
  /** Everything handed to the socket has been written out (`bufferedAmount` is 0). */
  | { readonly type: 'socket.drained'; readonly attempt: number }
  /** The answer to the last heartbeat ping. */
  | { readonly type: 'socket.pong'; readonly attempt: number };

/** A named timer the shell started for an attempt has expired. */
export type TimerEvent = { readonly type: `timer.${TimerName}`; readonly attempt: number };

/**
 * What the environment says about the network: it came back, or the device woke (`online`,
 * the page became visible again, or a timer fired far too late, as after a sleep), or it went
 * away (`offline`). Not tied to an attempt: they are about the device, not a socket.
 */
export type EnvironmentEvent =
  { readonly type: 'env.wake'; readonly reason: 'online' | 'visible' | 'timer-late' } | { readonly type: 'env.offline' };

export type ConnectionEvent = UserEvent | SocketEvent | TimerEvent | EnvironmentEvent;
