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
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { OutgoingData } from '../byte-length.js';
import { ByteQueue } from '../queue.js';
import { redactText } from '../validation.js';
import type { CloseCause, TransportFailure } from '../../machines/connection.types.js';
import type { BinaryType, Transport, TransportHandlers, TransportRequest, TransportSocket } from './transport.js';

/** The most bytes held back in one batch (see `WsSocket.#cork`). */
const CORK_LIMIT = 64 * 1024;

/** `ws.send` options for a text message handed over as a Buffer. */
const TEXT_FRAME = { binary: false } as const;

export const wsTransport: Transport = Object.assign(
  (request: TransportRequest, handlers: TransportHandlers) => new WsSocket(request, handlers),
  {
    pings: true,
  },
);

/** `ws` internals its own `CloseEvent` reads to compute `wasClean`. */
interface WsCloseFlags {
  readonly _closeFrameReceived?: boolean;
  readonly _closeFrameSent?: boolean;
}

/** The `ws` socket's owner, kept on it so that one set of listeners serves every socket (`this` is the `ws` socket). */
const OWNER = Symbol('statesock.owner');
type OwnedWs = WebSocket & { [OWNER]: WsSocket };

class WsSocket implements TransportSocket {
  readonly #ws: WebSocket;
  readonly #handlers: TransportHandlers;
  /** The URL, serialized: kept to redact its secrets from error messages. */
  readonly #href: string;
  /** Messages handed to `ws` and not yet confirmed written, oldest first; created with the first send. */
  #inFlight: ByteQueue<OutgoingData> | undefined;
  #onWritten: ((error?: Error | null) => void) | undefined;
  #live = true;
  /** Whether the opening handshake completed: `ws` is already CLOSING when it reports a failed connect. */
  #opened = false;
  /** Set once a write failed: the socket is gone, and what is still in flight never went out. */
  #writeFailed = false;
  #drainWaiter: (() => void) | undefined;
  /** Whether this task's frames are being held back in the TCP socket (see `#cork`). */
  #corked = false;
  #uncork: (() => void) | undefined;

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
    const flags = this as unknown as WsCloseFlags;
    const wasClean = flags._closeFrameReceived === undefined ? code !== 1006 : Boolean(flags._closeFrameReceived && flags._closeFrameSent);
    socket.#handlers.close(code, reason.toString(), wasClean);
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

  send(data: OutgoingData, bytes: number, original: OutgoingData): void {
    (this.#inFlight ??= new ByteQueue()).push(original, bytes);
    const onWritten = (this.#onWritten ??= (error) => this.#written(error));
    if (!this.#corked) this.#cork();
    // A string goes to ws as the Buffer ws would make of it anyway, flagged as text: ws then
    // frames it in one buffer and one socket.write(). Given a string, it writes header and
    // payload as two corked chunks, and Node's Writable wraps each such flush that carries a
    // callback in a new closure and its own process.nextTick, instead of merging the
    // callbacks of a burst into one tick: twice the CPU per message (see bench/).
    if (typeof data === 'string') this.#ws.send(Buffer.from(data), TEXT_FRAME, onWritten);
    else this.#ws.send(data as Buffer, onWritten);
    // A batch past the limit goes now: a write is confirmed only once its whole batch is in the
    // kernel, so a bounded batch keeps `bufferedAmount` and the reports of a drop close to what
    // the kernel really took.
    if (this.#corked && (tcpSocketOf(this.#ws)?.writableLength ?? 0) >= CORK_LIMIT) this.#release();
  }

  /**
   * Holds this task's frames back in the TCP socket, to go to the kernel together once the task
   * is over: one `writev` and one trip through libuv for a burst instead of one per frame. The
   * frames, their order and each write's confirmation are unchanged; a frame `ws` compresses
   * (permessage-deflate) is written when its compression is done, after the uncork, on its own.
   */
  #cork(): void {
    const tcp = tcpSocketOf(this.#ws);
    if (tcp === undefined) return;
    tcp.cork();
    this.#corked = true;
    queueMicrotask((this.#uncork ??= () => this.#release()));
  }

  #release(): void {
    if (!this.#corked) return;
    this.#corked = false;
    tcpSocketOf(this.#ws)?.uncork();
  }

  /** `ws` confirms each write in order, once its frame is in the kernel. */
  #written(error: Error | null | undefined): void {
    if (error || this.#writeFailed) {
      this.#writeFailed = true;
      return;
    }
    const inFlight = this.#inFlight!;
    inFlight.shift();
    if (inFlight.length === 0 && this.#drainWaiter) {
      const waiter = this.#drainWaiter;
      this.#drainWaiter = undefined;
      waiter();
    }
  }

  close(code: number | undefined, reason: string | undefined): void {
    this.#ws.close(code, reason);
  }

  ping(): void {
    // A ping on a socket that is closing or already dropped is an error in ws; the missing pong
    // is what the heartbeat is there to notice anyway.
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.ping();
  }

  terminate(): void {
    this.#live = false;
    this.#drainWaiter = undefined;
    this.#ws.terminate();
  }

  whenDrained(callback: () => void): void {
    if ((this.#inFlight?.length ?? 0) === 0) queueMicrotask(() => this.#live && callback());
    else this.#drainWaiter = () => this.#live && callback();
  }

  takeUnsent(): OutgoingData[] {
    return this.#inFlight?.drain() ?? [];
  }

  #classify(error: Error & { code?: string }, connecting: boolean): TransportFailure {
    const message = redactText(error.message, new URL(this.#href));
    const cause = classify(error.code, connecting);
    // ws reports a refused upgrade as "Unexpected server response: 403"; the status decides
    // whether reconnecting makes sense.
    const status = cause === 'handshake-failed' ? /Unexpected server response: (\d{3})/.exec(error.message)?.[1] : undefined;
    return { cause, message, ...(status === undefined ? {} : { status: Number(status) }) };
  }
}

/**
 * The TCP socket under a `ws` socket. `ws` has no public way to cork it: it keeps it as
 * `_socket` (ws 8, checked by `test/integration/ws-transport.test.ts`, which fails if a new
 * version moves it). `undefined` when it is not there, and then nothing is held back.
 */
function tcpSocketOf(ws: WebSocket): Pick<Socket, 'cork' | 'uncork' | 'writableLength'> | undefined {
  const tcp = (ws as unknown as { _socket?: Partial<Socket> | null })._socket;
  return tcp && typeof tcp.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as Socket) : undefined;
}

/** `ws` has delivered `Blob`s since 8.18; `@types/ws` does not list `'blob'` yet. */
function asWsBinaryType(type: BinaryType): 'arraybuffer' {
  return type as 'arraybuffer';
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/** Maps a Node or `ws` error code to a cause (ws lists its `WS_ERR_*` codes in its docs). */
function classify(code: string | undefined, connecting: boolean): CloseCause {
  if (code !== undefined && UNREACHABLE.has(code)) return 'refused';
  if (code !== undefined && DROPPED.has(code)) return 'connection-lost';
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'message-too-big';
  // OpenSSL's verification codes (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED...) and Node's TLS errors.
  if (code !== undefined && (code.includes('CERT') || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) return 'tls-failed';
  if (code?.startsWith('WS_ERR_')) return 'protocol-error';
  // Handshake problems (an HTTP status, a bad Sec-WebSocket-Accept, a subprotocol mismatch,
  // a TLS certificate error) reach us as plain errors while connecting.
  return connecting ? 'handshake-failed' : 'transport-error';
}
