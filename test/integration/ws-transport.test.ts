/**
 * The `ws` transport on its own, against real `ws` servers on loopback: its protocol pings and
 * the pongs it reports, and the HTTP status it reads from a refused upgrade, which the reconnect
 * policy decides on (403 is final, 503 is worth another attempt). Port 0, no sleeps.
 */
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { TransportFailure } from '../../machines/connection.types.js';
import { systemClock } from '../../src/time.js';
import { wsTransport } from '../../src/transports/ws-transport.js';
import { useHarness } from '../support/harness.js';
import { closeServer, HOST, listenOnLoopback, refusedPort, trackSockets } from '../support/loopback.js';
import { startWsServer } from '../support/ws-server.js';

const { serve } = useHarness();

/** A `ws` transport socket for `url`, with what it reported, in order. */
function open(url: string) {
  const reports: string[] = [];
  const failures: TransportFailure[] = [];
  const events = new EventEmitter();
  const report = (type: string, line = type): void => {
    reports.push(line);
    events.emit(`report:${type}`);
  };
  const socket = wsTransport(
    { url: new URL(url), protocols: [], binaryType: 'arraybuffer', maxPayload: 1024, node: {}, clock: systemClock },
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
