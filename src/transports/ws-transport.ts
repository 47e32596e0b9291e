/**
 * The Node transport: the `ws` client. Preferred in Node even where a global `WebSocket`
 * exists, for `terminate()`, `maxPayload`, headers, TLS options and agents.
 *
 * `bufferedAmount` is counted here, not read from `ws`: `ws` reports 0 right after a send on
 * loopback and counts framing. Writes on one socket complete in order, so a FIFO of in-flight
 * messages and the count each write's confirmation covers tell which have certainly gone out.
 * Node confirms writes that queued up behind a slow one together, once the whole batch is in
 * the kernel, so when the socket is dropped the unconfirmed messages reported back may include
 * some whose bytes already reached the kernel: the report errs on the side of "undelivered",
 * never of silence.
 */
import WebSocket from 'ws';
import { isBlob, type OutgoingData } from '../byte-length.js';
import { ByteQueue } from '../queue.js';
import { redactText } from '../validation.js';
import type { TransportFailure } from '../../machines/connection.types.js';
import type { BinaryType, Transport, TransportHandlers, TransportRequest, TransportSocket } from './transport.js';
import { causeOfWsError } from './ws-errors.js';
import { frameSize, writeFrame } from './ws-frames.js';
import { closedCleanly, tcpSocketOf, type FrameWriter } from './ws-internals.js';

/** The most bytes of frames gathered for one write, 64 KiB (see `WsSocket.send`). */
const BATCH_LIMIT = 65_536;

/** The first buffer a task's frames are gathered in, 2 KiB: small enough to come from Node's buffer pool; each next one doubles. */
const FIRST_BATCH = 2_048;

/** Bytes written unconfirmed after which a write asks to be confirmed, 1 MiB (see `WsSocket.#write`). */
const CONFIRM_LIMIT = 1_048_576;

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
  /**
   * Where frames go when this transport writes them itself: the TCP socket, once open with no
   * extension negotiated and where `ws` keeps it (see `ws-internals.ts`); otherwise `undefined`,
   * and every message goes through `ws`.
   */
  #tcp: FrameWriter | undefined;
  /** This task's frames not yet written, in `#batch[0, #batchEnd)`. */
  #batch: Buffer | undefined;
  #batchEnd = 0;
  /** Messages accepted, and how many of them are confirmed written: counts, since the first send. */
  #handed = 0;
  #confirmed = 0;
  /** Bytes written since the last write that asked to be confirmed. */
  #unconfirmedRun = 0;
  /** `Blob`s handed to `ws` and not yet written: `ws` reads them first, and queues what it is given meanwhile. */
  #blobsInWs = 0;
  #live = true;
  /** Whether the opening handshake completed: `ws` is already CLOSING when it reports a failed connect. */
  #opened = false;
  /** Set once a write failed: the socket is gone, and what is still in flight never went out. */
  #writeFailed = false;
  #drainWaiter: (() => void) | undefined;
  /** The wait of `whenBelow`, if one is on: one field, so that a socket nobody waits on carries one empty slot. */
  #lowWater: { readonly bytes: number; readonly callback: () => void } | undefined;
  /** Whether a message was sent in this task: the next ones are gathered. Reset a microtask after the first. */
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
    // ws compresses (permessage-deflate) in its own queue: with any extension, every frame is its.
    if (this.extensions === '') socket.#tcp = tcpSocketOf(this);
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
   * Writes `data` out. A task's first message is framed and written at once (a lone send, a
   * reply, is never held back); the frames of the messages after it in the same task are
   * gathered in one buffer, written when the task is over (a microtask later) or when it fills:
   * one write and one trip through libuv for a burst instead of one per frame through `ws`. The
   * frames written while `ws` is open, and their order, are those `ws` would write. A message
   * `ws` must write itself (a `Blob`, whose bytes come later, or any message once an extension
   * was negotiated or the socket is no longer open, where `ws` reports the failure) goes after
   * the frames gathered before it, and while a `Blob` waits in `ws`, what follows it waits there too.
   */
  send(data: OutgoingData, bytes: number, original: OutgoingData): void {
    (this.#inFlight ??= new ByteQueue()).push(original, bytes);
    if (this.#tcp === undefined || this.#blobsInWs > 0 || isBlob(data) || this.#ws.readyState !== WebSocket.OPEN) {
      this.#sendThroughWs(data);
      return;
    }
    const size = frameSize(bytes);
    if (!this.#inTask) {
      this.#inTask = true;
      queueMicrotask((this.#endTask ??= () => this.#taskOver()));
      const frame = Buffer.allocUnsafe(size);
      writeFrame(frame, 0, data, bytes);
      this.#handed++;
      this.#write(frame, true);
      return;
    }
    let batch = this.#batch;
    if (batch === undefined || this.#batchEnd + size > batch.length) {
      // The full batch goes now, unconfirmed: the one this message starts is written after it, confirmed at the task's end.
      const grown = batch === undefined ? FIRST_BATCH : Math.min(2 * batch.length, BATCH_LIMIT);
      this.#writeBatch(false);
      batch = this.#batch = Buffer.allocUnsafe(Math.max(grown, size));
    }
    this.#batchEnd = writeFrame(batch, this.#batchEnd, data, bytes);
    this.#handed++;
  }

  /** Hands `data` to `ws`, after this task's frames, confirmed: its confirmation covers them. */
  #sendThroughWs(data: OutgoingData): void {
    this.#writeBatch(false);
    const handed = ++this.#handed;
    if (isBlob(data)) {
      this.#blobsInWs++;
      this.#ws.send(data, (error) => {
        this.#blobsInWs--;
        this.#written(error, handed);
      });
    } else this.#ws.send(data, (error) => this.#written(error, handed));
  }

  /**
   * Writes `chunk`, asking for its write to be confirmed when `confirm` or when the run since the
   * last confirmation is long: a confirmation costs Node's stream a callback, and one covers every
   * message written before it.
   */
  #write(chunk: Buffer, confirm: boolean): void {
    const handed = this.#handed;
    let onWritten: ((error?: Error | null) => void) | undefined;
    if (confirm || (this.#unconfirmedRun += chunk.length) >= CONFIRM_LIMIT) {
      this.#unconfirmedRun = 0;
      onWritten = (error) => this.#written(error, handed);
    }
    this.#tcp!.write(chunk, onWritten);
  }

  /**
   * Writes the frames gathered so far, if any: unconfirmed only when a batch written after it
   * will be. Once `ws` is no longer open they are dropped, never written: `ws` leaves OPEN as it
   * writes a close frame of its own (the answer to the server's, or for a protocol error), and
   * no frame may follow that. Their messages stay in flight, reported back by `takeUnsent`.
   */
  #writeBatch(confirm: boolean): void {
    const batch = this.#batch;
    if (batch === undefined) return;
    const end = this.#batchEnd;
    this.#dropBatch();
    if (this.#ws.readyState === WebSocket.OPEN) this.#write(batch.subarray(0, end), confirm);
  }

  #dropBatch(): void {
    this.#batch = undefined;
    this.#batchEnd = 0;
  }

  #taskOver(): void {
    this.#inTask = false;
    this.#writeBatch(true);
  }

  /** Confirmed writes complete in order, once their bytes are in the kernel: this one covers the first `handed` messages. */
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
    this.#writeBatch(true); // the close frame follows every message sent before close()
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
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#writeBatch(true);
    this.#ws.ping();
  }

  terminate(): void {
    this.#live = false;
    this.#dropBatch(); // never written: reported back by takeUnsent
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
    this.#dropBatch();
    this.#confirmed = this.#handed; // what was accepted is reported now: a late confirmation finds nothing
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
