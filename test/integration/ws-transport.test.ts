/**
 * The `ws` transport on its own, against real `ws` servers on loopback: its protocol pings and
 * the pongs it reports, and the HTTP status it reads from a refused upgrade, which the reconnect
 * policy decides on (403 is final, 503 is worth another attempt). Port 0, no sleeps.
 */
import { EventEmitter, once } from 'node:events';
import { Agent, createServer } from 'node:http';
import { createConnection as createNetConnection, Socket, type NetConnectOpts } from 'node:net';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { TransportFailure } from '../../machines/connection.types.js';
import type { NodeClientOptions } from '../../src/index.js';
import { systemClock } from '../../src/time.js';
import { wsTransport } from '../../src/transports/ws-transport.js';
import { useHarness } from '../support/harness.js';
import { closeServer, HOST, listenOnLoopback, refusedPort, trackSockets } from '../support/loopback.js';
import { startWsServer } from '../support/ws-server.js';

const { serve } = useHarness();

/** A `ws` transport socket for `url`, with what it reported, in order. */
function open(url: string, node: NodeClientOptions = {}) {
  const reports: string[] = [];
  const failures: TransportFailure[] = [];
  const events = new EventEmitter();
  const report = (type: string, line = type): void => {
    reports.push(line);
    events.emit(`report:${type}`);
  };
  const socket = wsTransport(
    { url: new URL(url), protocols: [], binaryType: 'arraybuffer', maxPayload: 1024, node, clock: systemClock },
    {
      open: () => report('open'),
      message: () => report('message'),
      error: (failure) => {
        failures.push(failure);
        report('error', `error ${failure.cause}`);
      },
      close: (code) => report('close', `close ${code}`),
      pong: () => report('pong'),
    },
  );
  return { socket, reports, failures, next: (type: 'open' | 'close' | 'pong') => once(events, `report:${type}`) };
}

/** An HTTP server that answers every upgrade request with `status`. */
async function startRefusingServer(status: number) {
  const server = createServer();
  const sockets = trackSockets(server);
  server.on('upgrade', (_request, socket) => {
    socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  const port = await listenOnLoopback(server);
  return { url: `ws://${HOST}:${port}/`, close: () => closeServer(server, sockets) };
}

describe('ws transport', () => {
  it('has protocol pings', () => {
    expect(wsTransport.pings).toBe(true);
  });

  it('sends protocol ping frames and reports each pong, apart from messages', async () => {
    const server = serve(await startWsServer());
    const client = open(server.url);
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    let pingsSeen = 0;
    peer.on('ping', () => (pingsSeen += 1));
    for (let i = 0; i < 3; i++) {
      const pong = client.next('pong');
      client.socket.ping!();
      await pong;
    }
    expect(pingsSeen).toBe(3);
    expect(client.reports).toEqual(['open', 'pong', 'pong', 'pong']);
    client.socket.terminate();
  });

  it('takes a ping on a socket that is not open as a no-op instead of throwing', async () => {
    const client = open(`ws://${HOST}:${await refusedPort()}/`);
    const closed = client.next('close');
    expect(() => client.socket.ping!()).not.toThrow(); // still connecting
    await closed;
    expect(() => client.socket.ping!()).not.toThrow();
    expect(client.reports).toEqual(['error refused', 'close 1006']);
  });

  it.each([403, 503])('reads the HTTP status of a refused upgrade (%i)', async (status) => {
    const server = serve(await startRefusingServer(status));
    const client = open(server.url);
    await client.next('close');
    expect(client.reports).toEqual(['error handshake-failed', 'close 1006']);
    expect(client.failures[0]).toMatchObject({ cause: 'handshake-failed', status, message: `Unexpected server response: ${status}` });
  });

  it('gives no status for a failure that had no HTTP answer', async () => {
    const client = open(`ws://${HOST}:${await refusedPort()}/`);
    await client.next('close');
    expect(client.failures).toHaveLength(1);
    expect(client.failures[0]!.cause).toBe('refused');
    expect(client.failures[0]).not.toHaveProperty('status');
  });
});

describe('ws transport: writes of one task go to the kernel together', () => {
  /** An agent whose sockets count the writes they hand to the kernel (writev included). */
  function countingAgent() {
    const counts = { writes: 0 };
    const agent = new Agent();
    (agent as unknown as { createConnection: (options: NetConnectOpts) => Socket }).createConnection = (options) => {
      const socket = createNetConnection(options);
      for (const method of ['_write', '_writev'] as const) {
        const original = socket[method]!.bind(socket) as (...args: unknown[]) => void;
        socket[method] = ((...args: unknown[]) => {
          counts.writes += 1;
          original(...args);
        }) as never;
      }
      return socket;
    };
    return { agent, counts };
  }

  it('finds the TCP socket where the ws versions it was tested with keep it (a new ws that moves it fails here)', async () => {
    const server = serve(await startWsServer());
    const ws = new WebSocket(server.url);
    await once(ws, 'open');
    const tcp = (ws as unknown as { _socket?: unknown })._socket;
    expect(tcp).toBeInstanceOf(Socket);
    ws.terminate();
  });

  it('hands a burst to the kernel in one write, in order, confirming every message', async () => {
    const server = serve(await startWsServer());
    const { agent, counts } = countingAgent();
    const client = open(server.url, { agent });
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      peer.on('message', (data) => received.push((data as Buffer).toString()) === messages.length && resolve()),
    );
    const messages = Array.from({ length: 200 }, (_, i) => `m${i}`);
    const before = counts.writes;
    for (const message of messages) client.socket.send(message, message.length, message);
    expect(client.socket.bufferedAmount).toBe(messages.reduce((sum, m) => sum + m.length, 0));
    await new Promise<void>((resolve) => client.socket.whenDrained(resolve));
    expect(counts.writes - before).toBe(1);
    expect(client.socket.bufferedAmount).toBe(0);
    await all;
    expect(received).toEqual(messages);
    client.socket.terminate();
  });
});
