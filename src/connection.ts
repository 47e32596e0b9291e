/**
 * The public `Connection` API: argument checks, then the engine (`engine.ts`), which runs the
 * connection statechart and performs what it asks for.
 */
import type { CloseInfo } from '../machines/connection.types.js';
import { byteSizeOf, isOutgoingData, type OutgoingData } from './byte-length.js';
import type { ConnectionEventMap, ConnectionStateName, ReadyState } from './connection-events.js';
import type { EventObserver } from './emitter.js';
import { clock, connectionCreated, observe, pauseReads } from './connection-internals.js';
import { ConnectionEngine, type ConnectionActor } from './engine.js';
import { resolveOptions, type ConnectionOptions } from './options.js';
import type { Clock } from './time.js';
import type { BinaryType } from './transports/transport.js';
import { UrlResolver, type UrlSource } from './url-source.js';
import { describeValue, normalizeCloseArgs, parseWebSocketUrl, redactUrl } from './validation.js';

/**
 * Opens a connection to `url` (or to what `url()` gives before each attempt). Throws at once for
 * a bad URL, subprotocol or option; reports everything else as events. Reconnects unless told
 * not to (`reconnect: false`).
 */
export function createConnection(url: UrlSource, options?: ConnectionOptions): Connection {
  return new Connection(url, options);
}

/** A WebSocket connection whose lifecycle is the `connectionMachine` statechart. */
export class Connection {
  readonly #engine: ConnectionEngine;
  readonly #urls: UrlResolver;

  constructor(url: UrlSource, options?: ConnectionOptions) {
    // The URL first, then the subprotocols, as the standard orders the constructor's checks
    // (https://websockets.spec.whatwg.org/#dom-websocket-websocket).
    const fixed = typeof url === 'function' ? undefined : parseWebSocketUrl(url);
    const resolved = resolveOptions(options);
    this.#urls = new UrlResolver(url, fixed, resolved.secureOnly);
    this.#engine = new ConnectionEngine(resolved, this.#urls, fixed === undefined ? 'url()' : redactUrl(fixed));
    connectionCreated?.(this);
  }

  /**
   * The XState actor running this connection, for inspection: created on first access from the
   * current state (no connection pays for an actor nobody reads), and from then on the one that
   * steps it. Drive the connection through its methods, not `actor.send`, which throws a
   * `TypeError` for a `user.send`: only `send()` carries the message.
   */
  get actor(): ConnectionActor {
    return this.#engine.actor;
  }

  /** Settles once the connection is over for good (`close()`, no reconnect, or `giveup`), with how the last attempt ended. */
  get closed(): Promise<CloseInfo> {
    return this.#engine.closed;
  }

  /** The serialized URL of the current (or last) attempt, as `WebSocket.url` gives it; `''` until a `url()` function has given one. */
  get url(): string {
    return this.#urls.latest ?? '';
  }

  /** 0 connecting (also while waiting to reconnect), 1 open, 2 closing, 3 closed: derived from the machine's state. */
  get readyState(): ReadyState {
    return this.#engine.readyState;
  }

  /** The machine's state, with `closing` in detail. */
  get state(): ConnectionStateName {
    return this.#engine.state;
  }

  /** Bytes accepted by `send()` and not yet written out: the queue plus what the socket still holds. */
  get bufferedAmount(): number {
    return this.#engine.bufferedAmount;
  }

  /**
   * Settles when there is room: at once while `bufferedAmount` is below `highWaterMark` and
   * `send()` accepts messages, else once a write, a flush on open or a reconnect brings it
   * there; stays pending while the connection closes after an error and may reconnect; rejects
   * with an `InvalidStateError` once it is over for good (`close()`, or no more reconnects). As
   * a `WritableStreamDefaultWriter`'s `ready`: `await connection.ready` before each `send()`
   * keeps memory bounded by the watermark plus one message.
   */
  get ready(): Promise<void> {
    return this.#engine.ready;
  }

  /** Messages waiting for the socket to open. */
  get queuedMessages(): number {
    return this.#engine.queue?.length ?? 0;
  }

  get protocol(): string {
    return this.#engine.context.protocol;
  }

  get extensions(): string {
    return this.#engine.context.extensions;
  }

  /** What binary messages arrive as; may be changed at any time. */
  get binaryType(): BinaryType {
    return this.#engine.sockets.binaryType;
  }

  set binaryType(type: BinaryType) {
    // Typed for TypeScript callers; a JavaScript caller may pass anything.
    const given: unknown = type;
    if (given !== 'blob' && given !== 'arraybuffer') {
      throw new TypeError(`Expected \`binaryType\` to be "blob" or "arraybuffer", got ${describeValue(type)}`);
    }
    this.#engine.sockets.binaryType = type;
  }

  /**
   * Sends `data`: written at once when open, queued while connecting or waiting to reconnect.
   * Returns whether it was accepted; a message that is not, or that is accepted but never
   * written out, is reported by exactly one `undelivered` event. Throws a `TypeError` for data
   * that is not a string, `ArrayBuffer`, view or `Blob`, sending nothing: stricter than
   * `WebSocket.send()` and `ManagedWebSocket.send()`, which send any other value as its string
   * conversion, because sending `"[object Object]"` or `"undefined"` is always a bug.
   */
  send(data: OutgoingData): boolean {
    if (!isOutgoingData(data)) {
      throw new TypeError(`Expected data to be a string, an ArrayBuffer, an ArrayBufferView or a Blob, got ${describeValue(data)}`);
    }
    return this.#engine.send(data, byteSizeOf(data));
  }

  /**
   * Closes the connection for good: after buffered data has drained when open, at once when
   * connecting or waiting to reconnect. Throws an `InvalidAccessError` for a code other than
   * 1000 or 3000–4999 and a `SyntaxError` for a reason over 123 UTF-8 bytes, changing nothing.
   * Resolves with how the last attempt ended.
   */
  close(code?: number, reason?: string): Promise<CloseInfo> {
    this.#engine.dispatch({ type: 'user.close', ...normalizeCloseArgs(code, reason) });
    return this.closed;
  }

  /** Listens for `type`; returns a function that stops listening. */
  on<K extends keyof ConnectionEventMap>(type: K, listener: (payload: ConnectionEventMap[K]) => void): () => void {
    return this.#engine.sequencer.events.on(type, listener);
  }

  /** @internal See `connection-internals.ts`. */
  [observe](observer: EventObserver<ConnectionEventMap>): void {
    this.#engine.sequencer.events.observeWith(observer);
  }

  /** @internal See `connection-internals.ts`. */
  [pauseReads](paused: boolean): boolean {
    return this.#engine.pauseReads(paused);
  }

  /** @internal See `connection-internals.ts`. */
  [clock](): Clock {
    return this.#engine.options.clock;
  }
}
