/**
 * What the playground's server and its clients say to each other: the chat protocol of MDN's
 * guide "Writing WebSocket client applications" (`id`, `username`, `rejectusername`, `message`,
 * `userlist`), and the fault requests its control endpoint takes.
 */

/** What the chat server sends. */
export type ServerMessage =
  /** Sent first on every connection: the id the server gave this client. */
  | { type: 'id'; id: number }
  /** Someone signed in or changed name (sent to the others). */
  | { type: 'username'; id: number; name: string; date: number }
  /** The name you asked for is taken; this one is yours instead. */
  | { type: 'rejectusername'; id: number; name: string }
  /** A chat message, to everyone, its sender included. */
  | { type: 'message'; id: number; name: string; text: string; date: number }
  /** Everyone signed in, after each change. */
  | { type: 'userlist'; users: string[] };

/** What a chat client sends. `id` is the one the server gave (0 before it has); the server trusts only its own. */
export type ClientMessage =
  | { type: 'username'; id: number; name: string; date: number }
  | { type: 'message'; id: number; text: string; date: number }
  /** Playground only: bytes the server reads and drops, to fill buffers for the slow-drain fault. */
  | { type: 'filler'; data: string };

/** The largest message the chat server reads, in bytes: a bigger one closes the socket with 1009. */
export const MAX_CHAT_MESSAGE = 64 * 1024;

/** The subprotocol the chat speaks. */
export const CHAT_PROTOCOL = 'json';

/** The chat endpoint's path; the query's `client` names the client that faults are aimed at. */
export const CHAT_PATH = '/chat';

/** The control endpoint's path: `POST` a `FaultRequest` as JSON. */
export const FAULT_PATH = '/fault';

/**
 * A fault to inject, for the client named `client`:
 * - `drop`: destroy the current TCP connection, no closing handshake;
 * - `refuse`: answer the next opening handshake with HTTP 503;
 * - `stall`: never answer the next opening handshake;
 * - `slow-drain`: read from the current connection at `bytesPerSecond` until it ends, so the
 *   client's `bufferedAmount` climbs when it sends a lot;
 * - `close`: start the closing handshake with `code` and `reason`;
 * - `garbage`: send a text message that is not JSON.
 */
export type FaultRequest =
  | { readonly client: string; readonly fault: 'drop' | 'refuse' | 'stall' | 'garbage' }
  | { readonly client: string; readonly fault: 'slow-drain'; readonly bytesPerSecond?: number }
  | { readonly client: string; readonly fault: 'close'; readonly code: number; readonly reason?: string };

export type FaultName = FaultRequest['fault'];

/** The control endpoint's answer: when the fault takes effect, or why it cannot. */
export type FaultResponse =
  { readonly ok: true; readonly applies: 'now' | 'next-handshake' } | { readonly ok: false; readonly error: string };

/** The default reading rate of `slow-drain`: slow enough to watch a burst drain, in bytes per second. */
export const SLOW_DRAIN_RATE = 512 * 1024;
