/**
 * The high watermark and the buffer cap against a real `ws` server on loopback: a burst past
 * the watermark emits `backpressure` at once (the task's frames are gathered until its end), and
 * `ready`, event and promise, follow once enough writes are confirmed; a burst past
 * `maxBufferedBytes` has its excess refused and reported `buffer-full`, and the rest arrives.
 * Port 0, no sleeps.
 */
import { describe, expect, it } from 'vitest';
import { createConnection } from '../../src/index.js';
import { useHarness } from '../support/harness.js';
import { startWsServer } from '../support/ws-server.js';

const { serve } = useHarness();

describe('backpressure on the ws transport', () => {
  it('reports the crossing both ways and resolves ready once the writes are confirmed', async () => {
    const server = serve(await startWsServer());
    const connection = createConnection(server.url, { highWaterMark: 256 * 1024, reconnect: false, heartbeatInterval: 0 });
    const log: string[] = [];
    connection.on('backpressure', ({ bufferedAmount, highWaterMark }) => log.push(`backpressure ${bufferedAmount} ${highWaterMark}`));
    connection.on('ready', () => log.push('ready'));
    const [{ socket: peer }] = await Promise.all([
      server.nextConnection(),
      new Promise<void>((resolve) => connection.on('open', () => resolve())),
    ]);
    const chunk = new Uint8Array(64 * 1024);
    let received = 0;
    const all = new Promise<void>((resolve) =>
      peer.on('message', (data: Buffer) => (received += data.length) === 8 * chunk.length && resolve()),
    );
    for (let i = 0; i < 8; i++) connection.send(chunk);
    expect(log).toEqual([`backpressure ${4 * chunk.length} ${256 * 1024}`]);
    expect(connection.bufferedAmount).toBe(8 * chunk.length);
    await connection.ready;
    expect(connection.bufferedAmount).toBeLessThan(256 * 1024);
    expect(log).toEqual([`backpressure ${4 * chunk.length} ${256 * 1024}`, 'ready']);
    await all;
    await connection.close();
  });

  it('refuses what passes maxBufferedBytes while open, reporting each refused message buffer-full, and delivers the rest in order', async () => {
    const server = serve(await startWsServer());
    const cap = 1024 * 1024;
    const connection = createConnection(server.url, { maxBufferedBytes: cap, reconnect: false, heartbeatInterval: 0 });
    const undelivered: [number, string][] = [];
    connection.on('undelivered', ({ data, reason }) => undelivered.push([(data as Uint8Array)[0]!, reason]));
    const [{ socket: peer }] = await Promise.all([
      server.nextConnection(),
      new Promise<void>((resolve) => connection.on('open', () => resolve())),
    ]);
    // 64 KiB each, numbered by their first byte; sent in one task, so none is confirmed written before the last is sent.
    const chunks = Array.from({ length: 32 }, (_, i) => new Uint8Array(64 * 1024).fill(i));
    const received: number[] = [];
    const fits = cap / (64 * 1024);
    const all = new Promise<void>((resolve) => peer.on('message', (data: Buffer) => received.push(data[0]!) === fits && resolve()));
    const accepted = chunks.map((chunk) => connection.send(chunk));
    expect(accepted).toEqual(chunks.map((_, i) => i < fits));
    expect(connection.bufferedAmount).toBe(cap);
    await all;
    expect(received).toEqual(Array.from({ length: fits }, (_, i) => i));
    expect(undelivered).toEqual(Array.from({ length: chunks.length - fits }, (_, i) => [fits + i, 'buffer-full']));
    await connection.close();
  });
});
