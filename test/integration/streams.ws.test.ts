/**
 * `statesock/streams` against a real `ws` server on loopback: a producer through the writable
 * stays within the watermark plus one chunk while the server is not reading, and keeps its place
 * across a reconnect; a reader that does not read pauses the `ws` socket's reads, which resume
 * once it catches up. Port 0, no sleeps.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConnection } from '../../src/index.js';
import { connectionStreams } from '../../src/streams/index.js';
import { useHarness } from '../support/harness.js';
import { startWsServer } from '../support/ws-server.js';

const { serve } = useHarness();

afterEach(() => vi.restoreAllMocks());

describe('statesock/streams on the ws transport', () => {
  it('keeps a producer within the watermark plus one chunk while the server does not read, delivering every byte in order', async () => {
    const server = serve(await startWsServer());
    const highWaterMark = 256 * 1024;
    const connection = createConnection(server.url, { highWaterMark, reconnect: false, heartbeatInterval: 0 });
    const { writable } = connectionStreams(connection);
    const { socket: peer } = await server.nextConnection();
    peer.pause(); // the server stops reading: the kernel's buffers fill, then ws's confirmations stop
    const chunk = 64 * 1024;
    const count = 320; // 20 MiB
    let received = 0;
    let inOrder = true;
    const all = new Promise<void>((resolve) =>
      peer.on('message', (data: Buffer) => {
        inOrder &&= data[0] === (received / chunk) % 251;
        if ((received += data.length) === count * chunk) resolve();
      }),
    );
    const pressured = new Promise<void>((resolve) => connection.on('backpressure', () => resolve()));
    const writer = writable.getWriter();
    let peak = 0;
    const producer = (async () => {
      for (let i = 0; i < count; i++) {
        await writer.ready;
        void writer.write(new Uint8Array(chunk).fill(i % 251));
        peak = Math.max(peak, connection.bufferedAmount);
      }
      await writer.close();
    })();
    await pressured;
    peer.resume();
    await Promise.all([producer, all]);
    expect(inOrder).toBe(true);
    expect(peak).toBeGreaterThanOrEqual(highWaterMark);
    expect(peak).toBeLessThanOrEqual(highWaterMark + chunk);
  });

  it('keeps its place across a reconnect: what is written while the connection waits goes out on the next socket, in order', async () => {
    const server = serve(await startWsServer());
    const connection = createConnection(server.url, { minReconnectDelay: 20, reconnectJitter: false, heartbeatInterval: 0 });
    const writer = connectionStreams(connection).writable.getWriter();
    const write = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await writer.ready;
        void writer.write(`chunk ${i}`);
      }
    };
    const receive = (peer: WebSocket, count: number) =>
      new Promise<string[]>((resolve) => {
        const got: string[] = [];
        peer.on('message', (data: Buffer) => got.push(data.toString()) === count && resolve(got));
      });
    const undelivered: unknown[] = [];
    connection.on('undelivered', ({ data }) => undelivered.push(data));
    const { socket: first } = await server.nextConnection();
    const onFirst = receive(first, 50);
    await write(0, 50);
    expect(await onFirst).toEqual(Array.from({ length: 50 }, (_, i) => `chunk ${i}`));
    const waiting = new Promise<void>((resolve) => connection.on('reconnecting', () => resolve()));
    first.close(1012, 'restarting');
    await waiting;
    const second = server.nextConnection();
    await write(50, 100); // while the connection waits to reconnect: queued, in order
    const onSecond = receive((await second).socket, 50);
    expect(await onSecond).toEqual(Array.from({ length: 50 }, (_, i) => `chunk ${50 + i}`));
    await writer.close();
    expect(undelivered).toEqual([]);
    await connection.close();
  });

  it('pauses the ws socket reads for a reader that does not read, and resumes them once it has read', async () => {
    const originalPause = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'pause')!.value as (this: WebSocket) => void;
    let paused!: (ws: WebSocket) => void;
    const pausedSocket = new Promise<WebSocket>((resolve) => (paused = resolve));
    vi.spyOn(WebSocket.prototype, 'pause').mockImplementation(function (this: WebSocket) {
      originalPause.call(this);
      paused(this);
    });
    const resume = vi.spyOn(WebSocket.prototype, 'resume');
    const server = serve(await startWsServer());
    const connection = createConnection(server.url, { reconnect: false, heartbeatInterval: 0 });
    const { readable } = connectionStreams(connection, { readableHighWaterMark: 64 * 1024 });
    const { socket: peer } = await server.nextConnection();
    const messages = 200; // about 800 KiB, far past the readable's watermark
    for (let i = 0; i < messages; i++) peer.send(`${i}:${'x'.repeat(4096)}`);
    const client = await pausedSocket;
    expect(client.isPaused).toBe(true);
    expect(resume).not.toHaveBeenCalled();
    const reader = readable.getReader();
    for (let i = 0; i < messages; i++) expect(((await reader.read()).value as string).split(':')[0]).toBe(String(i));
    expect(resume).toHaveBeenCalled();
    expect(client.isPaused).toBe(false);
    await connection.close();
  });
});
