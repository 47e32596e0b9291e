/**
 * The heartbeat over real sockets on loopback: `ws`'s protocol pings against a server that
 * answers them by itself and one that does not (`autoPong: false`), and the application-level
 * `pingMessage` over the native transport (undici's `WebSocket`, which cannot send pings).
 * Real time with short intervals, so the tests assert counts and order, never durations: where
 * nothing should time out, the timeout is generous and never waited for.
 */
import { WebSocket as UndiciWebSocket } from 'undici';
import { describe, expect, it } from 'vitest';
import { record } from '../support/event-log.js';
import { systemClock } from '../../src/time.js';
import type { Clock, ConnectionOptions, WebSocketConstructor } from '../../src/index.js';
import { nextEvent, useHarness } from '../support/harness.js';
import { startWsServer, type ServerConnection } from '../support/ws-server.js';

const { serve, connect } = useHarness();

/** Fast pings; a pong that takes longer than this is not a slow machine but a bug. */
const ANSWERED = { heartbeatInterval: 20, heartbeatTimeout: 10_000 } as const;
/** Fast pings and a short wait for a pong that will not come. */
const UNANSWERED = { heartbeatInterval: 50, heartbeatTimeout: 100 } as const;
/** Reconnect at once: the backoff is not what these tests are about. */
const NO_WAIT = { random: () => 0 } as const;

const undici = UndiciWebSocket as unknown as WebSocketConstructor;

/** Resolves once `peer` has received `count` of what `on` counts. */
function receives(
  peer: ServerConnection,
  event: 'ping' | 'message',
  count: number,
  matches: (data: Buffer) => boolean = () => true,
): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => peer.socket.on(event, (data: Buffer) => matches(data) && ++seen === count && resolve()));
}

/** Every close and open, in order. */

describe('protocol pings (ws)', () => {
  it('keeps a connection whose server answers pings, pinging again after each pong', async () => {
    const server = serve(await startWsServer());
    const connection = connect(server.url, ANSWERED);
    const log = record(connection, { only: ['open', 'close'] });
    // Each ping after the first goes out only once the previous pong came back and was heard.
    await receives(await server.nextConnection(), 'ping', 3);
    expect(connection.state).toBe('open');
    expect(log).toEqual(['open']);
  });

  it('drops the socket with heartbeat-timeout when the server does not answer, and reconnects', async () => {
    const server = serve(await startWsServer({ autoPong: false }));
    const connection = connect(server.url, { ...UNANSWERED, ...NO_WAIT });
    const log = record(connection, { only: ['open', 'close'] });
    const dropped = nextEvent(connection, 'close');
    const reopened = new Promise<void>((resolve) => {
      let opens = 0;
      connection.on('open', () => ++opens === 2 && resolve());
    });
    await receives(await server.nextConnection(), 'ping', 1);
    expect(await dropped).toMatchObject({ code: 1006, wasClean: false, cause: 'heartbeat-timeout', willReconnect: true });
    await reopened;
    expect(server.connections).toHaveLength(2);
    expect(log).toEqual(['open', 'close 1006 heartbeat-timeout unclean (will reconnect)', 'open']);
  });
});

describe('application-level pings (native transport)', () => {
  const PING = 'ping?';
  const isPing = (data: Buffer): boolean => data.toString() === PING;

  it('sends pingMessage and takes the server’s answer as the pong', async () => {
    const server = serve(await startWsServer());
    server.server.on('connection', (socket) => socket.on('message', (data: Buffer) => isPing(data) && socket.send('pong!')));
    const connection = connect(server.url, { WebSocket: undici, pingMessage: PING, ...ANSWERED });
    const log = record(connection, { only: ['open', 'close'] });
    const messages: unknown[] = [];
    connection.on('message', (data) => messages.push(data));
    await receives(await server.nextConnection(), 'message', 3, isPing);
    expect(connection.state).toBe('open');
    expect(log).toEqual(['open']);
    expect(messages.slice(0, 2)).toEqual(['pong!', 'pong!']);
  });

  it('drops the socket with heartbeat-timeout when nothing answers the ping message', async () => {
    const server = serve(await startWsServer());
    const connection = connect(server.url, { WebSocket: undici, pingMessage: PING, reconnect: false, ...UNANSWERED });
    const log = record(connection, { only: ['open', 'close'] });
    const pinged = receives(await server.nextConnection(), 'message', 1, isPing);
    await expect(connection.closed).resolves.toMatchObject({ code: 1006, cause: 'heartbeat-timeout' });
    await pinged;
    expect(log).toEqual(['open', 'close 1006 heartbeat-timeout unclean']);
  });

  it('runs no heartbeat without pingMessage', async () => {
    // An interval no other timer uses, so the clock can tell whether the ping timer ever started.
    const heartbeatInterval = 37;
    const delays: number[] = [];
    const clock: Clock = {
      now: () => systemClock.now(),
      setTimeout: (callback, delay) => (delays.push(delay), systemClock.setTimeout(callback, delay)),
      clearTimeout: (handle) => systemClock.clearTimeout(handle),
    };
    const server = serve(await startWsServer());
    const options: ConnectionOptions = { WebSocket: undici, clock, heartbeatInterval, reconnect: false };
    const connection = connect(server.url, options);
    const opened = nextEvent(connection, 'open');
    const peer = await server.nextConnection();
    let pings = 0;
    peer.socket.on('ping', () => (pings += 1));
    const first = new Promise<string>((resolve) => peer.socket.once('message', (data: Buffer) => resolve(data.toString())));
    await opened;
    connection.send('marker');
    expect(await first).toBe('marker'); // nothing went out before it
    expect(delays).not.toContain(heartbeatInterval);
    expect(pings).toBe(0);
  });
});
