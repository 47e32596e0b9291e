/**
 * The browser and worker transport: a platform `WebSocket` (or any constructor with its shape).
 *
 * The platform tells only how many bytes are still buffered, not which messages, so the
 * messages handed over are kept in a FIFO and released from its head as `bufferedAmount`
 * shows them written (the platform writes in order); whatever remains when the socket
 * closes never went out.
 */
import type { OutgoingData } from '../byte-length.js';
import { ByteQueue } from '../queue.js';
import type { BinaryType, IncomingData, Transport, TransportHandlers, TransportRequest, TransportSocket } from './transport.js';

/** The events this transport listens to, with what it reads of each: the platform's own events have these members. */
export interface WebSocketLikeEventMap {
  open: unknown;
  message: { readonly data: IncomingData };
  error: unknown;
  close: { readonly code: number; readonly reason: string; readonly wasClean: boolean };
}

/** The part of the `WebSocket` interface this transport uses: the platform's `WebSocket` (the DOM's, undici's) has this shape. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  readonly extensions: string;
  binaryType: string;
  send(data: OutgoingData): void;
  close(code?: number, reason?: string): void;
  addEventListener<K extends keyof WebSocketLikeEventMap>(type: K, listener: (event: WebSocketLikeEventMap[K]) => void): void;
  removeEventListener<K extends keyof WebSocketLikeEventMap>(type: K, listener: (event: WebSocketLikeEventMap[K]) => void): void;
}

/** A `WebSocket` constructor, such as the platform's. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** How often to look at `bufferedAmount` while `close()` waits for a drain: the platform has no event for it. */
const DRAIN_POLL_MS = 10;
const OPEN = 1;

/** A transport over `WebSocketImpl`, the global `WebSocket` when not given. */
export function nativeTransport(WebSocketImpl?: WebSocketConstructor): Transport {
  return (request, handlers) => {
    const Impl = WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Impl === undefined) {
      throw new TypeError('Expected a global WebSocket, found none: pass the `WebSocket` or `transport` option');
    }
    return new NativeSocket(Impl, request, handlers);
  };
}

class NativeSocket implements TransportSocket {
  readonly #ws: WebSocketLike;
  readonly #request: TransportRequest;
  readonly #unconfirmed = new ByteQueue<OutgoingData>();
  /**
   * Messages handed over once the platform socket had left OPEN. The standard has it discard
   * them while still counting them in `bufferedAmount`, but undici (Node's own WebSocket) does
   * not count them, so they are kept apart rather than judged by `bufferedAmount`.
   */
  readonly #discarded = new ByteQueue<OutgoingData>();
  /** Removes the listeners the constructor added. */
  readonly #unlisten: (() => void)[];
  #live = true;
  #poll: unknown;
  /** What the poll waits for: a full drain (`whenDrained`), and `bufferedAmount` below a level (`whenBelow`). */
  #drainWaiter: (() => void) | undefined;
  #lowWater: { readonly bytes: number; readonly callback: () => void } | undefined;

  constructor(Impl: WebSocketConstructor, request: TransportRequest, handlers: TransportHandlers) {
    this.#request = request;
    const ws = new Impl(request.url.href, [...request.protocols]);
    ws.binaryType = request.binaryType;
    this.#ws = ws;
    const listen = <K extends keyof WebSocketLikeEventMap>(type: K, listener: (event: WebSocketLikeEventMap[K]) => void): (() => void) => {
      ws.addEventListener(type, listener);
      return () => ws.removeEventListener(type, listener);
    };
    // The platform reads CLOSED by the time it reports a failed connect, so remember the open.
    let opened = false;
    this.#unlisten = [
      listen('open', () => {
        opened = true;
        handlers.open(ws.protocol, ws.extensions);
      }),
      listen('message', (event) => handlers.message(event.data)),
      listen('error', () => {
        // The platform gives no detail, by design (WHATWG WebSockets Standard, "fail the WebSocket connection").
        handlers.error(
          !opened
            ? { cause: 'handshake-failed', message: 'The WebSocket connection could not be established (the platform gives no detail)' }
            : { cause: 'transport-error', message: 'The WebSocket connection failed (the platform gives no detail)' },
        );
      }),
      listen('close', (event) => {
        this.#detach();
        handlers.close(event.code, event.reason, event.wasClean);
      }),
    ];
  }

  get bufferedAmount(): number {
    this.#release();
    return this.#unconfirmed.bytes + this.#discarded.bytes;
  }

  get binaryType(): BinaryType {
    return this.#ws.binaryType as BinaryType;
  }

  set binaryType(type: BinaryType) {
    this.#ws.binaryType = type;
  }

  send(data: OutgoingData, bytes: number, original: OutgoingData): void {
    if (this.#ws.readyState !== OPEN) {
      this.#discarded.push(original, bytes);
      return;
    }
    this.#unconfirmed.push(original, bytes);
    this.#ws.send(data);
    // Bounds what a long burst keeps referenced; takeUnsent() and bufferedAmount release first anyway.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent. Only memory differs: every reader of the queue releases what was written before it reads.
    if (this.#unconfirmed.length > 64) this.#release();
  }

  close(code: number | undefined, reason: string | undefined): void {
    if (code === undefined) this.#ws.close();
    else if (reason === undefined) this.#ws.close(code);
    else this.#ws.close(code, reason);
  }

  /** Browsers cannot drop a socket at once; closing and no longer listening is the nearest. */
  terminate(): void {
    this.#detach();
    this.#ws.close();
  }

  whenDrained(callback: () => void): void {
    this.#drainWaiter = callback;
    this.#startPolling();
  }

  whenBelow(bytes: number, callback: () => void): void {
    this.#lowWater = { bytes, callback };
    this.#startPolling();
  }

  /** One poll for both waits: the platform has no event for a change of `bufferedAmount`. */
  #startPolling(): void {
    // A closed socket answers no wait, nor does the ws transport's: there is nothing left to poll.
    if (!this.#live || this.#poll !== undefined) return;
    const check = (): void => {
      this.#poll = undefined;
      const buffered = this.bufferedAmount;
      const lowWater = this.#lowWater;
      if (lowWater !== undefined && buffered < lowWater.bytes) {
        this.#lowWater = undefined;
        lowWater.callback();
      }
      const drained = this.#drainWaiter;
      if (drained !== undefined && buffered === 0) {
        this.#drainWaiter = undefined;
        drained();
      }
      this.#pollAgain(check);
    };
    this.#poll = this.#request.clock.setTimeout(check, 0);
  }

  /** Polls again while someone waits; a callback may have terminated the socket. */
  #pollAgain(check: () => void): void {
    if (this.#live && (this.#lowWater !== undefined || this.#drainWaiter !== undefined))
      this.#poll = this.#request.clock.setTimeout(check, DRAIN_POLL_MS);
  }

  takeUnsent(): OutgoingData[] {
    this.#release();
    // Discarded messages were all sent after the unconfirmed ones: send order is kept.
    return [...this.#unconfirmed.drain(), ...this.#discarded.drain()];
  }

  /** Forgets the messages the platform has written, judged by how many bytes it still holds. */
  #release(): void {
    let written = this.#unconfirmed.bytes - this.#ws.bufferedAmount;
    for (let size = this.#unconfirmed.peekSize(); size !== undefined && size <= written; size = this.#unconfirmed.peekSize()) {
      written -= size;
      this.#unconfirmed.shift();
    }
  }

  #detach(): void {
    if (!this.#live) return;
    this.#live = false;
    // A callback may terminate the socket in the middle of a look: the other wait is over too.
    this.#lowWater = undefined;
    this.#drainWaiter = undefined;
    if (this.#poll !== undefined) this.#request.clock.clearTimeout(this.#poll);
    for (const unlisten of this.#unlisten) unlisten();
  }
}
