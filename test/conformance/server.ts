/**
 * The behaviour server for the conformance suite: one `ws` server on loopback whose URL path
 * selects what it does, as the web-platform-tests `websockets/handlers/*_wsh.py` do. The same
 * server answers Node (directly) and Chromium (attached to the http server that serves the page,
 * so relative URLs in the page reach it).
 *
 * | path | behaviour |
 * |---|---|
 * | `/echo` | sends every message back as it came (text as text, binary as binary) |
 * | `/protocol?select=NAME` | selects NAME (any name, offered or not, even when none was), none for `select=`, the first offered without `select`; then sends the offered subprotocols as a JSON array (`null` without the header) and echoes |
 * | `/close?code=&reason=` | closes right after the handshake, with that code and reason, or with an empty close frame when `code` is absent |
 * | `/drop` | destroys the TCP connection without a closing handshake when the first message arrives |
 * | `/send-then-close` | sends `first`, the bytes 1 2 3, `last`, then closes with 1000 `done` |
 * | `/sink?id=ID` | records what arrives (connections, messages, bytes, the close code and reason); answers nothing; with `&drop`, destroys the TCP connection when the first message arrives |
 * | `/report?id=ID` | once the sink ID has closed, sends its record as JSON |
 * | `/invalid-utf8` | hand-written handshake, then a text frame `test` and a text frame that is not UTF-8 |
 * | `/reject` | answers the upgrade with HTTP 403 |
 * | anything else | HTTP 404 |
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { closeServer, listenOnLoopback, trackSockets } from '../support/loopback.js';

/** What a `/sink` connection received, as `/report` sends it. */
export interface SinkRecord {
  /** Connections made to this sink id so far (a reconnecting client would make more than one). */
  readonly connections: number;
  readonly messages: number;
  /** Payload bytes received, text and binary. */
  readonly bytes: number;
  /** The close code the server received (1005 for a close frame without a body, 1006 for none). */
  readonly code: number;
  readonly reason: string;
}

interface Sink {
  connections: number;
  messages: number;
  bytes: number;
  readonly closed: Promise<{ code: number; reason: string }>;
  resolveClosed(close: { code: number; reason: string }): void;
}

/** The behaviour handlers attached to an http server. */
export interface Behaviours {
  /** Terminates every WebSocket the behaviours accepted. */
  close(): void;
}

/** Handles WebSocket upgrades on `server` by path, as listed above. */
export function attachBehaviours(server: Server): Behaviours {
  const sinks = new Map<string, Sink>();
  const sinkFor = (id: string): Sink => {
    let sink = sinks.get(id);
    if (sink === undefined) {
      let resolveClosed!: Sink['resolveClosed'];
      const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
      sink = { connections: 0, messages: 0, bytes: 0, closed, resolveClosed };
      sinks.set(id, sink);
    }
    return sink;
  };
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered, request) => {
      const select = new URL(request.url ?? '/', 'http://localhost').searchParams.get('select');
      if (select === null) return offered.values().next().value ?? false;
      return select === '' ? false : select;
    },
  });

  // ws consults handleProtocols only when the client offered subprotocols; a server that selects
  // one anyway (RFC 6455 §4.1, client step 6) has to add the header itself.
  wss.on('headers', (headers: string[], request: IncomingMessage) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const select = url.searchParams.get('select');
    if (url.pathname === '/protocol' && select && request.headers['sec-websocket-protocol'] === undefined) {
      headers.push(`Sec-WebSocket-Protocol: ${select}`);
    }
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const url = new URL(request.url ?? '/', 'http://localhost');
    switch (url.pathname) {
      case '/reject':
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      case '/invalid-utf8':
        sendInvalidUtf8(request, socket);
        return;
      case '/echo':
      case '/protocol':
      case '/close':
      case '/drop':
      case '/send-then-close':
      case '/sink':
      case '/report':
        wss.handleUpgrade(request, socket, head, (ws) => behave(url, ws, request));
        return;
      default:
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    }
  });

  function behave(url: URL, ws: WebSocket, request: IncomingMessage): void {
    ws.on('error', () => {});
    const echo = () => ws.on('message', (data: RawData, isBinary: boolean) => ws.send(data as Buffer, { binary: isBinary }));
    switch (url.pathname) {
      case '/echo':
        echo();
        return;
      case '/protocol': {
        // Clients may join the list with "," or ", " (RFC 9110 §5.6.1): send the list itself.
        const offered = request.headers['sec-websocket-protocol'];
        ws.send(JSON.stringify(offered === undefined ? null : offered.split(',').map((protocol) => protocol.trim())));
        echo();
        return;
      }
      case '/close': {
        const code = url.searchParams.get('code');
        if (code === null) ws.close();
        else ws.close(Number(code), url.searchParams.get('reason') ?? undefined);
        return;
      }
      case '/drop':
        ws.once('message', () => ws.terminate());
        return;
      case '/send-then-close':
        ws.send('first');
        ws.send(new Uint8Array([1, 2, 3]));
        ws.send('last');
        ws.close(1000, 'done');
        return;
      case '/sink': {
        const sink = sinkFor(url.searchParams.get('id') ?? '');
        sink.connections++;
        ws.on('message', (data: Buffer) => {
          sink.messages++;
          sink.bytes += data.length;
        });
        ws.on('close', (code: number, reason: Buffer) => sink.resolveClosed({ code, reason: reason.toString() }));
        if (url.searchParams.has('drop')) ws.once('message', () => ws.terminate());
        return;
      }
      case '/report': {
        const sink = sinkFor(url.searchParams.get('id') ?? '');
        void sink.closed.then(({ code, reason }) => {
          const record: SinkRecord = { connections: sink.connections, messages: sink.messages, bytes: sink.bytes, code, reason };
          ws.send(JSON.stringify(record));
        });
        return;
      }
    }
  }

  return {
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/**
 * Completes the opening handshake by hand (RFC 6455 §4.2.2), then sends a valid text frame and a
 * text frame whose payload is not UTF-8, which the client must treat as a failure (§8.1). Whatever
 * the client sends back (its close frame), the server then closes the TCP connection without a
 * close frame of its own.
 */
function sendInvalidUtf8(request: IncomingMessage, socket: Duplex): void {
  const key = request.headers['sec-websocket-key'] ?? '';
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  // FIN + text opcode, unmasked: "test", then the bytes C3 28 (an invalid two-byte sequence).
  socket.write(Buffer.from([0x81, 0x04, 0x74, 0x65, 0x73, 0x74, 0x81, 0x02, 0xc3, 0x28]));
  socket.once('data', () => socket.end());
}

/** The behaviour server on its own http server, for Node. */
export interface BehaviourServer {
  /** `ws://127.0.0.1:<port>` */
  readonly wsOrigin: string;
  close(): Promise<void>;
}

/** Starts the behaviour server on 127.0.0.1, port 0. */
export async function startBehaviourServer(): Promise<BehaviourServer> {
  const server = createServer((_, response) => response.writeHead(404).end());
  const sockets = trackSockets(server);
  const behaviours = attachBehaviours(server);
  const port = await listenOnLoopback(server);
  return {
    wsOrigin: `ws://127.0.0.1:${port}`,
    async close() {
      behaviours.close();
      await closeServer(server, sockets);
    },
  };
}
