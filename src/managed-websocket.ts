/**
 * `ManagedWebSocket`: the WHATWG `WebSocket` interface (https://websockets.spec.whatwg.org/#the-websocket-interface)
 * over a `Connection`, so code written for the platform `WebSocket` gets the statechart's
 * lifecycle by changing one constructor. The standard's checks and event order hold, with these
 * deliberate differences:
 *
 * - `send()` while CONNECTING queues the message (the platform throws `InvalidStateError`).
 * - `close()` on an open connection waits for buffered data to drain before the closing handshake.
 * - A message that is never written out (sent after `close()`, queue full, connection lost) is
 *   reported by an `undelivered` event; the platform discards it silently and grows `bufferedAmount`.
 * - `backpressure` and `ready` events say when `bufferedAmount` reaches the `highWaterMark` option
 *   and when it is back below; the platform has neither (its `bufferedAmount` can only be polled).
 */
import { isOutgoingData, type OutgoingData } from './byte-length.js';
import { CloseEventImpl } from './close-event.js';
import { createConnection, type Connection } from './connection.js';
import { observe } from './connection-internals.js';
import type { ConnectionEventMap, ReadyState } from './connection-events.js';
import type { AddListenerOptions, Listener, ListenerOptions, MessageEventOf } from './dom-types.js';
import type { EventObserver } from './emitter.js';
import type { ConnectionOptions } from './options.js';
import { toDOMString } from './validation.js';
import type { BinaryType, IncomingData } from './transports/transport.js';
import { UndeliveredEvent } from './undelivered-event.js';

/** The `Connection` options that apply; `protocols` is the constructor's second argument, and `binaryType` the property. */
export type ManagedWebSocketOptions = Omit<ConnectionOptions, 'protocols' | 'binaryType'>;

/** The events a `ManagedWebSocket` fires, by type. */
export interface ManagedWebSocketEventMap {
  open: Event;
  message: MessageEventOf<IncomingData>;
  error: Event;
  close: CloseEventImpl;
  undelivered: UndeliveredEvent;
  /** `bufferedAmount` reached the `highWaterMark` option; read it from the socket. Not part of the standard. */
  backpressure: Event;
  /** `bufferedAmount` is back below `highWaterMark` after `backpressure`. Not part of the standard. */
  ready: Event;
}

/** An `on…` event handler property's value, as HTML's `EventHandler` type. */
export type ManagedWebSocketHandler<E extends Event> = ((this: ManagedWebSocket, event: E) => unknown) | null;

type HandlerType = keyof ManagedWebSocketEventMap;

/** The listener that runs an event handler property, and what the property holds now. */
interface HandlerSlot {
  value: object;
  readonly listener: (event: Event) => void;
}

/**
 * Typed overloads for the events above; any other type goes to `EventTarget`'s own signature.
 * Merged into the class, as the DOM's own `WebSocket` types are, so that only its signatures change.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- declares overloads of inherited methods, nothing the class leaves unimplemented
export interface ManagedWebSocket {
  addEventListener<K extends HandlerType>(
    type: K,
    listener: (this: ManagedWebSocket, event: ManagedWebSocketEventMap[K]) => unknown,
    options?: boolean | AddListenerOptions,
  ): void;
  addEventListener(type: string, listener: Listener | null, options?: boolean | AddListenerOptions): void;
  removeEventListener<K extends HandlerType>(
    type: K,
    listener: (this: ManagedWebSocket, event: ManagedWebSocketEventMap[K]) => unknown,
    options?: boolean | ListenerOptions,
  ): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | ListenerOptions): void;
}

/**
 * A drop-in `WebSocket` whose lifecycle is the `connectionMachine` statechart. It reconnects only
 * when its options say `reconnect: true`; each attempt then ends in its own `close` event, and
 * `readyState` reads CONNECTING during the wait.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class ManagedWebSocket extends EventTarget {
  // Defined below as WebIDL constants: read-only, on the constructor and on the prototype.
  declare static readonly CONNECTING: 0;
  declare static readonly OPEN: 1;
  declare static readonly CLOSING: 2;
  declare static readonly CLOSED: 3;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  readonly #connection: Connection;
  /** The event handler properties set so far; created with the first. */
  #handlers: Map<HandlerType, HandlerSlot> | undefined;

  /**
   * Opens a connection to `url`, offering `protocols`. Throws a `SyntaxError` `DOMException`
   * for a bad URL and then for a bad subprotocol list, in the standard's order; a `TypeError`
   * for a bad option; a `SecurityError` as `Connection` does.
   */
  constructor(url: string | URL, protocols?: string | string[], options?: ManagedWebSocketOptions) {
    // WebIDL: the URL is required, and every argument is converted, in order, before the
    // constructor's steps check any of them.
    if (arguments.length === 0) throw new TypeError("Failed to construct 'ManagedWebSocket': 1 argument required, but only 0 present.");
    const href = toDOMString(url);
    const list = toProtocolList(protocols);
    super();
    this.#connection = createConnection(href, connectionOptions(list, options));
    // https://websockets.spec.whatwg.org/#feedback-from-the-protocol: origin is the URL's origin, serialized.
    this.#connection[observe](new EventRelay(this, new URL(this.#connection.url).origin));
  }

  /** The underlying connection, to inspect (its `actor`, `state`, `closed`); drive it through this object. */
  get connection(): Connection {
    return this.#connection;
  }

  /** The URL, serialized, after `http:` and `https:` became `ws:` and `wss:`. */
  get url(): string {
    return this.#connection.url;
  }

  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  get readyState(): ReadyState {
    return this.#connection.readyState;
  }

  /** Bytes accepted by `send()` and not yet written out (UTF-8 for strings), including those queued before open. */
  get bufferedAmount(): number {
    return this.#connection.bufferedAmount;
  }

  /** The subprotocol the server selected, or `''`. */
  get protocol(): string {
    return this.#connection.protocol;
  }

  /** The extensions the server selected, or `''`. */
  get extensions(): string {
    return this.#connection.extensions;
  }

  /** What binary messages arrive as. @default 'blob' */
  get binaryType(): BinaryType {
    return this.#connection.binaryType;
  }

  /** An enumeration attribute: a value other than `'blob'` or `'arraybuffer'` is ignored, without throwing (WebIDL). */
  set binaryType(value: BinaryType) {
    const type = toDOMString(value);
    if (type === 'blob' || type === 'arraybuffer') this.#connection.binaryType = type;
  }

  /**
   * Sends `data`: at once when open, after the opening handshake when connecting. A message
   * that is never written out is reported by an `undelivered` event. Any value other than a
   * string, `ArrayBuffer`, view or `Blob` is sent as its string conversion, as the platform's
   * `send()` does (`null` as `"null"`, `42` as `"42"`); a `Symbol` throws a `TypeError`.
   */
  send(data: OutgoingData): void {
    // WebIDL: the argument is required, and `(BufferSource or Blob or USVString)` takes any other
    // value as a string; a template literal is ToString, which throws a TypeError for a Symbol.
    if (arguments.length === 0)
      throw new TypeError("Failed to execute 'send' on 'ManagedWebSocket': 1 argument required, but only 0 present.");
    this.#connection.send(isOutgoingData(data) ? data : toDOMString(data));
  }

  /**
   * Closes the connection, after buffered data has drained when open. Throws an
   * `InvalidAccessError` for a code other than 1000 or 3000-4999 and a `SyntaxError` for a
   * reason over 123 UTF-8 bytes, changing nothing.
   */
  close(code?: number, reason?: string): void {
    void this.#connection.close(code, reason);
  }

  /** Called for `open` events. */
  get onopen(): ManagedWebSocketHandler<Event> {
    return this.#getHandler('open');
  }

  set onopen(handler: ManagedWebSocketHandler<Event>) {
    this.#setHandler('open', handler);
  }

  /** Called for `message` events. */
  get onmessage(): ManagedWebSocketHandler<MessageEventOf<IncomingData>> {
    return this.#getHandler('message');
  }

  set onmessage(handler: ManagedWebSocketHandler<MessageEventOf<IncomingData>>) {
    this.#setHandler('message', handler);
  }

  /** Called for `error` events. */
  get onerror(): ManagedWebSocketHandler<Event> {
    return this.#getHandler('error');
  }

  set onerror(handler: ManagedWebSocketHandler<Event>) {
    this.#setHandler('error', handler);
  }

  /** Called for `close` events. */
  get onclose(): ManagedWebSocketHandler<CloseEventImpl> {
    return this.#getHandler('close');
  }

  set onclose(handler: ManagedWebSocketHandler<CloseEventImpl>) {
    this.#setHandler('close', handler);
  }

  /** Called for `undelivered` events (not part of the standard). */
  get onundelivered(): ManagedWebSocketHandler<UndeliveredEvent> {
    return this.#getHandler('undelivered');
  }

  set onundelivered(handler: ManagedWebSocketHandler<UndeliveredEvent>) {
    this.#setHandler('undelivered', handler);
  }

  /** Called for `backpressure` events (not part of the standard). */
  get onbackpressure(): ManagedWebSocketHandler<Event> {
    return this.#getHandler('backpressure');
  }

  set onbackpressure(handler: ManagedWebSocketHandler<Event>) {
    this.#setHandler('backpressure', handler);
  }

  /** Called for `ready` events (not part of the standard). */
  get onready(): ManagedWebSocketHandler<Event> {
    return this.#getHandler('ready');
  }

  set onready(handler: ManagedWebSocketHandler<Event>) {
    this.#setHandler('ready', handler);
  }

  #getHandler<E extends Event>(type: HandlerType): ManagedWebSocketHandler<E> {
    return (this.#handlers?.get(type)?.value ?? null) as ManagedWebSocketHandler<E>;
  }

  /**
   * HTML's event handler attributes (https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes):
   * the first non-null value adds one listener, which later values reuse, so the handler keeps
   * its place among `addEventListener` listeners; `null` removes it, and a later value is added
   * anew, last. `[LegacyTreatNonObjectAsNull]`: a non-object counts as `null`, and a
   * non-callable object is kept but does nothing.
   */
  #setHandler(type: HandlerType, value: unknown): void {
    const handlers = (this.#handlers ??= new Map<HandlerType, HandlerSlot>());
    const slot = handlers.get(type);
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
      if (slot === undefined) return;
      this.removeEventListener(type, slot.listener);
      handlers.delete(type);
    } else if (slot !== undefined) {
      slot.value = value;
    } else {
      const created: HandlerSlot = {
        value,
        listener: (event) => {
          if (typeof created.value === 'function') (created.value as (event: Event) => unknown).call(this, event);
        },
      };
      handlers.set(type, created);
      this.addEventListener(type, created.listener);
    }
  }
}

/**
 * Turns the connection's events into the platform's, dispatched on the socket: one small object
 * per socket rather than a closure per event type.
 */
class EventRelay implements EventObserver<ConnectionEventMap> {
  readonly #socket: ManagedWebSocket;
  /** What `MessageEvent.origin` reads: the URL's origin, serialized. */
  readonly #origin: string;
  /** An error seen while the connection was not yet CLOSED, waiting for its close. */
  #failed = false;

  constructor(socket: ManagedWebSocket, origin: string) {
    this.#socket = socket;
    this.#origin = origin;
  }

  observe<K extends keyof ConnectionEventMap>(type: K, payload: ConnectionEventMap[K]): void {
    const socket = this.#socket;
    switch (type) {
      case 'open':
        socket.dispatchEvent(new Event('open'));
        return;
      case 'message':
        socket.dispatchEvent(new MessageEvent('message', { data: payload as IncomingData, origin: this.#origin }));
        return;
      // The standard fires error in the task that reports the close, right before the close event,
      // with readyState CLOSED ("When the WebSocket connection is closed"), not when the failure happens.
      // A failed connect already reports error, undelivered..., close together, all while CLOSED.
      case 'error':
        if (socket.readyState === 3) socket.dispatchEvent(new Event('error'));
        else this.#failed = true;
        return;
      case 'close': {
        const { code, reason, wasClean } = payload as ConnectionEventMap['close'];
        if (this.#failed) socket.dispatchEvent(new Event('error'));
        this.#failed = false;
        socket.dispatchEvent(new CloseEventImpl('close', { code, reason, wasClean }));
        return;
      }
      case 'undelivered': {
        const { data, reason } = payload as ConnectionEventMap['undelivered'];
        socket.dispatchEvent(new UndeliveredEvent('undelivered', { data, reason }));
        return;
      }
      // Dispatched as they happen, so `bufferedAmount` read in a listener is the level crossed.
      case 'backpressure':
      case 'ready':
        socket.dispatchEvent(new Event(type));
        return;
    }
  }
}

/** WebIDL attributes and operations are enumerable properties of the prototype. */
for (const name of Object.getOwnPropertyNames(ManagedWebSocket.prototype)) {
  if (name !== 'constructor') Object.defineProperty(ManagedWebSocket.prototype, name, { enumerable: true });
}

/** WebIDL constants: `{ writable: false, enumerable: true, configurable: false }`, on the interface object and its prototype. */
for (const target of [ManagedWebSocket, ManagedWebSocket.prototype]) {
  Object.defineProperties(target, {
    CONNECTING: { value: 0, enumerable: true },
    OPEN: { value: 1, enumerable: true },
    CLOSING: { value: 2, enumerable: true },
    CLOSED: { value: 3, enumerable: true },
  });
}

/** The `Connection` options: the given ones, with the constructor's subprotocols and the standard's default `binaryType`. */
function connectionOptions(protocols: string | readonly string[], options: ManagedWebSocketOptions | undefined): ConnectionOptions {
  // The options object is this library's extension: a value that is not an object is an extra
  // argument, which WebIDL ignores (a drop-in must not throw where WebSocket would not).
  const value: unknown = options;
  const given = typeof value === 'object' && value !== null ? (value as ManagedWebSocketOptions) : {};
  // As a drop-in it means what WebSocket means: one connection, no pings; reconnection and the
  // heartbeat are there to ask for.
  return { reconnect: false, heartbeatInterval: 0, ...given, protocols, binaryType: 'blob' };
}

/** WebIDL's `(DOMString or sequence<DOMString>)` conversion: an iterable object is a list, anything else one string. */
function toProtocolList(protocols: unknown): string | readonly string[] {
  if (protocols === undefined) return [];
  if (typeof protocols === 'object' && protocols !== null && Symbol.iterator in protocols) {
    // Template literals are ToString: a Symbol throws a TypeError, as WebIDL's DOMString conversion does.
    return Array.from(protocols as Iterable<unknown>, (protocol) => toDOMString(protocol));
  }
  return toDOMString(protocols);
}
