/**
 * An in-memory transport for tests: no network, no real time. Each connection attempt creates
 * a `MemorySocket` that the test plays the server and the network for (accept, refuse, deliver,
 * write out buffered bytes, close), one explicit step at a time. Like a real socket, it never
 * reports from inside one of its own methods: a `close()` while connecting only records the
 * request, and the test decides when the abort completes (`completeAbort()`).
 */
import type { CloseCause } from '../../machines/connection.types.js';
import type { OutgoingData } from '../byte-length.js';
import { ByteQueue } from '../queue.js';
import type { BinaryType, IncomingData, Transport, TransportHandlers, TransportRequest, TransportSocket } from '../transports/transport.js';

/**
 * Where a `MemorySocket` is: `connecting` until the test accepts or refuses it, `open`, `closing`
 * once the client asked to close an open socket, `closed` once a close was reported to the
 * client, `terminated` once the client dropped it (after which it reports nothing).
 */
export type MemorySocketPhase = 'connecting' | 'open' | 'closing' | 'closed' | 'terminated';

/** What the in-memory server received: every message written out, in order. */
export interface WrittenMessage {
  readonly data: OutgoingData;
  readonly bytes: number;
}

/**
 * One connection attempt's socket in the in-memory transport, with the test playing the server
 * and the network. It has two sides:
 *
 * - what the connection calls (`send`, `close`, `terminate`, `whenDrained`, `takeUnsent`,
 *   `ping`: the `TransportSocket` interface), which only records: what is sent waits in a buffer
 *   (`bufferedAmount`) until the test writes it out with `flush()`;
 * - what the test calls to make the server or the network act: `accept()` or `refuse()` the
 *   handshake, `deliver()` a message, `flush()` buffered bytes, `pong()`, `fail()`, and end the
 *   connection with `completeClose()`, `completeAbort()` or `drop()`. Each reports to the
 *   connection at once, synchronously; most throw if the socket is in the wrong phase for them.
 *
 * ```ts
 * const memory = createMemoryTransport();
 * const connection = createConnection('ws://example.test', { transport: memory.transport, clock: new SimulatedClock() });
 * connection.send('hello'); // queued: the socket is still connecting
 * memory.socket.accept(); // open: the queue is handed to the socket
 * memory.socket.flush(); // the "server" reads it
 * expect(memory.socket.written.map(({ data }) => data)).toEqual(['hello']);
 * ```
 */
export class MemorySocket implements TransportSocket {
  /** What the connection asked this socket for: URL, subprotocols, `binaryType`, Node options, clock. */
  readonly request: TransportRequest;
  /** Messages written out to the "server" by `flush()`, in order. */
  readonly written: WrittenMessage[] = [];
  /** The close code and reason the client asked for, once it has (both `undefined` for a bare `close()`). */
  closeRequest: { code: number | undefined; reason: string | undefined } | undefined;
  /** How many protocol pings the client sent (transports created with `pings: true`). */
  pings = 0;
  /** What inbound binary messages should be, as the connection last set it. */
  binaryType: BinaryType;
  #phase: MemorySocketPhase = 'connecting';
  readonly #handlers: TransportHandlers;
  readonly #buffered = new ByteQueue<{ data: OutgoingData; original: OutgoingData }>();
  #drainWaiter: (() => void) | undefined;

  constructor(request: TransportRequest, handlers: TransportHandlers) {
    this.request = request;
    this.binaryType = request.binaryType;
    this.#handlers = handlers;
  }

  /** Where the socket is; see `MemorySocketPhase`. */
  get phase(): MemorySocketPhase {
    return this.#phase;
  }

  // --- the TransportSocket side, called by the connection ---

  /** Bytes the connection handed over that `flush()` has not written out yet. */
  get bufferedAmount(): number {
    return this.#buffered.bytes;
  }

  /** Called by the connection: buffers `data` (`bytes` long) until the test calls `flush()`. */
  send(data: OutgoingData, bytes: number, original: OutgoingData): void {
    // A closed socket writes nothing more, but what it is handed is still unsent: takeUnsent()
    // must return it, or the message would be neither written nor reported.
    this.#buffered.push({ data, original }, bytes);
  }

  /**
   * Called by the connection: records the request in `closeRequest`, and nothing more. The test
   * answers it: `completeClose()` when open, `completeAbort()` while connecting.
   */
  close(code: number | undefined, reason: string | undefined): void {
    this.closeRequest = { code, reason };
    if (this.#phase === 'open') this.#phase = 'closing';
  }

  /** Called by the connection to drop the socket: it reports nothing afterwards, and `flush()` writes nothing. */
  terminate(): void {
    this.#phase = 'terminated';
    this.#drainWaiter = undefined;
  }

  /** Called by the connection: `callback` runs in a microtask if nothing is buffered, else once `flush()` empties the buffer. */
  whenDrained(callback: () => void): void {
    if (this.#buffered.length === 0) queueMicrotask(() => this.#live && callback());
    else this.#drainWaiter = callback;
  }

  /** Called by the connection: what it handed over and `flush()` never wrote out, as it was given to `send()`, oldest first. */
  takeUnsent(): OutgoingData[] {
    return this.#buffered.drain().map((entry) => entry.original);
  }

  /** Called by the connection's heartbeat: counts a ping in `pings`; the test answers it with `pong()`, or not. */
  ping(): void {
    this.pings += 1;
  }

  // --- the test's side: the server and the network ---

  /** The server answers a ping. Needs an open socket. */
  pong(): void {
    this.#expect('open', 'pong');
    this.#handlers.pong();
  }

  /** Completes the opening handshake, with the subprotocol and extensions the server selected. Needs a connecting socket. */
  accept(protocol = '', extensions = ''): void {
    this.#expect('connecting', 'accept');
    this.#phase = 'open';
    this.#handlers.open(protocol, extensions);
  }

  /**
   * Fails the connect as a refused TCP connection or failed handshake does: an error, then a
   * close 1006. `status` is the HTTP status of a refused upgrade (`handshake-failed`). Needs a
   * connecting socket.
   */
  refuse(cause: CloseCause = 'refused', message = 'connect ECONNREFUSED', status?: number): void {
    this.#expect('connecting', 'refuse');
    this.#phase = 'closed';
    this.#handlers.error({ cause, message, ...(status === undefined ? {} : { status }) });
    this.#handlers.close(1006, '', false);
  }

  /** Reports a transport error without closing (a close usually follows: `drop()`); does nothing once the socket is closed or terminated. */
  fail(cause: CloseCause = 'transport-error', message = 'simulated transport error'): void {
    if (this.#live) this.#handlers.error({ cause, message });
  }

  /** The server sends a message (a string, an `ArrayBuffer` or a `Blob`, as `binaryType` says it should arrive). Needs an open socket. */
  deliver(data: IncomingData): void {
    this.#expect('open', 'deliver');
    this.#handlers.message(data);
  }

  /**
   * The network writes out up to `bytes` buffered bytes (all by default), whole messages only,
   * oldest first, into `written`; a drain the connection waits for is reported once the buffer
   * is empty. Does nothing once the socket is closed or terminated.
   */
  flush(bytes = Infinity): void {
    if (!this.#live) return; // a closed socket writes nothing
    let budget = bytes;
    for (let size = this.#buffered.peekSize(); size !== undefined && size <= budget; size = this.#buffered.peekSize()) {
      budget -= size;
      this.written.push({ data: this.#buffered.shift()!.data, bytes: size });
    }
    if (this.#buffered.length === 0 && this.#drainWaiter) {
      const waiter = this.#drainWaiter;
      this.#drainWaiter = undefined;
      waiter();
    }
  }

  /**
   * The closing handshake completes (the server echoed the client's close, or started one): a
   * clean close with `code` and `reason`, by default those the client asked for (1005 and `''`
   * when it gave none). Throws once the socket is closed or terminated.
   */
  completeClose(code = this.closeRequest?.code ?? 1005, reason = this.closeRequest?.reason ?? ''): void {
    if (!this.#live) throw new Error(`completeClose() on a ${this.#phase} socket`);
    this.#phase = 'closed';
    this.#handlers.close(code, reason, true);
  }

  /** The client's `close()` while connecting takes effect: an error (`aborted`), then a close 1006. Needs a connecting socket. */
  completeAbort(): void {
    this.#expect('connecting', 'completeAbort');
    this.#phase = 'closed';
    this.#handlers.error({ cause: 'aborted', message: 'WebSocket was closed before the connection was established' });
    this.#handlers.close(1006, '', false);
  }

  /** The connection drops without a closing handshake: a close 1006, with an error (`connection-lost`) first if asked. Throws once the socket is closed or terminated. */
  drop(options: { withError?: boolean } = {}): void {
    if (!this.#live) throw new Error(`drop() on a ${this.#phase} socket`);
    this.#phase = 'closed';
    if (options.withError) this.#handlers.error({ cause: 'connection-lost', message: 'read ECONNRESET' });
    this.#handlers.close(1006, '', false);
  }

  get #live(): boolean {
    return this.#phase !== 'closed' && this.#phase !== 'terminated';
  }

  #expect(phase: MemorySocketPhase, step: string): void {
    if (this.#phase !== phase) throw new Error(`${step}() needs a ${phase} socket; this one is ${this.#phase}`);
  }
}

/** A transport that records every socket it creates, for a test to drive. */
export interface MemoryTransport {
  /** The transport, to pass as the `transport` option; each socket it opens is a `MemorySocket`. */
  readonly transport: ((request: TransportRequest, handlers: TransportHandlers) => MemorySocket) & Transport;
  /** Every socket created, one per connection attempt, oldest first. */
  readonly sockets: readonly MemorySocket[];
  /** The newest socket; throws if none was created. */
  readonly socket: MemorySocket;
}

/** How `createMemoryTransport()` makes its sockets. */
export interface MemoryTransportOptions {
  /** Whether sockets send protocol pings, as `ws` does (so the heartbeat uses them). @default false */
  readonly pings?: boolean;
}

/**
 * An in-memory transport, to pass as a connection's `transport` option: each attempt creates a
 * `MemorySocket` that the test drives. Use it with a `SimulatedClock` so timeouts and reconnect
 * waits happen when the test advances time.
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const sockets: MemorySocket[] = [];
  const open = (request: TransportRequest, handlers: TransportHandlers): MemorySocket => {
    const socket = new MemorySocket(request, handlers);
    sockets.push(socket);
    return socket;
  };
  return {
    transport: Object.assign(open, { pings: options.pings ?? false }),
    sockets,
    get socket() {
      const latest = sockets.at(-1);
      if (latest === undefined) throw new Error('No socket has been created yet');
      return latest;
    },
  };
}
