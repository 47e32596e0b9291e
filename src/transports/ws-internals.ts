/**
 * The one place statesock reaches into `ws` past its public API: the TCP socket under a `ws`
 * client, which the transport corks so that the frames of one task go to the kernel together.
 *
 * `ws` has no public cork. It keeps the TCP socket as `_socket` (ws 8: checked with
 * {@link TESTED_WS_MAJOR}; `test/integration/ws-internals.test.ts` fails when an installed `ws`
 * is of another major version or keeps it elsewhere). When it is not there, or lacks `cork`,
 * `uncork` or `writableLength`, this returns `undefined` and the transport writes each frame
 * as `ws` does, uncorked: slower, never wrong.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/** The major version of `ws` whose `_socket` this was written and tested against. */
export const TESTED_WS_MAJOR = 8;

/** What the transport needs of the TCP socket. */
export type Corkable = Pick<Socket, 'cork' | 'uncork' | 'writableLength'>;

/** The TCP socket under `ws`, or `undefined` when `ws` does not keep one where ws 8 does. */
export function tcpSocketOf(ws: WebSocket): Corkable | undefined {
  const tcp = (ws as unknown as { _socket?: Partial<Socket> | null })._socket;
  return tcp && typeof tcp.cork === 'function' && typeof tcp.uncork === 'function' && typeof tcp.writableLength === 'number'
    ? (tcp as Socket)
    : undefined;
}
