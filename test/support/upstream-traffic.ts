/**
 * What one proxy link carried up, message by message: the messages the proxy read from the
 * client (`received`) and those it handed to its socket toward the server (`forwarded`), each
 * read from the bytes themselves by a `FrameReader` at that end. Kept after the link closes, so
 * the accounting can say exactly where a lost message was: before the proxy (never read from
 * the client), in it (read, never passed on: swallowed), or after it (passed on, never
 * processed by the server).
 *
 * "Forwarded" is counted where the proxy writes (every shaper and flow writes through the server
 * socket's `write` and `end`), and only while that socket still takes writes; bytes it takes but
 * never sends (it is destroyed first) count as lost after the proxy, within what the proxy holds.
 */
import type net from 'node:net';
import { seqOf } from './ledger.js';
import { FrameReader, type ReadMessage } from './frame-reader.js';

/** The number a message carries, or `undefined` for one that is not numbered. */
export type Identify = (payload: Buffer, binary: boolean) => number | undefined;

/** The resilience tests' messages: text whose number follows the client's (`${client}:${seq}`, `ledger.ts`). */
export const trackedNumber: Identify = (payload, binary) => {
  if (binary) return undefined;
  const seq = seqOf(payload.toString());
  return Number.isInteger(seq) ? seq : undefined;
};

export class UpstreamTraffic {
  /** The request target of the client's upgrade request (`/?client=3&attempt=2`), once it arrived. */
  path: string | undefined;
  /** The port of the proxy's socket toward the server, once connected: the server sees it as the remote port, which ties the server's socket to this link. */
  serverPort: number | undefined;
  /** Every numbered message the proxy read from the client, in order, with the bytes its frames took. */
  readonly received = new Map<number, number>();
  /** Every numbered message the proxy passed on toward the server, in order. */
  readonly forwarded = new Set<number>();
  /** A message seen twice, or passed on without being read: the accounting reports them. */
  readonly #problems: string[] = [];
  readonly #identify: Identify;
  readonly #fromClient = new FrameReader((message) => this.#note(message, 'received'));
  readonly #toServer = new FrameReader((message) => this.#note(message, 'forwarded'));

  /** Starts reading what `client` sends and what the proxy writes to `server`: call before anything else reads `client`. */
  constructor(client: net.Socket, server: net.Socket, identify: Identify) {
    this.#identify = identify;
    client.once('data', (chunk: Buffer) => {
      this.path = /^[A-Z]+ (\S+) HTTP\//.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 4096)))?.[1];
    });
    client.on('data', (chunk: Buffer) => this.#fromClient.push(chunk));
    server.once('connect', () => (this.serverPort = server.localPort));
    tapWrites(server, (chunk) => this.#toServer.push(chunk));
  }

  /** `?client=N&attempt=K` of the upgrade request, as numbers (`undefined` where absent). */
  get client(): number | undefined {
    return this.#query('client');
  }

  get attempt(): number | undefined {
    return this.#query('attempt');
  }

  /** Framing either reader could not follow, a message seen twice, or one passed on without being read. */
  get problems(): string[] {
    return [
      ...this.#fromClient.problems.map((problem) => `from the client: ${problem}`),
      ...this.#toServer.problems.map((problem) => `toward the server: ${problem}`),
      ...this.#problems,
    ];
  }

  #query(name: string): number | undefined {
    const value = new URLSearchParams(this.path?.split('?')[1]).get(name);
    return value === null ? undefined : Number(value);
  }

  #note(message: ReadMessage, where: 'received' | 'forwarded'): void {
    const id = this.#identify(message.payload, message.binary);
    if (id === undefined) return;
    if (where === 'received') {
      if (this.received.has(id)) this.#problems.push(`#${id} read from the client twice`);
      this.received.set(id, message.frameBytes);
    } else {
      if (this.forwarded.has(id)) this.#problems.push(`#${id} passed on twice`);
      if (!this.received.has(id)) this.#problems.push(`#${id} passed on, never read from the client`);
      this.forwarded.add(id);
    }
  }
}

/** Calls `onBytes` with every chunk `socket.write` or `socket.end` is given while the socket still takes writes. */
function tapWrites(socket: net.Socket, onBytes: (chunk: Buffer) => void): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  const end = socket.end.bind(socket) as (...args: unknown[]) => net.Socket;
  const note = (chunk: unknown): void => {
    if (socket.destroyed || socket.writableEnded) return;
    if (Buffer.isBuffer(chunk)) onBytes(chunk);
    else if (typeof chunk === 'string') onBytes(Buffer.from(chunk));
  };
  socket.write = (...args: unknown[]) => {
    note(args[0]);
    return write(...args);
  };
  socket.end = (...args: unknown[]) => {
    if (typeof args[0] !== 'function') note(args[0]);
    return end(...args);
  };
}
