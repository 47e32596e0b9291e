/**
 * The one interface every implementation is driven through, so that each workload runs the
 * same code for all of them and only the socket underneath changes.
 *
 * Every adapter hands the workload the same value for a text message (a `string`), each
 * through its own API's natural listener: `ws.on('message')` converts the `Buffer` as an app
 * would, the event-target kinds read `event.data`.
 */

/** Which raw `ws` API an implementation's API is compared with. */
export type ApiKind = 'on' | 'event-target';

export interface Handlers {
  readonly open: () => void;
  readonly message: (data: unknown) => void;
  readonly close: () => void;
}

export interface ClientHandle {
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(): void;
  /** Bytes sent and not yet written out, as the implementation reports them. */
  readonly bufferedAmount: number;
  /**
   * Writes `count` copies of `chunk`, waiting for room below `highWaterMark` the implementation's
   * own way (statesock: the `statesock/streams` writable; raw `ws`: polling `bufferedAmount`).
   * Calls `afterEach` after each chunk is handed over; resolves once every chunk was.
   */
  produce(chunk: Uint8Array<ArrayBuffer>, count: number, highWaterMark: number, afterEach: () => void): Promise<void>;
}

export interface Adapter {
  /** The name in the table. */
  readonly name: string;
  readonly kind: ApiKind;
  /** Whether `send()` before open is accepted and flushed on open (raw `ws` throws). */
  readonly queuesBeforeOpen: boolean;
  /**
   * Opens a socket to `url`; handlers are registered before this returns. With `queueMany`, a
   * library whose queue before open is bounded by default raises the bound for the
   * million-message workload; every other workload runs with the library's defaults.
   */
  connect(url: string, handlers: Handlers, options?: { readonly queueMany?: boolean; readonly highWaterMark?: number }): ClientHandle;
  /**
   * Opens a socket to `url` as an application holding many idle connections does: `handlers`'
   * own functions (one set shared by every connection) registered as its listeners, nothing
   * wrapped, and the socket itself returned. For the memory workloads, so that the weight per
   * connection is the implementation's (its listeners included), not the harness's.
   */
  idle(url: string, handlers: Handlers): unknown;
}

/** The members every implementation's socket has, `ws` and `WebSocket` alike. */
export interface SocketLike {
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(): void;
  readonly bufferedAmount: number;
}

/** What every `WebSocket`-shaped implementation offers besides: raw `ws`'s event-target API, `ManagedWebSocket`, the peers. */
export interface WebSocketLike extends SocketLike {
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}

/** A handle over a socket's own members; `produce` is how it waits for room, if it is measured for that at all. */
export function socketHandle(socket: SocketLike, produce?: ClientHandle['produce']): ClientHandle {
  return {
    send: (data) => socket.send(data),
    close: () => socket.close(),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    produce: produce ?? (() => Promise.reject(new Error('the producer workload does not run this implementation'))),
  };
}

/** Registers `handlers` themselves on a `WebSocket`-shaped socket (`Adapter.idle`). */
export function idleWebSocket(socket: WebSocketLike, handlers: Handlers): WebSocketLike {
  socket.addEventListener('open', handlers.open);
  socket.addEventListener('message', handlers.message);
  socket.addEventListener('close', handlers.close);
  socket.addEventListener('error', ignore);
  return socket;
}

/** A listener for what the workloads let surface another way (errors: as timeouts). */
export function ignore(): void {}

/** Drives a `WebSocket`-shaped socket: `handlers` on its events (errors surface as timeouts in the workload). */
export function webSocketHandle(socket: WebSocketLike, handlers: Handlers, produce?: ClientHandle['produce']): ClientHandle {
  socket.addEventListener('open', () => handlers.open());
  socket.addEventListener('message', (event) => handlers.message(event.data));
  socket.addEventListener('close', () => handlers.close());
  socket.addEventListener('error', ignore);
  return socketHandle(socket, produce);
}
