/**
 * Real servers on loopback for integration tests: a `ws` server (plain or, through `tls.ts`,
 * TLS), a TCP server that accepts and never answers (a stalled handshake), and a port that
 * refuses connections. Everything listens on 127.0.0.1, port 0, and `close()` destroys every
 * socket it accepted, so a test leaves nothing behind even when it fails half-way.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import net from 'node:net';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { closeServer, HOST, listenOnLoopback, trackSockets } from './loopback.js';

export { refusedPort } from './loopback.js';

/** What `WebSocketServer` accepts, minus what the helper decides (where it listens). */
export interface WsServerOptions extends Omit<ServerOptions, 'host' | 'port' | 'server' | 'noServer' | 'path'> {
  /** Send every message back as it came (text as text, binary as binary). @default false */
  readonly echo?: boolean;
}

/** One accepted WebSocket, with the upgrade request that opened it. */
export interface ServerConnection {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

export interface TestWsServer {
  /** `ws://127.0.0.1:<port>/` (or `wss:`). */
  readonly url: string;
  readonly port: number;
  readonly server: WebSocketServer;
  /** Every WebSocket accepted so far, oldest first. */
  readonly connections: ServerConnection[];
  /** Errors server-side sockets reported (they are listened to, so none crashes the run). */
  readonly errors: Error[];
  /** The n-th call resolves with the n-th WebSocket accepted (at once if it already was). */
  nextConnection(): Promise<ServerConnection>;
  /** Terminates every socket and stops listening. */
  close(): Promise<void>;
}

/** Starts a `ws` server on 127.0.0.1, port 0; resolves once it is listening. */
export function startWsServer(options: WsServerOptions = {}): Promise<TestWsServer> {
  return serveWebSockets(createServer(), 'ws', options);
}

/**
 * Attaches a `WebSocketServer` to `httpServer` (plain or TLS) and listens on 127.0.0.1, port 0.
 * Shared by `startWsServer` and `startWssServer`.
 */
export async function serveWebSockets(
  httpServer: HttpServer | HttpsServer,
  scheme: 'ws' | 'wss',
  { echo = false, ...options }: WsServerOptions = {},
): Promise<TestWsServer> {
  const sockets = trackSockets(httpServer);
  const server = new WebSocketServer({ ...options, server: httpServer });
  const connections: ServerConnection[] = [];
  const errors: Error[] = [];
  let awaited = 0;
  const waiters: ((connection: ServerConnection) => void)[] = [];

  server.on('connection', (socket, request) => {
    socket.on('error', (error) => errors.push(error));
    if (echo) socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    const connection = { socket, request };
    connections.push(connection);
    waiters.shift()?.(connection);
  });

  const port = await listenOnLoopback(httpServer);

  return {
    url: `${scheme}://${HOST}:${port}/`,
    port,
    server,
    connections,
    errors,
    nextConnection() {
      const index = awaited++;
      const existing = connections[index];
      return existing ? Promise.resolve(existing) : new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      for (const { socket } of connections) socket.terminate();
      server.close();
      await closeServer(httpServer, sockets);
    },
  };
}

/** A server that completes TCP connections and never answers: an opening handshake that stalls. */
export interface StallingServer {
  readonly url: string;
  readonly port: number;
  /** The TCP connections accepted so far. */
  readonly sockets: ReadonlySet<net.Socket>;
  /** Resolves when the next TCP connection is accepted. */
  nextSocket(): Promise<net.Socket>;
  close(): Promise<void>;
}

export async function startStallingServer(): Promise<StallingServer> {
  const server = net.createServer();
  const sockets = trackSockets(server);
  const port = await listenOnLoopback(server);
  return {
    url: `ws://${HOST}:${port}/`,
    port,
    sockets,
    nextSocket: async () => (await once(server, 'connection'))[0] as net.Socket,
    close: () => closeServer(server, sockets),
  };
}
