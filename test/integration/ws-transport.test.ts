/**
 * The `ws` transport on its own, against real `ws` servers on loopback: its protocol pings and
 * the pongs it reports, and the HTTP status it reads from a refused upgrade, which the reconnect
 * policy decides on (403 is final, 503 is worth another attempt). Port 0, no sleeps.
 */
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import { Socket } from 'node:net';
import WebSocket from 'ws';
import { describe, expect, it, vi } from 'vitest';
import type { TransportFailure } from '../../machines/connection.types.js';
import { createConnection, type NodeClientOptions } from '../../src/index.js';
import { systemClock } from '../../src/time.js';
import { wsTransport } from '../../src/transports/ws-transport.js';
import { countingAgent } from '../support/counting-agent.js';
import { startWssServer, TEST_CA } from '../support/tls.js';
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

describe('ws transport: the frames of one task go to the kernel together', () => {
  it('finds the TCP socket where the ws versions it was tested with keep it (a new ws that moves it fails here)', async () => {
    const server = serve(await startWsServer());
    const ws = new WebSocket(server.url);
    await once(ws, 'open');
    const tcp = (ws as unknown as { _socket?: unknown })._socket;
    expect(tcp).toBeInstanceOf(Socket);
    ws.terminate();
  });

  it('hands a burst to the kernel in two writes (the first frame at once, then the rest together), in order, confirming every message', async () => {
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
    expect(counts.writes - before).toBe(2);
    expect(client.socket.bufferedAmount).toBe(0);
    await all;
    expect(received).toEqual(messages);
    client.socket.terminate();
  });

  it('hands the queue flushed on open to the kernel in two writes after the handshake, in order', async () => {
    const server = serve(await startWsServer());
    const { agent, counts } = countingAgent();
    const connection = createConnection(server.url, { agent, reconnect: false, heartbeatInterval: 0 });
    const messages = Array.from({ length: 200 }, (_, i) => `q${i}`);
    for (const message of messages) connection.send(message);
    const { socket: peer } = await server.nextConnection();
    const received: string[] = [];
    await new Promise<void>((resolve) =>
      peer.on('message', (data) => received.push((data as Buffer).toString()) === messages.length && resolve()),
    );
    expect(received).toEqual(messages);
    expect(connection.bufferedAmount).toBe(0);
    // The upgrade request, the first frame, then every other queued frame at once (2 or 3 bytes of payload and 6 of header each).
    expect(counts.writes).toBe(3);
    expect(counts.sizes[1]! + counts.sizes[2]!).toBe(messages.reduce((sum, m) => sum + m.length + 6, 0));
    expect(counts.sizes[1]).toBe(messages[0]!.length + 6);
    await connection.close();
  });

  it('holds back no lone send: one message per task is written at once', async () => {
    const server = serve(await startWsServer());
    const { agent, counts } = countingAgent();
    const client = open(server.url, { agent });
    await Promise.all([server.nextConnection(), client.next('open')]);
    const before = counts.writes;
    client.socket.send('alone', 5, 'alone');
    expect(counts.writes - before).toBe(1); // in the kernel before send() returned
    await new Promise<void>((resolve) => client.socket.whenDrained(resolve));
    client.socket.terminate();
  });

  it('sends large text and binary beside small text, in order, as text and binary, all confirmed', async () => {
    const server = serve(await startWsServer());
    const client = open(server.url);
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    const messages: (string | Uint8Array<ArrayBuffer>)[] = [
      'small',
      'é'.repeat(10_000),
      new Uint8Array(70_000).fill(3),
      'x'.repeat(70_000),
      'end',
    ];
    const sizes = [5, 20_000, 70_000, 70_000, 3];
    const received: { text: boolean; bytes: number }[] = [];
    const all = new Promise<void>((resolve) =>
      peer.on(
        'message',
        (data: Buffer, isBinary) => received.push({ text: !isBinary, bytes: data.length }) === messages.length && resolve(),
      ),
    );
    messages.forEach((message, i) => client.socket.send(message, sizes[i]!, message));
    expect(client.socket.bufferedAmount).toBe(sizes.reduce((sum, size) => sum + size, 0));
    await new Promise<void>((resolve) => client.socket.whenDrained(resolve));
    await all;
    expect(received).toEqual(sizes.map((bytes, i) => ({ text: typeof messages[i] === 'string', bytes })));
    expect(client.socket.bufferedAmount).toBe(0);
    client.socket.terminate();
  });

  it('with permessage-deflate negotiated, hands every message to ws, which compresses it: a burst arrives in order, every message confirmed', async () => {
    const server = serve(await startWsServer({ perMessageDeflate: { threshold: 0 } }));
    const client = open(server.url, { perMessageDeflate: true });
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    expect(peer.extensions).toContain('permessage-deflate');
    // Small text, compressible binary and large text, mixed: some compressed, some not, all in one task.
    const messages = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0 ? `m${i}` : i % 3 === 1 ? new Uint8Array(10_000).fill(i % 256) : `${i}`.padEnd(20_000, 'y'),
    );
    const sizeOf = (message: string | Uint8Array) => (typeof message === 'string' ? message.length : message.byteLength);
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      peer.on(
        'message',
        (data: Buffer, isBinary) =>
          received.push(isBinary ? `binary ${data[0]}` : data.toString().slice(0, 6)) === messages.length && resolve(),
      ),
    );
    const send = vi.spyOn(WebSocket.prototype, 'send');
    try {
      for (const message of messages) client.socket.send(message, sizeOf(message), message);
      expect(send).toHaveBeenCalledTimes(messages.length);
    } finally {
      send.mockRestore();
    }
    expect(client.socket.bufferedAmount).toBe(messages.reduce((sum, message) => sum + sizeOf(message), 0));
    await new Promise<void>((resolve) => client.socket.whenDrained(resolve));
    await all;
    expect(received).toEqual(messages.map((message) => (typeof message === 'string' ? message.slice(0, 6) : `binary ${message[0]}`)));
    expect(client.socket.bufferedAmount).toBe(0);
    client.socket.terminate();
  });

  it("asks to confirm a task's first write, then at most one write per MiB, and its last: one confirmation covers those before it", async () => {
    const server = serve(await startWsServer());
    const client = open(server.url);
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    const messages = Array.from({ length: 40 }, (_, i) => new Uint8Array(64 * 1024).fill(i));
    const received = new Promise<number[]>((resolve) => {
      const firstBytes: number[] = [];
      peer.on('message', (data: Buffer) => firstBytes.push(data[0]!) === messages.length && resolve(firstBytes));
    });
    const write = vi.spyOn(Socket.prototype, 'write');
    try {
      for (const message of messages) client.socket.send(message, message.byteLength, message);
      await Promise.resolve(); // the task is over: its last frame has been written
      const confirmed = write.mock.calls.flatMap((call, i) => (call.some((arg) => typeof arg === 'function') ? [i] : []));
      expect(write).toHaveBeenCalledTimes(40); // a frame of 64 KiB and more fills a write of its own
      expect(confirmed).toEqual([0, 16, 32, 39]); // 16 frames of 64 KiB and 14 bytes: just over 1 MiB per confirmation
    } finally {
      write.mockRestore();
    }
    await new Promise<void>((resolve) => client.socket.whenDrained(resolve));
    expect(client.socket.bufferedAmount).toBe(0);
    expect(await received).toEqual(messages.map((_, i) => i));
    client.socket.terminate();
  });

  it('frames messages of every length class and kind in one task, a Blob among them, as a ws server reads them: in order, byte for byte', async () => {
    const server = serve(await startWsServer());
    const client = open(server.url);
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const messages: (string | ArrayBuffer | ArrayBufferView | Blob)[] = [
      '',
      'é',
      'x'.repeat(125),
      '😀'.repeat(32), // 128 bytes: a 16-bit length
      'y'.repeat(65_535),
      'z'.repeat(65_536), // a 64-bit length
      'a\uD800b', // a lone surrogate, sent as U+FFFD
      bytes.subarray(3, 130),
      new DataView(bytes.buffer, 1, 65_536),
      bytes.buffer,
      new Blob(['from a blob']),
      'after the blob',
    ];
    const sizes = messages.map((message) =>
      typeof message === 'string' ? Buffer.byteLength(message) : message instanceof Blob ? message.size : message.byteLength,
    );
    const expected = messages.map((message) =>
      typeof message === 'string'
        ? `text ${Buffer.from(message).toString('base64')}`
        : message instanceof Blob
          ? 'blob'
          : `binary ${Buffer.from(ArrayBuffer.isView(message) ? new Uint8Array(message.buffer, message.byteOffset, message.byteLength) : new Uint8Array(message)).toString('base64')}`,
    );
    expected[10] = `binary ${Buffer.from('from a blob').toString('base64')}`;
    const received = new Promise<string[]>((resolve) => {
      const got: string[] = [];
      peer.on(
        'message',
        (data: Buffer, isBinary) =>
          got.push(`${isBinary ? 'binary' : 'text'} ${data.toString('base64')}`) === messages.length && resolve(got),
      );
    });
    messages.forEach((message, i) => client.socket.send(message, sizes[i]!, message));
    expect(await received).toEqual(expected);
    await new Promise<void>((resolve) => client.socket.whenDrained(resolve));
    expect(client.socket.bufferedAmount).toBe(0);
    client.socket.terminate();
  });

  it('writes the frames gathered in a task before a close() in that task: the close frame follows every message', async () => {
    const server = serve(await startWsServer());
    const client = open(server.url);
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    const log: string[] = [];
    peer.on('message', (data: Buffer) => log.push(data.toString()));
    const closed = new Promise<void>((resolve) =>
      peer.on('close', (code, reason) => {
        log.push(`close ${code} ${reason.toString()}`);
        resolve();
      }),
    );
    for (const message of ['a', 'b', 'c']) client.socket.send(message, 1, message);
    client.socket.close(1000, 'bye');
    await closed;
    expect(log).toEqual(['a', 'b', 'c', 'close 1000 bye']);
  });

  it('never writes the frames gathered when the socket is terminated in their task, and gives them back as unsent with the rest unconfirmed', async () => {
    const server = serve(await startWsServer());
    const client = open(server.url);
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), client.next('open')]);
    const received: string[] = [];
    peer.on('message', (data: Buffer) => received.push(data.toString()));
    const closed = once(peer, 'close');
    for (const message of ['a', 'b', 'c']) client.socket.send(message, 1, message);
    client.socket.terminate();
    expect(client.socket.takeUnsent()).toEqual(['a', 'b', 'c']);
    await Promise.resolve(); // the task's end: nothing left to write
    await closed;
    expect(received).toEqual(['a'].slice(0, received.length));
  });
});

describe('ws transport: when ws closes first', () => {
  it.each(['ws', 'wss'])(
    'never writes a burst gathered after the close frame ws answered: each message the server did not read is reported undelivered (%s)',
    async (scheme) => {
      const server = serve(scheme === 'wss' ? await startWssServer() : await startWsServer());
      const read: string[] = [];
      const peerClosed = server.nextConnection().then(({ socket: peer }) => {
        peer.on('message', (data: Buffer) => read.push(data.toString()));
        // One TCP chunk for the client: a message, then the close frame.
        peer.send('go');
        peer.close(1000, 'bye');
        return once(peer, 'close');
      });
      const connection = createConnection(server.url, {
        reconnect: false,
        heartbeatInterval: 0,
        ...(scheme === 'wss' ? { ca: TEST_CA } : {}),
      });
      const undelivered: string[] = [];
      connection.on('undelivered', ({ data }) => undelivered.push(data as string));
      // The reply to the server's last message: the first frame goes at once, the rest are gathered until the task's end.
      connection.on('message', () => ['a', 'b', 'c'].forEach((message) => connection.send(message)));
      await Promise.all([new Promise<void>((resolve) => connection.on('close', () => resolve())), peerClosed]);
      for (const message of ['a', 'b', 'c']) expect(read.includes(message) || undelivered.includes(message), message).toBe(true);
      expect(read).toEqual(['a', 'b', 'c'].slice(0, read.length));
    },
  );
});
