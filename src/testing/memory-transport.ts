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

type SocketPhase = 'connecting' | 'open' | 'closing' | 'closed' | 'terminated';

/** What the in-memory server received: every message written out, in order. */
export interface WrittenMessage {
  readonly data: OutgoingData;
  readonly bytes: number;
}

export class MemorySocket implements TransportSocket {
  readonly request: TransportRequest;
  /** Messages written out to the "server", in order. */
  readonly written: WrittenMessage[] = [];
  /** The close code and reason the client asked for, once it has. */
  closeRequest: { code: number | undefined; reason: string | undefined } | undefined;
  /** How many protocol pings the client sent (transports created with `pings: true`). */
  pings = 0;
  binaryType: BinaryType;
  #phase: SocketPhase = 'connecting';
  readonly #handlers: TransportHandlers;
  readonly #buffered = new ByteQueue<{ data: OutgoingData; original: OutgoingData }>();
  #drainWaiter: (() => void) | undefined;

  constructor(request: TransportRequest, handlers: TransportHandlers) {
    this.request = request;
    this.binaryType = request.binaryType;
    this.#handlers = handlers;
  }

  get phase(): SocketPhase {
    return this.#phase;
  }

  // --- the TransportSocket side, called by the connection ---

  get bufferedAmount(): number {
    return this.#buffered.bytes;
  }

  send(data: OutgoingData, bytes: number, original: OutgoingData): void {
    // A closed socket writes nothing more, but what it is handed is still unsent: takeUnsent()
    // must return it, or the message would be neither written nor reported.
    this.#buffered.push({ data, original }, bytes);
  }

  close(code: number | undefined, reason: string | undefined): void {
    this.closeRequest = { code, reason };
    if (this.#phase === 'open') this.#phase = 'closing';
  }

  terminate(): void {
    this.#phase = 'terminated';
    this.#drainWaiter = undefined;
  }

  whenDrained(callback: () => void): void {
    if (this.#buffered.length === 0) queueMicrotask(() => this.#live && callback());
    else this.#drainWaiter = callback;
  }

  takeUnsent(): OutgoingData[] {
    return this.#buffered.drain().map((entry) => entry.original);
  }

  /** Counts a ping; the test answers it with `pong()`, or not. */
  ping(): void {
    this.pings += 1;
  }

  // --- the test's side: the server and the network ---

  /** The server answers a ping. */
  pong(): void {
    this.#expect('open', 'pong');
    this.#handlers.pong();
  }

  /** Completes the opening handshake. */
  accept(protocol = '', extensions = ''): void {
    this.#expect('connecting', 'accept');
    this.#phase = 'open';
    this.#handlers.open(protocol, extensions);
  }

  /**
   * Fails the connect as a refused TCP connection or failed handshake does: an error, then a
   * close 1006. `status` is the HTTP status of a refused upgrade (`handshake-failed`).
   */
  refuse(cause: CloseCause = 'refused', message = 'connect ECONNREFUSED', status?: number): void {
    this.#expect('connecting', 'refuse');
    this.#phase = 'closed';
    this.#handlers.error({ cause, message, ...(status === undefined ? {} : { status }) });
    this.#handlers.close(1006, '', false);
  }

  /** Reports a transport error (without closing). */
  fail(cause: CloseCause = 'transport-error', message = 'simulated transport error'): void {
    if (this.#live) this.#handlers.error({ cause, message });
  }

  /** The server sends a message. */
  deliver(data: IncomingData): void {
    this.#expect('open', 'deliver');
    this.#handlers.message(data);
  }

  /** Writes out up to `bytes` buffered bytes (all by default), whole messages only. */
  flush(bytes = Infinity): void {
    if (!this.#live) return; // a closed socket writes nothing
    let budget = bytes;
    for (let size = this.#buffered.peekSize(); size !== undefined && size <= budget; size = this.#buffered.peekSize()) {
      budget -= size;
      this.written.push({ data: this.#buffered.shift()!.data, bytes: size });
    }
    if (this.#buffered.length === 0 && this.#drainWaiter && this.#live) {
      const waiter = this.#drainWaiter;
      this.#drainWaiter = undefined;
      waiter();
    }
  }

  /** The closing handshake completes (the server echoed the client's close, or started one). */
  completeClose(code = this.closeRequest?.code ?? 1005, reason = this.closeRequest?.reason ?? ''): void {
    if (!this.#live) throw new Error(`completeClose() on a ${this.#phase} socket`);
    this.#phase = 'closed';
    this.#handlers.close(code, reason, true);
  }

  /** The client's `close()` while connecting takes effect: an error, then a close 1006. */
  completeAbort(): void {
    this.#expect('connecting', 'completeAbort');
    this.#phase = 'closed';
    this.#handlers.error({ cause: 'aborted', message: 'WebSocket was closed before the connection was established' });
    this.#handlers.close(1006, '', false);
  }

  /** The connection drops without a closing handshake: a close 1006, with or without an error first. */
  drop(options: { withError?: boolean } = {}): void {
    if (!this.#live) throw new Error(`drop() on a ${this.#phase} socket`);
    this.#phase = 'closed';
    if (options.withError) this.#handlers.error({ cause: 'connection-lost', message: 'read ECONNRESET' });
    this.#handlers.close(1006, '', false);
  }

  get #live(): boolean {
    return this.#phase !== 'closed' && this.#phase !== 'terminated';
  }

  #expect(phase: SocketPhase, step: string): void {
    if (this.#phase !== phase) throw new Error(`${step}() needs a ${phase} socket; this one is ${this.#phase}`);
  }
}

/** A transport that records every socket it creates, for a test to drive. */
export interface MemoryTransport {
  readonly transport: Transport;
  /** Every socket created, one per connection attempt, oldest first. */
  readonly sockets: readonly MemorySocket[];
  /** The newest socket; throws if none was created. */
  readonly socket: MemorySocket;
}

export interface MemoryTransportOptions {
  /** Whether sockets send protocol pings, as `ws` does (so the heartbeat uses them). @default false */
  readonly pings?: boolean;
}

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
