/**
 * The native transport (what browsers and workers use) against real servers, through a
 * standards-following `WebSocket` in Node: undici's, the implementation behind Node's own
 * global `WebSocket`. It proves the parts that differ from the `ws` transport: events through
 * `addEventListener`, `bufferedAmount` read from the platform and turned into per-message fates,
 * and draining by polling, since the platform has no drain event.
 */
import { WebSocket as UndiciWebSocket } from 'undici';
import { describe, expect, it } from 'vitest';
import { record } from '../support/event-log.js';
import type { Connection, ConnectionOptions, WebSocketConstructor } from '../../src/index.js';
import { nextEvent, useHarness } from '../support/harness.js';
import { startThrottleProxy } from '../support/throttle-proxy.js';
import { refusedPort, startStallingServer, startWsServer } from '../support/ws-server.js';

const harness = useHarness();
const WebSocket = UndiciWebSocket as unknown as WebSocketConstructor;
const connect = (url: string, options: ConnectionOptions = {}): Connection => harness.connect(url, { WebSocket, ...options });

/** Every event but `state`, as short lines. */

describe('native transport', () => {
  it('queues before open, echoes text and binary, and closes cleanly', async () => {
    const server = harness.serve(await startWsServer({ echo: true, handleProtocols: () => 'v2' }));
    const connection = connect(server.url, { protocols: ['v1', 'v2'] });
    const replies: unknown[] = [];
    const twoReplies = new Promise<void>((resolve) => connection.on('message', (data) => replies.push(data) === 2 && resolve()));
    connection.send('queued');
    connection.send(new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 4));
    await twoReplies;
    expect(replies[0]).toBe('queued');
    expect(Array.from(new Uint8Array(replies[1] as ArrayBuffer))).toEqual([1, 2, 3]);
    expect(connection.protocol).toBe('v2');
    await expect(connection.close(4000, 'done')).resolves.toEqual({ code: 4000, reason: 'done', wasClean: true, cause: 'normal' });
  });

  it('reports a refused connect as error, then the queue, then close 1006', async () => {
    const connection = connect(`ws://127.0.0.1:${await refusedPort()}/`, { reconnect: false });
    const log = record(connection, { only: ['open', 'error', 'undelivered', 'close'] });
    connection.send('never');
    await connection.closed;
    expect(log).toEqual(['error handshake-failed', 'undelivered never closed-before-open', 'close 1006 handshake-failed unclean']);
  });

  it('aborts on close() while connecting', async () => {
    const server = harness.serve(await startStallingServer());
    const accepted = server.nextSocket();
    const connection = connect(server.url);
    const log = record(connection, { only: ['open', 'error', 'undelivered', 'close'] });
    connection.send('queued');
    await accepted;
    void connection.close();
    expect(connection.readyState).toBe(2);
    await connection.closed;
    expect(log).toEqual(['error aborted', 'undelivered queued closed-before-open', 'close 1006 aborted unclean']);
  });

  it('drains what the platform buffers before the closing handshake', async () => {
    const server = harness.serve(await startWsServer());
    const proxy = harness.serve(await startThrottleProxy(server.port, { bytesPerSecond: 8 * 1024 * 1024 }));
    const received = new Promise<number>((resolve) => {
      let bytes = 0;
      void server.nextConnection().then(({ socket }) => {
        socket.on('message', (data: Buffer) => (bytes += data.length));
        socket.on('close', () => resolve(bytes));
      });
    });
    const connection = connect(proxy.url);
    await nextEvent(connection, 'open');
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < 128; i++) connection.send(chunk); // 8 MiB: more than the kernel buffers hold
    const closing = connection.close(1000);
    expect(connection.state).toBe('closing.draining');
    expect(connection.bufferedAmount).toBeGreaterThan(0);
    await expect(closing).resolves.toMatchObject({ code: 1000, wasClean: true });
    expect(await received).toBe(128 * chunk.byteLength);
  });
});
