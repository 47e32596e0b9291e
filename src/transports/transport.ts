/**
 * The small interface every transport implements: the `ws` client in Node, the native
 * `WebSocket` in browsers and workers, and the in-memory transport in `./testing`.
 *
 * A transport reports facts; it makes no lifecycle decision. It should report in later tasks,
 * as real sockets do; a report that comes from inside one of its methods anyway (some
 * implementations fail synchronously in `close()`) is held by the shell until the transition
 * that called the method is over. It must not report after `terminate()`.
 */
import type { OutgoingData } from '../byte-length.js';
import type { Clock } from '../time.js';
import type { TransportFailure } from '../../machines/connection.types.js';

/** What an inbound message is delivered as, following `binaryType`. */
export type BinaryType = 'blob' | 'arraybuffer';
export type IncomingData = string | ArrayBuffer | Blob;

/** Everything a transport needs to open one socket. */
export interface TransportRequest {
  /** The full URL, credentials and query included: only the transport sees it. */
  readonly url: URL;
  readonly protocols: readonly string[];
  readonly binaryType: BinaryType;
  /** The largest inbound message to accept, in bytes, where the transport can enforce it. */
  readonly maxPayload: number;
  /** Options only a Node client can honour (headers, origin, TLS CA, agent). */
  readonly node: NodeClientOptions;
  readonly clock: Clock;
}

/** Client options that only the `ws` transport honours; browsers decide these themselves. */
export interface NodeClientOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly origin?: string;
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** An `http.Agent` or `https.Agent`, for proxies. */
  readonly agent?: object;
  /** Whether (and how) to offer permessage-deflate; `ws` offers it when this is not given. */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
}

/**
 * `ws`'s permessage-deflate options (RFC 7692 negotiation parameters and zlib settings), as its
 * documentation describes them. Whatever they say, `ws` stops inflating a message at `maxPayload`.
 */
export interface PerMessageDeflateOptions {
  readonly serverNoContextTakeover?: boolean;
  readonly clientNoContextTakeover?: boolean;
  /** `true` to let the server choose, or 8 to 15. */
  readonly serverMaxWindowBits?: boolean | number;
  readonly clientMaxWindowBits?: boolean | number;
  /** Passed to zlib's `createDeflateRaw`. */
  readonly zlibDeflateOptions?: object;
  /** Passed to zlib's `createInflateRaw`. */
  readonly zlibInflateOptions?: object;
  /** Outgoing messages smaller than this many bytes are sent uncompressed. */
  readonly threshold?: number;
  /** How many zlib operations may run at once, across every socket. */
  readonly concurrencyLimit?: number;
}

/** The facts a socket reports, in the order it learns them. */
export interface TransportHandlers {
  open(protocol: string, extensions: string): void;
  message(data: IncomingData): void;
  error(failure: TransportFailure): void;
  close(code: number, reason: string, wasClean: boolean): void;
  /** A pong frame arrived (transports with protocol pings only). */
  pong(): void;
}

/** One socket, for one connection attempt. */
export interface TransportSocket {
  /** Payload bytes handed to `send()` and not yet written out (UTF-8 for strings, framing excluded). */
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  /**
   * Writes `data` (`bytes` long). `original` is what `takeUnsent()` returns for it: the value
   * the application passed to `send()`, when `data` is a copy taken at that time.
   */
  send(data: OutgoingData, bytes: number, original: OutgoingData): void;
  /** Starts the closing handshake; while connecting, abandons the attempt (an error and a close follow). */
  close(code: number | undefined, reason: string | undefined): void;
  /** Drops the connection at once; no handler is called afterwards. */
  terminate(): void;
  /** Calls `callback` once, in a later task, when `bufferedAmount` is 0. */
  whenDrained(callback: () => void): void;
  /**
   * Calls `callback` once, in a later task, when `bufferedAmount` is below `bytes`: what the
   * connection's high watermark waits for. One wait at a time, apart from `whenDrained`'s; a new
   * call replaces the last. Optional: without it the connection waits for a full drain instead.
   */
  whenBelow?(bytes: number, callback: () => void): void;
  /** The data handed to `send()` that was never written out, oldest first; forgets it. */
  takeUnsent(): OutgoingData[];
  /**
   * Stops reading from the network until `resume()`: inbound messages wait in the kernel, and
   * TCP flow control slows the peer. Present only where the transport can (`ws`; a browser's
   * `WebSocket` cannot). Called only on an open socket.
   */
  pause?(): void;
  /** Reads from the network again after `pause()`. */
  resume?(): void;
  /** Sends a protocol ping frame; present only where the transport can (`Transport.pings`). */
  ping?(): void;
}

/**
 * Opens a socket. It may throw only for a request the platform refuses outright, which the
 * connection reports as `invalid-request` and does not retry by default. `pings` says
 * whether its sockets send protocol pings and report pongs; the browser's `WebSocket` cannot,
 * so the heartbeat there needs an application-level `pingMessage`.
 */
export type Transport = ((request: TransportRequest, handlers: TransportHandlers) => TransportSocket) & {
  readonly pings?: boolean;
  /** Whether its sockets can stop reading from the network (`TransportSocket.pause`). */
  readonly pausable?: boolean;
};
