/**
 * Types shared by the connection statechart and the shell that drives it.
 *
 * The machine only ever sees sizes, counts and facts; message payloads stay in the shell
 * (`src/`), except the opaque `message` carried by `user.send` while connecting, which the
 * shell's `enqueueMessage` action stores in its own queue.
 */

/** Why a connection attempt or a connection ended. Stable strings: match on them. */
export type CloseCause =
  /** The closing handshake completed (either side started it). */
  | 'normal'
  /** The TCP connection was refused or the host could not be reached. */
  | 'refused'
  /** The server answered the upgrade request with something other than a WebSocket handshake. */
  | 'handshake-failed'
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
  /** The peer broke the protocol (invalid frame, invalid UTF-8...). */
  | 'protocol-error'
  /** The connection dropped without a closing handshake. */
  | 'connection-lost'
  /** Any other transport failure. */
  | 'transport-error';

/** Why a message handed to `send()` was not written to a socket. */
export type UndeliveredReason =
  /** Sent while connecting, but the queue was at `maxQueuedMessages` or `maxQueuedBytes`. */
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

/** The timers the machine asks the shell to run. Each has an option of the same name + `Timeout`. */
export type TimerName = 'connect' | 'drain' | 'close';

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
}

/** A failure reported by a transport, already classified. */
export interface TransportFailure {
  readonly cause: CloseCause;
  /** A human-readable description, with credentials and query strings redacted. */
  readonly message: string;
}

/** Input the shell gives when it creates the actor. */
export interface ConnectionInput {
  /** The URL with credentials and query redacted: the context is visible to inspectors. */
  readonly url: string;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
}

export interface ConnectionContext {
  readonly url: string;
  /** Identity of the current connection attempt; socket and timer events carry it. */
  readonly attempt: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  /** How many messages wait in the shell's queue for the socket to open. */
  readonly queuedMessages: number;
  /** Their total size in bytes (UTF-8 for strings). */
  readonly queuedBytes: number;
  /** The code and reason `close()` was called with, once it has been. */
  readonly closeRequest: { readonly code?: number; readonly reason?: string } | undefined;
  /** The first failure of this attempt, once there is one. */
  readonly failure: TransportFailure | undefined;
  /** The subprotocol and extensions the server selected. */
  readonly protocol: string;
  readonly extensions: string;
  /** How the connection ended, once it has. */
  readonly closeInfo: CloseInfo | undefined;
}

/** Events from the application, through the shell's public API (arguments already validated). */
export type UserEvent =
  | { readonly type: 'user.send'; readonly bytes: number; readonly message?: unknown }
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
  | { readonly type: 'socket.drained'; readonly attempt: number };

/** A named timer the shell started for an attempt has expired. */
export type TimerEvent =
  | { readonly type: 'timer.connect'; readonly attempt: number }
  | { readonly type: 'timer.drain'; readonly attempt: number }
  | { readonly type: 'timer.close'; readonly attempt: number };

export type ConnectionEvent = UserEvent | SocketEvent | TimerEvent;
