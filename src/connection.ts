/**
 * The imperative shell around the connection statechart: the public `Connection` API, the
 * outbound queue, timers, and the transport socket of the current attempt.
 *
 * The machine decides every lifecycle step; this class performs the effects it names and
 * turns transport callbacks and timer expiries into events. Public events are collected while
 * the actor processes and delivered once it is idle, so a listener that calls `send()` or
 * `close()` always meets a settled state. In the `open` state, `send()` and inbound messages
 * skip the actor (one XState event costs about a third of a `ws` send): the machine still
 * decides when that fast path applies, since it is taken only in the state the machine set.
 */
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import { connectionMachine } from '../machines/connection.machine.js';
import type {
  CloseInfo,
  ConnectionEvent,
  TimerName,
  TransportFailure,
  UndeliveredReason,
} from '../machines/connection.types.js';
import { byteSizeOf, isOutgoingData, type OutgoingData } from './byte-length.js';
import { normalizeCloseArgs } from './close-args.js';
import { describeValue } from './errors.js';
import { Emitter } from './emitter.js';
import { resolveOptions, type ConnectionOptions, type ResolvedOptions } from './options.js';
import { QueuedMessage } from './outgoing.js';
import { ByteQueue } from './queue.js';
import { getDefaultTransport } from './transports/default-transport.js';
import type { BinaryType, IncomingData, TransportSocket } from './transports/transport.js';
import { checkTransportSecurity, parseWebSocketUrl, redactUrl } from './url.js';

/** `readyState` values, as on `WebSocket`. */
export type ReadyState = 0 | 1 | 2 | 3;

/** The machine's state, flattened: the four `readyState`s, with `closing` in detail. */
export type ConnectionStateName =
  | 'connecting'
  | 'open'
  | 'closing.draining'
  | 'closing.handshake'
  | 'closing.aborting'
  | 'closed';

export interface OpenInfo {
  /** The subprotocol the server selected, or `''`. */
  readonly protocol: string;
  /** The extensions the server selected, or `''`. */
  readonly extensions: string;
}

/** A message that was never written to a socket, and why. */
export interface UndeliveredMessage {
  /** Exactly what was passed to `send()`. */
  readonly data: OutgoingData;
  readonly reason: UndeliveredReason;
}

export interface StateChange {
  readonly state: ConnectionStateName;
  readonly readyState: ReadyState;
}

/** The events a `Connection` emits, and what each listener receives. */
export interface ConnectionEventMap {
  open: OpenInfo;
  message: IncomingData;
  error: TransportFailure;
  close: CloseInfo;
  state: StateChange;
  undelivered: UndeliveredMessage;
}

type Snapshot = SnapshotFrom<typeof connectionMachine>;
type Event<T extends ConnectionEvent['type']> = Extract<ConnectionEvent, { type: T }>;
type Pending = { [K in keyof ConnectionEventMap]: [K, ConnectionEventMap[K]] }[keyof ConnectionEventMap];

const READY_STATE: Record<string, ReadyState> = { connecting: 0, open: 1, closing: 2, closed: 3 };

/** Opens a connection to `url`. Throws at once for a bad URL, subprotocol or option; reports everything else as events. */
export function createConnection(url: string | URL, options?: ConnectionOptions): Connection {
  return new Connection(url, options);
}

/** A WebSocket connection whose lifecycle is the `connectionMachine` statechart. */
export class Connection {
  /** The serialized URL, as `WebSocket.url` gives it (credentials included: it is the caller's own). */
  readonly url: string;
  /** The running XState actor, for inspection. Drive the connection through the methods, not `actor.send`. */
  readonly actor: Actor<typeof connectionMachine>;
  /** Settles with the final close, however the connection ends. */
  readonly closed: Promise<CloseInfo>;

  readonly #options: ResolvedOptions;
  readonly #parsedUrl: URL;
  readonly #events = new Emitter<ConnectionEventMap>();
  readonly #queue = new ByteQueue<QueuedMessage>();
  readonly #timers = new Map<TimerName, unknown>();
  #socket: TransportSocket | undefined;
  #socketAttempt = 0;
  #binaryType: BinaryType;
  #outbox: Pending[] = [];
  #delivering = false;
  /** True while the actor processes an event, i.e. while the machine's effects run. */
  #inTransition = false;
  /** Transport reports that arrived during a transition, to replay in order once it is over. */
  #deferred: (() => void)[] = [];
  /** Set by the machine's send actions: whether the `user.send` just dispatched was accepted. */
  #accepted = false;
  #lastState: ConnectionStateName = 'connecting';
  #resolveClosed!: (info: CloseInfo) => void;

  constructor(url: string | URL, options?: ConnectionOptions) {
    // The URL first, then the subprotocols, as the standard orders the constructor's checks
    // (https://websockets.spec.whatwg.org/#dom-websocket-websocket).
    this.#parsedUrl = parseWebSocketUrl(url);
    this.#options = resolveOptions(options);
    checkTransportSecurity(this.#parsedUrl, this.#options.secureOnly);
    this.url = this.#parsedUrl.href;
    this.#binaryType = this.#options.binaryType;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.actor = createActor(this.#provideEffects(), {
      input: {
        url: redactUrl(this.#parsedUrl),
        maxQueuedMessages: this.#options.maxQueuedMessages,
        maxQueuedBytes: this.#options.maxQueuedBytes,
      },
      ...(this.#options.inspect === undefined ? {} : { inspect: this.#options.inspect }),
    });
    this.actor.subscribe((snapshot) => this.#noteState(snapshot));
    this.#transition(() => this.actor.start());
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed: derived from the machine's state. */
  get readyState(): ReadyState {
    return READY_STATE[topState(this.actor.getSnapshot())]!;
  }

  /** The machine's state, with `closing` in detail. */
  get state(): ConnectionStateName {
    return stateName(this.actor.getSnapshot());
  }

  /** Bytes accepted by `send()` and not yet written out: the queue plus what the socket still holds. */
  get bufferedAmount(): number {
    return this.#queue.bytes + (this.#socket?.bufferedAmount ?? 0);
  }

  /** Messages waiting for the socket to open. */
  get queuedMessages(): number {
    return this.#queue.length;
  }

  get protocol(): string {
    return this.actor.getSnapshot().context.protocol;
  }

  get extensions(): string {
    return this.actor.getSnapshot().context.extensions;
  }

  /** What binary messages arrive as; may be changed at any time. */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(type: BinaryType) {
    if (type !== 'blob' && type !== 'arraybuffer') {
      throw new TypeError(`Expected \`binaryType\` to be "blob" or "arraybuffer", got ${describeValue(type)}`);
    }
    this.#binaryType = type;
    if (this.#socket) this.#socket.binaryType = type;
  }

  /**
   * Sends `data`: written at once when open, queued while connecting. Returns whether it was
   * accepted; a message that is not, or that is accepted but never written out, is reported
   * by exactly one `undelivered` event.
   */
  send(data: OutgoingData): boolean {
    if (!isOutgoingData(data)) {
      throw new TypeError(`Expected data to be a string, an ArrayBuffer, an ArrayBufferView or a Blob, got ${describeValue(data)}`);
    }
    const bytes = byteSizeOf(data);
    if (this.#isOpen()) {
      this.#socket!.send(data, bytes, data);
      return true;
    }
    this.#dispatch({ type: 'user.send', bytes, message: data });
    return this.#accepted;
  }

  /**
   * Closes the connection: after buffered data has drained when open, at once when connecting.
   * Throws an `InvalidAccessError` for a code other than 1000 or 3000–4999 and a `SyntaxError`
   * for a reason over 123 UTF-8 bytes, changing nothing. Resolves with the final close.
   */
  close(code?: number, reason?: string): Promise<CloseInfo> {
    const args = normalizeCloseArgs(code, reason);
    this.#dispatch({
      type: 'user.close',
      ...(args.code === undefined ? {} : { code: args.code }),
      ...(args.reason === undefined ? {} : { reason: args.reason }),
    });
    return this.closed;
  }

  /** Listens for `type`; returns a function that stops listening. */
  on<K extends keyof ConnectionEventMap>(type: K, listener: (payload: ConnectionEventMap[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  #isOpen(): boolean {
    return this.actor.getSnapshot().value === 'open';
  }

  #dispatch(event: ConnectionEvent): void {
    this.#transition(() => this.actor.send(event));
    this.#deliver();
  }

  #transition(step: () => void): void {
    const outer = this.#inTransition;
    this.#inTransition = true;
    try {
      step();
    } finally {
      this.#inTransition = outer;
    }
  }

  /**
   * Runs a transport's report (or a timer's) now, or, when it arrives from inside one of the
   * machine's effects (a socket that reports synchronously from `close()`, say), in a later
   * microtask, after whatever was already waiting: the machine never hears of a fact in the
   * middle of the transition that caused it, and facts keep their order.
   */
  #fromTransport(report: () => void): void {
    if (!this.#mustDefer()) {
      report();
      return;
    }
    this.#deferred.push(report);
    if (this.#deferred.length === 1) queueMicrotask(() => this.#replayDeferred());
  }

  #mustDefer(): boolean {
    return this.#inTransition || this.#deferred.length > 0;
  }

  #replayDeferred(): void {
    // Each report may defer more; take them one at a time, in order.
    for (let report = this.#deferred[0]; report !== undefined; report = this.#deferred[0]) {
      report();
      this.#deferred.shift();
    }
  }

  #post(pending: Pending): void {
    this.#outbox.push(pending);
  }

  /** Delivers what the last transitions produced, in order; re-entrant calls append to the same run. */
  #deliver(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let i = 0; i < this.#outbox.length; i++) {
        const [type, payload] = this.#outbox[i]!;
        this.#events.emit(type, payload as never);
      }
      this.#outbox = [];
    } finally {
      this.#delivering = false;
    }
  }

  #receive(attempt: number, data: IncomingData): void {
    // The platform drops messages that arrive once the connection is no longer OPEN.
    if (attempt !== this.#socketAttempt || !this.#isOpen()) return;
    if (this.#delivering) this.#post(['message', data]);
    else this.#events.emit('message', data);
  }

  #noteState(snapshot: Snapshot): void {
    const state = stateName(snapshot);
    if (state === this.#lastState) return;
    this.#lastState = state;
    this.#post(['state', { state, readyState: READY_STATE[topState(snapshot)]! }]);
  }

  #report(data: OutgoingData, reason: UndeliveredReason): void {
    this.#post(['undelivered', { data, reason }]);
  }

  #openSocket(attempt: number): void {
    this.#socketAttempt = attempt;
    const dispatch = (event: ConnectionEvent) => this.#fromTransport(() => this.#dispatch(event));
    try {
      this.#socket = (this.#options.transport ?? getDefaultTransport())(
        {
          url: this.#parsedUrl,
          protocols: this.#options.protocols,
          binaryType: this.#binaryType,
          maxPayload: this.#options.maxPayload,
          node: this.#options.node,
          clock: this.#options.clock,
        },
        {
          open: (protocol, extensions) => dispatch({ type: 'socket.open', attempt, protocol, extensions }),
          // The hot path: a closure only in the rare case a message must wait for a transition.
          message: (data) => {
            if (this.#mustDefer()) this.#fromTransport(() => this.#receive(attempt, data));
            else this.#receive(attempt, data);
          },
          error: (failure) => dispatch({ type: 'socket.error', attempt, failure }),
          close: (code, reason, wasClean) => dispatch({ type: 'socket.close', attempt, code, reason, wasClean }),
        },
      );
    } catch (error) {
      // Deferred like any report from inside an effect, so listeners added right after
      // createConnection() hear it.
      const message = error instanceof Error ? error.message : String(error);
      dispatch({ type: 'socket.error', attempt, failure: { cause: 'transport-error', message } });
    }
  }

  #startTimer(timer: TimerName, attempt: number): void {
    const delay = { connect: this.#options.connectTimeout, drain: this.#options.drainTimeout, close: this.#options.closeTimeout }[timer];
    const handle = this.#options.clock.setTimeout(() => {
      this.#timers.delete(timer);
      this.#dispatch({ type: `timer.${timer}`, attempt });
    }, delay);
    this.#timers.set(timer, handle);
  }

  #cancelTimer(timer: TimerName): void {
    if (!this.#timers.has(timer)) return;
    this.#options.clock.clearTimeout(this.#timers.get(timer));
    this.#timers.delete(timer);
  }

  /** The machine with this connection's effects. */
  #provideEffects() {
    return connectionMachine.provide({
      actions: {
        openSocket: (_, { attempt }) => this.#openSocket(attempt),
        closeSocket: (_, { code, reason }) => this.#socket?.close(code, reason),
        terminateSocket: () => this.#socket?.terminate(),
        watchDrain: (_, { attempt }) => {
          this.#socket?.whenDrained(() => this.#fromTransport(() => this.#dispatch({ type: 'socket.drained', attempt })));
        },
        startTimer: (_, { timer, attempt }) => this.#startTimer(timer, attempt),
        cancelTimer: (_, { timer }) => this.#cancelTimer(timer),
        enqueueMessage: ({ event }) => {
          const { message, bytes } = event as Event<'user.send'>;
          this.#queue.push(QueuedMessage.of(message as OutgoingData), bytes);
          this.#accepted = true;
        },
        writeMessage: ({ event }) => {
          const { message, bytes } = event as Event<'user.send'>;
          this.#socket!.send(message as OutgoingData, bytes, message as OutgoingData);
          this.#accepted = true;
        },
        rejectMessage: ({ event }, { reason }) => {
          this.#accepted = false;
          this.#report((event as Event<'user.send'>).message as OutgoingData, reason);
        },
        flushQueue: () => {
          const socket = this.#socket!;
          for (let size = this.#queue.peekSize(); size !== undefined; size = this.#queue.peekSize()) {
            const message = this.#queue.shift()!;
            socket.send(message.wire, size, message.original);
          }
        },
        dropQueue: (_, { reason }) => {
          for (const message of this.#queue.drain()) this.#report(message.original, reason);
        },
        reportUnsent: (_, { reason }) => {
          for (const data of this.#socket?.takeUnsent() ?? []) this.#report(data, reason);
        },
        emitOpen: ({ context }) => this.#post(['open', { protocol: context.protocol, extensions: context.extensions }]),
        emitError: (_, { failure }) => this.#post(['error', failure]),
        emitClose: (_, { closeInfo }) => {
          this.#post(['close', closeInfo]);
          this.#resolveClosed(closeInfo);
        },
      },
    });
  }
}

function topState(snapshot: Snapshot): string {
  const value = snapshot.value;
  return typeof value === 'string' ? value : Object.keys(value)[0]!;
}

function stateName(snapshot: Snapshot): ConnectionStateName {
  const value = snapshot.value;
  if (typeof value === 'string') return value as ConnectionStateName;
  const [parent, child] = Object.entries(value)[0]!;
  return `${parent}.${String(child)}` as ConnectionStateName;
}
