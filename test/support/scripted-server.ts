/**
 * A real `ws` server on 127.0.0.1, port 0, that does nothing on its own: each test step says
 * what it does next. An upgrade request waits until the step accepts it (the `ws` handshake),
 * refuses it (an HTTP 403, or the status the step names) or drops it; leaving it waiting stalls
 * the handshake. An accepted connection can be closed with a code, break the protocol, answer a
 * ping, or be reset at the TCP level. It does not answer pings by itself (`autoPong: false`), so
 * a step decides whether a heartbeat's ping gets its pong.
 *
 * Holding the client's data: clients connect through the server's `agent`, whose sockets pass
 * the client's outgoing bytes through a `Link` the server controls. While a link holds, the
 * client's writes do not complete, exactly as when the kernel's send buffer is full, so `ws`
 * has not called back and `bufferedAmount` stays above 0. Pausing the server's reads alone
 * would need more bytes than the loopback socket buffers hold (about 4 MB here, and a sysctl
 * elsewhere), which would make the figures depend on the machine; the link makes them exact.
 */
import { once } from 'node:events';
import { Agent, createServer, type ClientRequestArgs, type IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

import { HOST, listenOnLoopback } from './loopback.js';

type WriteCallback = (error?: Error | null) => void;
interface HeldWrite {
  readonly bytes: number;
  readonly forward: () => void;
  readonly callback: WriteCallback;
}

/** The client's outgoing bytes, between its `ws` and the kernel. Open until told to hold. */
export class Link extends net.Socket {
  #holding = false;
  /** Bytes `release()` still lets through while holding. */
  #allowance = 0;
  readonly #held: HeldWrite[] = [];

  /** Stops the client's writes from completing, from now on. */
  hold(): void {
    this.#holding = true;
  }

  /** Lets through what the client has written so far (and no more); later writes are held. */
  release(): void {
    this.#allowance = this.writableLength;
    this.#pump();
  }

  /** Lets everything through, from now on. */
  open(): void {
    this.#holding = false;
    this.#pump();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: WriteCallback): void {
    this.#gate(chunk.length, () => super._write(chunk, encoding, callback), callback);
  }

  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: WriteCallback): void {
    const bytes = chunks.reduce((sum, { chunk }) => sum + chunk.length, 0);
    this.#gate(bytes, () => super._writev!(chunks, callback), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A real socket fails the writes still pending when it is destroyed.
    for (const write of this.#held.splice(0)) write.callback(new Error('The link was destroyed with this write held'));
    super._destroy(error, callback);
  }

  #gate(bytes: number, forward: () => void, callback: WriteCallback): void {
    this.#held.push({ bytes, forward, callback });
    this.#pump();
  }

  #pump(): void {
    for (let next = this.#held[0]; next !== undefined; next = this.#held[0]) {
      if (this.#holding && next.bytes > this.#allowance) return;
      if (this.#holding) this.#allowance -= next.bytes;
      this.#held.shift();
      next.forward();
    }
  }
}

/** An accepted WebSocket, server side, and the link its client writes through. */
export interface ScriptedConnection {
  readonly socket: WebSocket;
  readonly link: Link;
  /** Every message the server received, in order, as text. */
  readonly received: string[];
  /** Sends a message to the client. */
  send(data: string): void;
  /** Starts the closing handshake from the server. */
  close(code: number, reason: string): void;
  /** Sends a frame with a reserved opcode: the client fails the connection (`protocol-error`). */
  breakProtocol(): void;
  /** Sends a pong, as the answer to the client's heartbeat ping (RFC 6455 §5.5.3 allows it unasked, too). */
  pong(): void;
  /** Resets the TCP connection: no closing handshake, no FIN. */
  drop(): void;
}

/** An upgrade request the server has not answered yet. Not answering it stalls the handshake. */
export interface PendingUpgrade {
  readonly link: Link;
  /** Completes the WebSocket handshake. The link holds from now on: the test releases it. */
  accept(): ScriptedConnection;
  /** Answers with an HTTP error instead of the handshake. */
  refuse(status?: number): void;
  /** Resets the TCP connection before answering. */
  drop(): void;
}

export interface ScriptedServer {
  readonly url: string;
  /** Clients must connect through it (the `agent` option) so that the server controls their link. */
  readonly agent: Agent;
  /** The link of every client socket, oldest first. */
  readonly links: readonly Link[];
  /** The upgrade request that came over `link`, once it has arrived. */
  upgradeOver(link: Link): Promise<PendingUpgrade>;
  /** Resets every connection and stops listening. */
  close(): Promise<void>;
}

/** A frame with opcode 0x3, reserved by RFC 6455 §5.2: any client must fail the connection. */
const RESERVED_OPCODE_FRAME = Buffer.from([0x83, 0x00]);

export async function startScriptedServer(): Promise<ScriptedServer> {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const links: Link[] = [];
  /** Links by their local port, noted on connect: a destroyed socket no longer knows its port. */
  const linkByPort = new Map<number, Link>();
  const tcp = new Set<net.Socket>();
  const upgrades = new Map<Link, PendingUpgrade>();
  const waiting = new Map<Link, (upgrade: PendingUpgrade) => void>();

  http.on('connection', (socket: net.Socket) => {
    tcp.add(socket);
    socket.on('error', () => {}); // resets are what these tests do
    socket.on('close', () => tcp.delete(socket));
  });

  http.on('upgrade', (request: IncomingMessage, duplex: Duplex, head: Buffer) => {
    // Node types the upgrade's socket as a stream; on a TCP server it is the TCP socket.
    if (!(duplex instanceof net.Socket)) throw new TypeError('Expected the upgrade to arrive on a TCP socket');
    const socket = duplex;
    const port = socket.remotePort!;
    const link = linkByPort.get(port);
    if (link === undefined) {
      // Not one of this server's clients: refuse to play along rather than guess.
      socket.destroy();
      return;
    }
    const upgrade = pendingUpgrade(wss, request, socket, head, link);
    upgrades.set(link, upgrade);
    waiting.get(link)?.(upgrade);
  });

  const port = await listenOnLoopback(http);

  const agent = new (class extends Agent {
    override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex {
      const link = new Link();
      links.push(link);
      link.connect({ host: options.host ?? HOST, port: Number(options.port) });
      link.once('connect', () => linkByPort.set(link.localPort!, link));
      if (callback) link.once('connect', () => callback(null, link));
      return link;
    }
  })();

  return {
    url: `ws://${HOST}:${port}/`,
    agent,
    links,
    upgradeOver(link) {
      const arrived = upgrades.get(link);
      return arrived ? Promise.resolve(arrived) : new Promise<PendingUpgrade>((resolve) => waiting.set(link, resolve));
    },
    async close() {
      for (const socket of tcp) socket.resetAndDestroy();
      for (const link of links) link.destroy();
      wss.close();
      const closed = once(http, 'close');
      http.close();
      await closed;
    },
  };
}

function pendingUpgrade(wss: WebSocketServer, request: IncomingMessage, socket: net.Socket, head: Buffer, link: Link): PendingUpgrade {
  return {
    link,
    accept() {
      // Before the 101 goes out, so that nothing the client writes once open slips through.
      link.hold();
      let accepted: WebSocket | undefined;
      wss.handleUpgrade(request, socket, head, (ws) => (accepted = ws));
      // `handleUpgrade` calls back synchronously when nothing (no verifyClient) is asynchronous.
      if (accepted === undefined) throw new Error('The ws handshake did not complete synchronously');
      return scriptedConnection(accepted, socket, link);
    },
    refuse(status = 403) {
      socket.end(`HTTP/1.1 ${status} Refused by the script\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    },
    drop() {
      socket.resetAndDestroy();
    },
  };
}

function scriptedConnection(ws: WebSocket, socket: net.Socket, link: Link): ScriptedConnection {
  const received: string[] = [];
  ws.on('message', (data: Buffer) => received.push(data.toString()));
  ws.on('error', () => {}); // the client breaking off is part of the script
  return {
    socket: ws,
    link,
    received,
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    breakProtocol: () => socket.write(RESERVED_OPCODE_FRAME),
    pong: () => ws.pong(),
    drop: () => socket.resetAndDestroy(),
  };
}
