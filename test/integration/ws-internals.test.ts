/**
 * The `ws` internals the transport relies on, pinned: the installed `ws` must be of the major
 * version the transport's own framing was written against, keep its TCP socket where that
 * version does, and write its own frames there before `send`, `ping` and `close` return, so
 * that frames the transport writes beside them keep their order. A new `ws` that moves the
 * socket fails here (the transport would then hand every message to `ws`, see
 * `ws-without-tcp-socket.test.ts`), so the change is noticed, not silently slower.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { closedCleanly, tcpSocketOf, TESTED_WS_MAJOR } from '../../src/transports/ws-internals.js';
import { useHarness } from '../support/harness.js';
import { startWsServer } from '../support/ws-server.js';

const { serve } = useHarness();

describe('ws internals the transport reaches', () => {
  it('runs on the ws major version they were tested with', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../node_modules/ws/package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(Number(version.split('.')[0])).toBe(TESTED_WS_MAJOR);
  });

  it('finds the TCP socket of an open ws client, writable', async () => {
    const server = serve(await startWsServer());
    const ws = new WebSocket(server.url);
    await once(ws, 'open');
    const tcp = tcpSocketOf(ws);
    expect(tcp).toBeInstanceOf(Socket);
    expect(tcp).toBe((ws as unknown as { _socket: unknown })._socket);
    ws.terminate();
  });

  it('writes its own frames to that socket before send, ping and close return, with no extension negotiated', async () => {
    const server = serve(await startWsServer());
    const ws = new WebSocket(server.url, { perMessageDeflate: false });
    await once(ws, 'open');
    const tcp = tcpSocketOf(ws)!;
    let written = 0;
    const write = tcp.write.bind(tcp) as (chunk: Buffer, callback?: () => void) => boolean;
    (tcp as { write: unknown }).write = (chunk: Buffer, callback?: () => void) => {
      written += chunk.length;
      return write(chunk, callback);
    };
    // Whole frames, by the time each call returns: 6 bytes of header and mask key, the payload, and the close code.
    const after = (call: () => void) => (call(), written);
    expect([
      after(() => ws.send('text')),
      after(() => ws.send(new Uint8Array(200))),
      after(() => ws.ping()),
      after(() => ws.close(1000)),
    ]).toEqual([10, 10 + 208, 218 + 6, 224 + 8]);
    // The call that wrote the close frame also left OPEN: the transport writes nothing after it.
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    await once(ws, 'close');
  });

  it('finds nothing where a ws of another shape keeps no writable socket', () => {
    const shapes: unknown[] = [{}, { _socket: null }, { _socket: {} }, { _socket: { write: true } }];
    for (const shape of shapes) expect(tcpSocketOf(shape as WebSocket)).toBeUndefined();
  });

  it('keeps the close-frame flags ws 8 sets: a closing handshake both ways is clean', async () => {
    const server = serve(await startWsServer());
    const ws = new WebSocket(server.url);
    await once(ws, 'open');
    ws.close(1000, 'done');
    const [code] = (await once(ws, 'close')) as [number];
    const flags = ws as unknown as Record<string, unknown>;
    expect([flags['_closeFrameReceived'], flags['_closeFrameSent']]).toEqual([true, true]);
    expect(closedCleanly(ws, code)).toBe(true);
  });

  it('says a terminated socket did not close cleanly, whatever its code', async () => {
    const server = serve(await startWsServer());
    const ws = new WebSocket(server.url);
    await once(ws, 'open');
    ws.terminate();
    await once(ws, 'close');
    const flags = ws as unknown as Record<string, unknown>;
    expect([flags['_closeFrameReceived'], flags['_closeFrameSent']]).toEqual([false, false]);
    expect(closedCleanly(ws, 1000)).toBe(false);
  });

  it('reads a close frame received but never answered as unclean, and falls back on the code without the flags', () => {
    expect(closedCleanly({ _closeFrameReceived: true, _closeFrameSent: false } as unknown as WebSocket, 1000)).toBe(false);
    expect(closedCleanly({ _closeFrameReceived: false, _closeFrameSent: true } as unknown as WebSocket, 1000)).toBe(false);
    expect(closedCleanly({} as unknown as WebSocket, 1000)).toBe(true);
    expect(closedCleanly({} as unknown as WebSocket, 1006)).toBe(false);
  });
});
