/**
 * Reconnection over real `ws` sockets on loopback (port 0): a server restarting (close 1012) is
 * reconnected to, and what the application sent during the wait arrives on the new socket, in
 * order. The waits are real but short (`minReconnectDelay`); the test awaits events, never time.
 */
import { describe, expect, it } from 'vitest';
import { startWsServer } from '../support/ws-server.js';
import { nextEvent, useHarness } from '../support/harness.js';

const { serve, connect } = useHarness();

describe('reconnection with a ws server', () => {
  it('reconnects after a close 1012 and delivers what was queued meanwhile, in order, on the new socket', async () => {
    const server = serve(await startWsServer());
    void server.nextConnection().then(({ socket }) => socket.close(1012, 'service restart'));
    const second = server.nextConnection().then(({ socket }) => {
      const received: string[] = [];
      return new Promise<string[]>((resolve) =>
        socket.on('message', (data: Buffer) => received.push(data.toString()) === 3 && resolve(received)),
      );
    });
    const connection = connect(server.url, { minReconnectDelay: 20 });
    const close = await nextEvent(connection, 'close');
    expect(close).toEqual({ code: 1012, reason: 'service restart', wasClean: true, cause: 'normal', willReconnect: true });
    expect(connection.state).toBe('reconnecting');
    for (const text of ['one', 'two', 'three']) expect(connection.send(text)).toBe(true);

    expect(await second).toEqual(['one', 'two', 'three']);
    expect(connection.state).toBe('open');
    expect(server.connections).toHaveLength(2);
    expect(await connection.close(1000)).toMatchObject({ code: 1000, wasClean: true });
  });
});
