/**
 * The few things every test server does: listen on 127.0.0.1 at a port the kernel picks, keep
 * track of the sockets it accepts, and close so that nothing is left behind, even when a test
 * fails half-way. No test uses a fixed port.
 */
import { once } from 'node:events';
import net from 'node:net';

export const HOST = '127.0.0.1';

/** Starts `server` listening on 127.0.0.1, port 0; resolves with the port it got. */
export async function listenOnLoopback(server: net.Server): Promise<number> {
  server.listen(0, HOST);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/** Records every socket a server accepts, forgetting it when it closes, and ignores its errors. */
export function trackSockets(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Destroys every accepted socket, then waits until the server has stopped listening. */
export async function closeServer(server: net.Server, sockets: ReadonlySet<net.Socket>): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  for (const socket of sockets) socket.destroy();
  await closed;
}

/**
 * Resets `socket` (RST: its peer sees ECONNRESET), or destroys it if its end is under way, since
 * Node cannot reset that one. After `end()`, until its shutdown is done, libuv refuses to reset a
 * socket (`uv_tcp_close_reset` returns EINVAL while a shutdown is pending), and Node's
 * `resetAndDestroy()` then reports the error and drops the handle without closing it: the socket
 * never emits 'close', and its descriptor stays open for the life of the process. That window
 * is a few callbacks long, unless the socket is still connecting: an end waits for the connect,
 * and a reset asked for after it runs right behind its shutdown. Destroyed instead, the socket
 * closes; its peer, sent an end already, sees the connection end.
 */
export function resetSocket(socket: net.Socket): void {
  const shutdownPending = socket.writableEnded && !socket.writableFinished;
  if (shutdownPending) socket.destroy();
  else socket.resetAndDestroy();
}

/**
 * A loopback port nothing listens on: bound on port 0, then released. Another process could
 * take it in between, but the kernel hands out ephemeral ports in sequence, so that is rare.
 */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenOnLoopback(server);
  server.close();
  await once(server, 'close');
  return port;
}
