/**
 * A `ws` server that goes down and comes back, as a deployed backend restarts: `stop()` drops
 * every socket without a closing handshake (a crash, or a restart that does not drain) and
 * stops listening; `start()` listens again. Each start takes a new port 0, so no test depends
 * on getting a port back; the proxy in front of it (`retarget`) is the address clients know,
 * as a load balancer's is.
 * Calls take effect in the order made, even when they overlap.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';

import { TEARDOWN_ALLOWANCE, within } from './deadline.js';
import { startWsServer, type TestWsServer } from './ws-server.js';

export interface RestartableBackend {
  /** The port it listens on now (the last one while stopped). */
  readonly port: number;
  /** Listens again, on a new port; resolves with it. */
  start(): Promise<number>;
  /** Drops every socket and stops listening; resolves once every socket has closed. */
  stop(): Promise<void>;
}

/** Starts a backend that hands every WebSocket it accepts to `onConnection`. */
export async function startBackend(onConnection: (socket: WebSocket, request: IncomingMessage) => void): Promise<RestartableBackend> {
  let server: TestWsServer | undefined;
  let port = 0;
  // The soak fires restarts without awaiting them: each call waits for the one before it, so a
  // start never sees a half-stopped server, nor a stop a half-started one.
  let previous: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(operation: () => Promise<T>): Promise<T> => {
    const result = previous.then(operation);
    previous = result.catch(() => undefined);
    return result;
  };
  const backend: RestartableBackend = {
    get port() {
      return port;
    },
    start: () =>
      inTurn(async () => {
        if (server !== undefined) return port;
        server = await startWsServer();
        server.server.on('connection', onConnection);
        return (port = server.port);
      }),
    stop: () =>
      inTurn(async () => {
        const stopping = server;
        server = undefined;
        if (stopping === undefined) return;
        await within('backend.stop()', TEARDOWN_ALLOWANCE, stopping.close(), () => [
          `the server on port ${stopping.port} (${stopping.server.clients.size} WebSockets, ${stopping.sockets.size} TCP connections open) to close`,
        ]);
      }),
  };
  await backend.start();
  return backend;
}
