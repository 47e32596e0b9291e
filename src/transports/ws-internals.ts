/**
 * The one place statesock reaches into `ws` past its public API, in two ways:
 * - the TCP socket under a `ws` client, to which the transport writes the frames of one task
 *   together (see `ws-frames.ts`). `ws` has no public way to write frames of one's own. It keeps
 *   the TCP socket as `_socket` and, with no extension negotiated and nothing queued in its
 *   sender, writes the frames it is asked for there before `send`, `ping` or `close` returns,
 *   so frames written beside them keep their order. Of the frames it writes unasked, a pong may
 *   come between messages, as control frames may; the call that writes a close frame (the
 *   answer to the server's, or for a protocol error) also takes it out of OPEN, and the
 *   transport writes nothing once it is out. When `_socket` is not there or cannot `write`,
 *   the transport hands every message to `ws`: slower, never wrong.
 * - whether a close was clean, which `ws` computes for its own `CloseEvent` from two flags
 *   and does not pass to `close` listeners. Without the flags, a close is clean unless 1006.
 *
 * Both were written against ws 8 ({@link TESTED_WS_MAJOR}): `test/integration/ws-internals.test.ts`
 * fails when an installed `ws` is of another major version or keeps either elsewhere.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/** The major version of `ws` whose `_socket` this was written and tested against. */
export const TESTED_WS_MAJOR = 8;

/** What the transport needs of the TCP socket. */
export type FrameWriter = Pick<Socket, 'write'>;

/** The TCP socket under `ws`, or `undefined` when `ws` does not keep one where ws 8 does. */
export function tcpSocketOf(ws: WebSocket): FrameWriter | undefined {
  const tcp = (ws as unknown as { _socket?: Partial<Socket> | null })._socket;
  return tcp && typeof tcp.write === 'function' ? (tcp as Socket) : undefined;
}

/** The flags ws 8 sets as the closing handshake goes, which its own `CloseEvent` reads for `wasClean`. */
interface CloseFlags {
  readonly _closeFrameReceived?: boolean;
  readonly _closeFrameSent?: boolean;
}

/** Whether `ws` closed with `code` after a closing handshake both ways, as its own `CloseEvent` would say. */
export function closedCleanly(ws: WebSocket, code: number): boolean {
  const flags = ws as unknown as CloseFlags;
  return flags._closeFrameReceived === undefined ? code !== 1006 : Boolean(flags._closeFrameReceived && flags._closeFrameSent);
}
