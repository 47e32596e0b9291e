/**
 * Counterexamples the property tests found, shrunk, kept as plain tests: each names the
 * property that found it, and fails until the bug it pins is fixed.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { WebSocket as UndiciWebSocket } from 'undici';
import { describe, expect, it } from 'vitest';
import { createConnection, type Connection, type ConnectionEventMap, type Transport, type WebSocketConstructor } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';
import { listenOnLoopback } from '../support/loopback.js';

/**
 * The in-memory transport with its reports held until `release()`: a real socket's events
 * arrive in later tasks, so the network can move on (a server close) before the shell hears
 * an earlier fact (the open).
 */
function heldTransport() {
  const memory = createMemoryTransport();
  const held: (() => void)[] = [];
  const transport: Transport = (request, handlers) =>
    memory.transport(request, {
      open: (...args) => held.push(() => handlers.open(...args)),
      message: (...args) => held.push(() => handlers.message(...args)),
      error: (...args) => held.push(() => handlers.error(...args)),
      close: (...args) => held.push(() => handlers.close(...args)),
      pong: () => held.push(() => handlers.pong()),
    });
  const release = (): void => {
    for (let report = held.shift(); report !== undefined; report = held.shift()) report();
  };
  return { memory, transport, release };
}

function record(connection: Connection): string[] {
  const log: string[] = [];
  for (const type of ['open', 'message', 'error', 'close', 'undelivered'] as const) {
    connection.on(type, (payload) => {
      if (type === 'undelivered') {
        const { data, reason } = payload as ConnectionEventMap['undelivered'];
        log.push(`undelivered ${JSON.stringify(data)} ${reason}`);
      } else if (type === 'close') {
        const { code, cause } = payload as ConnectionEventMap['close'];
        log.push(`close ${code} ${cause}`);
      } else log.push(type);
    });
  }
  return log;
}

describe('MemorySocket: data handed to a socket that has already closed', () => {
  // Found by "gives every message handed to send() exactly one fate" and the conformance
  // property: send("\ud800"), server accepts, server closes(1000, "") before the shell hears the
  // open; the open then flushes the queue into the closed socket, which dropped it silently.
  it('reports a queued message flushed into it once the close is heard', () => {
    const { memory, transport, release } = heldTransport();
    const connection = createConnection('ws://example.test/', { transport, clock: new SimulatedClock() });
    const log = record(connection);
    connection.send('\uD800');
    memory.socket.accept();
    memory.socket.completeClose(1000, '');
    release(); // the open (which flushes the queue), then the close
    expect(log).toEqual(['open', 'undelivered "\\ud800" closed', 'close 1000 normal']);
    expect(memory.socket.written).toEqual([]);
    expect(connection.bufferedAmount).toBe(0);
  });

  // The same through the open-state fast path: found with a listener that sends on open.
  it('reports a message sent while open once the close is heard', () => {
    const { memory, transport, release } = heldTransport();
    const connection = createConnection('ws://example.test/', { transport, clock: new SimulatedClock() });
    const log = record(connection);
    memory.socket.accept();
    release();
    memory.socket.completeClose(3000, '');
    expect(connection.send('late')).toBe(true); // the shell cannot know yet
    release();
    expect(log).toEqual(['open', 'undelivered "late" closed', 'close 3000 normal']);
    expect(memory.socket.written).toEqual([]);
  });
});

/**
 * A WebSocket server scripted byte by byte: it completes the opening handshake and at once
 * sends a Close frame (1000), then holds the TCP connection open until `end()`. `clientClosing`
 * settles when the client's Close frame arrives: the client has then started the closing
 * handshake (readyState CLOSING) but cannot report its close yet.
 */
async function startClosingServer() {
  const server = net.createServer();
  let accepted: net.Socket | undefined;
  let signal!: () => void;
  const clientClosing = new Promise<void>((resolve) => (signal = resolve));
  server.on('connection', (socket) => {
    accepted = socket;
    socket.on('error', () => {});
    let request = '';
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        if ((chunk[0]! & 0x0f) === 0x8) signal(); // a Close frame (the client's are masked, same opcode)
        return;
      }
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      upgraded = true;
      const key = /sec-websocket-key: *(\S+)/i.exec(request)![1]!;
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe8])); // Close, 1000
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `ws://127.0.0.1:${port}/`,
    clientClosing,
    end: () => accepted?.end(),
    close: async () => {
      accepted?.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('native transport: a send after the platform started closing', () => {
  // Found by the real-socket property run with undici's WebSocket: the server closes at once
  // (serverEnd close after 0 messages), the client sends one message after open. undici
  // discards a send once CLOSING without counting it in bufferedAmount (the standard says it
  // must count it), so the transport took the message for written: neither received nor reported.
  it('reports the message undelivered once the close is heard', async () => {
    const server = await startClosingServer();
    try {
      const connection = createConnection(server.url, { WebSocket: UndiciWebSocket as unknown as WebSocketConstructor });
      const log = record(connection);
      await new Promise<void>((resolve) => connection.on('open', () => resolve()));
      await server.clientClosing; // the platform is CLOSING; its close event has not come yet
      expect(connection.state).toBe('open');
      const late = new Uint8Array([0, 0, 0, 0]);
      expect(connection.send(late)).toBe(true);
      server.end();
      await connection.closed;
      expect(log).toEqual(['open', 'undelivered {"0":0,"1":0,"2":0,"3":0} closed', 'close 1000 normal']);
      expect(connection.bufferedAmount).toBe(0);
    } finally {
      await server.close();
    }
  });
});
