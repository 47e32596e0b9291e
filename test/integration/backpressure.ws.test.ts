/**
 * The high watermark against a real `ws` server on loopback: a burst past it emits
 * `backpressure` at once (the frames wait in the corked socket), and `ready`, event and promise,
 * follow once `ws` has confirmed enough writes. Port 0, no sleeps.
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
});
