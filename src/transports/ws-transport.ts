/**
 * The Node transport: the `ws` client. Preferred in Node even where a global `WebSocket`
 * exists, for `terminate()`, `maxPayload`, headers, TLS options and agents.
 *
 * `bufferedAmount` is counted here, not read from `ws`: `ws` reports 0 right after a send on
 * loopback and counts framing. Each `send` hands `ws` one shared callback; `ws` calls it in
 * order once the frame is written to the kernel, so a FIFO of in-flight messages tells which
 * have certainly gone out. Node confirms writes that queued up behind a slow one together, once
 * the whole batch is in the kernel, so when the socket is dropped the unconfirmed messages
 * reported back may include some whose bytes already reached the kernel: the report errs on
 * the side of "undelivered", never of silence.
 */
import WebSocket from 'ws';
import type { OutgoingData } from '../byte-length.js';
import { ByteQueue } from '../queue.js';
import { redactText } from '../validation.js';
import type { TransportFailure } from '../../machines/connection.types.js';
import type { BinaryType, Transport, TransportHandlers, TransportRequest, TransportSocket } from './transport.js';
import { causeOfWsError } from './ws-errors.js';
import { closedCleanly, tcpSocketOf } from './ws-internals.js';

/** The most bytes held back in one batch (see `WsSocket.#cork`). */
const CORK_LIMIT = 64 * 1024;

/** The most bytes handed to `ws` between two writes that ask to be confirmed (see `WsSocket.send`). */
const CONFIRM_LIMIT = 1024 * 1024;

/**
 * Text from this size on goes to `ws` as the string: `ws` encodes it into a buffer it masks in
 * place, where a Buffer handed over would be copied again to be masked (twice the bytes copied
 * and collected, about 1.6x the CPU of raw `ws` for 64 KiB messages, see bench/).
 */
const LARGE_TEXT = 16 * 1024;

/** `ws.send` options for a text message handed over as a Buffer. */
const TEXT_FRAME = { binary: false } as const;

export const wsTransport: Transport = Object.assign(
  (request: TransportRequest, handlers: TransportHandlers) => new WsSocket(request, handlers),
  {
    pings: true,
    pausable: true,
  },
);

/** The `ws` socket's owner, kept on it so that one set of listeners serves every socket (`this` is the `ws` socket). */
const OWNER = Symbol('statesock.owner');
type OwnedWs = WebSocket & { [OWNER]: WsSocket };

class WsSocket implements TransportSocket {
  readonly #ws: WebSocket;
  readonly #handlers: TransportHandlers;
  /** The URL, serialized: kept to redact its secrets from error messages. */
  readonly #href: string;
  /** Messages accepted and not yet confirmed written, oldest first; created with the first send. */
  #inFlight: ByteQueue<OutgoingData> | undefined;
  /** This task's latest message, not yet handed to `ws`: it goes with the next send, or confirmed at the task's end. */
  #held: OutgoingData | undefined;
  #heldBytes = 0;
  /** Messages handed to `ws`, and how many of them are confirmed written: counts, since the first send. */
  #handed = 0;
  #confirmed = 0;
  /** Bytes handed to `ws` since the last write that asked to be confirmed. */
  #unconfirmedRun = 0;
  #live = true;
  /** Whether the opening handshake completed: `ws` is already CLOSING when it reports a failed connect. */
  #opened = false;
  /** Set once a write failed: the socket is gone, and what is still in flight never went out. */
  #writeFailed = false;
  #drainWaiter: (() => void) | undefined;
  /** The wait of `whenBelow`, if one is on: one field, so that a socket nobody waits on carries one empty slot. */
  #lowWater: { readonly bytes: number; readonly callback: () => void } | undefined;
  /** Whether this task's frames are being held back in the TCP socket (see `#cork`). */
  #corked = false;
  /** Whether a frame was sent in this task: the next one corks. Reset a microtask after the first. */
  #inTask = false;
  #endTask: (() => void) | undefined;

  constructor(request: TransportRequest, handlers: TransportHandlers) {
    this.#href = request.url.href;
    this.#handlers = handlers;
    const { headers, origin, ca, agent, perMessageDeflate } = request.node;
    const ws = (this.#ws = new WebSocket(this.#href, [...request.protocols], {
      // Also the bound on a compressed message once inflated: ws stops inflating past it (1009).
      maxPayload: request.maxPayload,
      ...(perMessageDeflate === undefined ? {} : { perMessageDeflate: perMessageDeflate as WebSocket.PerMessageDeflateOptions | boolean }),
      ...(headers === undefined ? {} : { headers: { ...headers } }),
      ...(origin === undefined ? {} : { origin }),
      ...(ca === undefined ? {} : { ca: ca as string }),
      ...(agent === undefined ? {} : { agent: agent as never }),
    }));
    ws.binaryType = asWsBinaryType(request.binaryType);
    (ws as OwnedWs)[OWNER] = this;
    ws.on('open', WsSocket.#onOpen);
    ws.on('message', WsSocket.#onMessage);
    // Always listening: `ws` emits `error` when a connecting socket is closed or terminated,
    // and an EventEmitter error without a listener would crash the process.
    ws.on('error', WsSocket.#onError);
    ws.on('pong', WsSocket.#onPong);
    ws.on('close', WsSocket.#onClose);
  }

  static readonly #onOpen = function (this: WebSocket): void {
    const socket = (this as OwnedWs)[OWNER];
    socket.#opened = true;
    if (socket.#live) socket.#handlers.open(this.protocol, this.extensions);
  };

  static readonly #onMessage = function (this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    const socket = (this as OwnedWs)[OWNER];
    // Text frames always arrive as a Buffer; binary ones follow binaryType.
    if (socket.#live) socket.#handlers.message(isBinary ? (data as ArrayBuffer | Blob) : (data as Buffer).toString());
  };

  static readonly #onError = function (this: WebSocket, error: Error & { code?: string }): void {
    const socket = (this as OwnedWs)[OWNER];
    if (socket.#live) socket.#handlers.error(socket.#classify(error, !socket.#opened));
  };

  static readonly #onPong = function (this: WebSocket): void {
    const socket = (this as OwnedWs)[OWNER];
    if (socket.#live) socket.#handlers.pong();
  };

  static readonly #onClose = function (this: WebSocket, code: number, reason: Buffer): void {
    const socket = (this as OwnedWs)[OWNER];
    if (!socket.#live) return;
    socket.#live = false;
    socket.#handlers.close(code, reason.toString(), closedCleanly(this, code));
  };

  get bufferedAmount(): number {
    return this.#inFlight?.bytes ?? 0;
  }

  get binaryType(): BinaryType {
    return this.#ws.binaryType as BinaryType;
  }

  set binaryType(type: BinaryType) {
    this.#ws.binaryType = asWsBinaryType(type);
  }

  /**
   * Hands `data` to `ws`. `ws` can confirm each write, but a confirmation costs Node's stream a
   * callback per frame and, for large frames, about a tenth more CPU than the write itself (see
   * bench/). Writes on one socket complete in order, so one confirmation covers every message
   * handed over before it: a task's first message is confirmed on its own (a lone send, a reply,
   * is never held back), the rest of the task's messages are confirmed together by its last one,
   * which is held until the next send or the task's end to learn that it is the last, and
   * `CONFIRM_LIMIT` bounds what one confirmation covers. Nothing about the frames or their order
   * changes; `bufferedAmount` falls by whole groups, and after a drop a whole group unconfirmed
   * is reported back, erring on the side of "undelivered".
   */
  send(data: OutgoingData, bytes: number, original: OutgoingData): void {
    (this.#inFlight ??= new ByteQueue()).push(original, bytes);
    if (!this.#inTask) {
      this.#inTask = true;
      queueMicrotask((this.#endTask ??= () => this.#taskOver()));
      this.#hand(data, bytes, true);
      return;
    }
    // From the task's second frame on, its frames are held for one write (`#cork`); a message
    // that fills a batch on its own gains nothing from being held back.
    if (!this.#corked && bytes < CORK_LIMIT) this.#cork();
    const held = this.#held;
    this.#held = data;
    if (held !== undefined) this.#hand(held, this.#heldBytes, false);
    this.#heldBytes = bytes;
    // A batch past the limit goes now: a write is confirmed only once its whole batch is in the
    // kernel, so a bounded batch keeps `bufferedAmount` and the reports of a drop close to what
    // the kernel really took.
    if (this.#corked && (tcpSocketOf(this.#ws)?.writableLength ?? 0) >= CORK_LIMIT) this.#release();
  }

  /** Gives `ws` one message, asking for its write to be confirmed when `confirm` or when the run since the last confirmation is long. */
  #hand(data: OutgoingData, bytes: number, confirm: boolean): void {
    const handed = ++this.#handed;
    let onWritten: ((error?: Error | null) => void) | undefined;
    if (confirm || (this.#unconfirmedRun += bytes) >= CONFIRM_LIMIT) {
      this.#unconfirmedRun = 0;
      onWritten = (error) => this.#written(error, handed);
    }
    // A string goes to ws as the Buffer ws would make of it anyway, flagged as text: ws then
    // frames it in one buffer and one socket.write(). Given a string, it writes header and
    // payload as two chunks, each pair its own corked flush through Node's Writable: about
    // twice the CPU per 64-byte message (see bench/). Large text goes as the string (see
    // LARGE_TEXT), where the header's extra chunk costs nothing.
    if (typeof data === 'string') this.#ws.send(bytes < LARGE_TEXT ? Buffer.from(data) : data, TEXT_FRAME, onWritten);
    else this.#ws.send(data as Buffer, onWritten);
  }

  /**
   * Holds the rest of this task's frames back in the TCP socket, to go to the kernel together
   * once the task is over (a microtask later): one `writev` and one trip through libuv for a
   * burst instead of one per frame. The frames, their order and each write's confirmation are
   * unchanged; a frame `ws` compresses (permessage-deflate) is written when its compression is
   * done, after the uncork, on its own.
   */
  #cork(): void {
    const tcp = tcpSocketOf(this.#ws);
    if (tcp === undefined) return;
    tcp.cork();
    this.#corked = true;
  }

  #taskOver(): void {
    this.#inTask = false;
    this.#handHeld();
    this.#release();
  }

  /** Hands over the task's held message, confirmed: it covers the task's messages before it. */
  #handHeld(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    this.#hand(held, this.#heldBytes, true);
  }

  #release(): void {
    if (!this.#corked) return;
    this.#corked = false;
    tcpSocketOf(this.#ws)?.uncork();
  }

  /** `ws` confirms writes in order, once their frames are in the kernel: this one, the `handed`th message, and every one before it. */
  #written(error: Error | null | undefined, handed: number): void {
    if (error || this.#writeFailed) {
      this.#writeFailed = true;
      return;
    }
    const inFlight = this.#inFlight!;
    for (; this.#confirmed < handed; this.#confirmed++) inFlight.shift();
    const lowWater = this.#lowWater;
    if (lowWater !== undefined && inFlight.bytes < lowWater.bytes) {
      this.#lowWater = undefined;
      lowWater.callback();
    }
    if (inFlight.length === 0 && this.#drainWaiter) {
      const waiter = this.#drainWaiter;
      this.#drainWaiter = undefined;
      waiter();
    }
  }

  close(code: number | undefined, reason: string | undefined): void {
    this.#handHeld(); // the close frame follows every message sent before close()
    this.#ws.close(code, reason);
  }

  pause(): void {
    // ws ignores a pause before open or after close.
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  ping(): void {
    // A ping on a socket that is closing or already dropped is an error in ws; the missing pong
    // is what the heartbeat is there to notice anyway.
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.ping();
  }

  terminate(): void {
    this.#live = false;
    this.#held = undefined; // never handed over: reported back by takeUnsent
    this.#drainWaiter = undefined;
    this.#lowWater = undefined;
    this.#ws.terminate();
  }

  whenDrained(callback: () => void): void {
    if ((this.#inFlight?.length ?? 0) === 0) queueMicrotask(() => this.#live && callback());
    else this.#drainWaiter = () => this.#live && callback();
  }

  whenBelow(bytes: number, callback: () => void): void {
    const below = (): unknown => this.#live && callback();
    if (this.bufferedAmount < bytes) {
      this.#lowWater = undefined;
      queueMicrotask(below);
    } else this.#lowWater = { bytes, callback: below };
  }

  takeUnsent(): OutgoingData[] {
    this.#held = undefined;
    this.#confirmed = this.#handed; // what was handed over is reported now: a late confirmation finds nothing
    return this.#inFlight?.drain() ?? [];
  }

  #classify(error: Error & { code?: string }, connecting: boolean): TransportFailure {
    const message = redactText(error.message, new URL(this.#href));
    const cause = causeOfWsError(error.code, connecting);
    // ws reports a refused upgrade as "Unexpected server response: 403"; the status decides
    // whether reconnecting makes sense.
    const status = cause === 'handshake-failed' ? /Unexpected server response: (\d{3})/.exec(error.message)?.[1] : undefined;
    return { cause, message, ...(status === undefined ? {} : { status: Number(status) }) };
  }
}

/** `ws` has delivered `Blob`s since 8.18; `@types/ws` does not list `'blob'` yet. */
function asWsBinaryType(type: BinaryType): 'arraybuffer' {
  return type as 'arraybuffer';
}
