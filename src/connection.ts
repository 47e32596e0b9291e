/**
 * The imperative shell around the connection statechart: the public `Connection` API, the
 * outbound queue, timers, and the transport socket of the current attempt.
 *
 * The machine decides every lifecycle step; this class performs the effects it names and
 * turns transport callbacks and timer expiries into events, in the order `Sequencer` keeps.
 * In the `open` state, `send()` and inbound messages skip the actor (one XState event costs
 * about a third of a `ws` send): the machine still decides when that fast path applies, since
 * it is taken only in the state the machine set.
 */
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import { connectionMachine } from '../machines/connection.machine.js';
import type { CloseInfo, ConnectionEvent, TimerName, UndeliveredReason } from '../machines/connection.types.js';
import { byteSizeOf, isOutgoingData, type OutgoingData } from './byte-length.js';
import { normalizeCloseArgs } from './close-args.js';
import { describeValue } from './errors.js';
import { Emitter } from './emitter.js';
import { resolveOptions, type ConnectionOptions, type ResolvedOptions } from './options.js';
import { QueuedMessage } from './outgoing.js';
import { ByteQueue } from './queue.js';
import { Sequencer } from './sequencer.js';
import {
  readyStateOf,
  stateName,
  type ConnectionEventMap,
  type ConnectionStateName,
  type ReadyState,
} from './connection-events.js';
import { getDefaultTransport } from './transports/default-transport.js';
import type { BinaryType, IncomingData, TransportSocket } from './transports/transport.js';
import { checkTransportSecurity, parseWebSocketUrl, redactUrl } from './url.js';

type Snapshot = SnapshotFrom<typeof connectionMachine>;
type Event<T extends ConnectionEvent['type']> = Extract<ConnectionEvent, { type: T }>;


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
  readonly #sequencer = new Sequencer(this.#events);
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
    this.actor = createActor(Connection.#machine, {
      input: {
        url: redactUrl(this.#parsedUrl),
        maxQueuedMessages: this.#options.maxQueuedMessages,
        maxQueuedBytes: this.#options.maxQueuedBytes,
      },
      ...(this.#options.inspect === undefined ? {} : { inspect: this.#options.inspect }),
    });
    Connection.#owners.set(this.actor, this);
    this.actor.subscribe((snapshot) => this.#noteState(snapshot));
    this.#sequencer.transition(() => this.actor.start());
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed: derived from the machine's state. */
  get readyState(): ReadyState {
    return readyStateOf(this.actor.getSnapshot());
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
    this.#sequencer.transition(() => this.actor.send(event));
  }

  /** A fact from a socket or timer: dispatched now, or held if it arrives mid-transition. */
  #hear(event: ConnectionEvent): void {
    this.#sequencer.fromOutside(() => this.#dispatch(event));
  }

  #receive(attempt: number, data: IncomingData): void {
    // The platform drops messages that arrive once the connection is no longer OPEN.
    if (attempt !== this.#socketAttempt || !this.#isOpen()) return;
    this.#sequencer.deliverNow('message', data);
  }

  #noteState(snapshot: Snapshot): void {
    const state = stateName(snapshot);
    if (state === this.#lastState) return;
    this.#lastState = state;
    this.#sequencer.post('state', { state, readyState: readyStateOf(snapshot) });
  }

  #reportUndelivered(data: OutgoingData, reason: UndeliveredReason): void {
    this.#sequencer.post('undelivered', { data, reason });
  }

  #openSocket(attempt: number): void {
    this.#socketAttempt = attempt;
    const dispatch = (event: ConnectionEvent) => this.#hear(event);
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
            if (this.#sequencer.mustHold()) this.#sequencer.fromOutside(() => this.#receive(attempt, data));
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
      this.#hear({ type: `timer.${timer}`, attempt });
    }, delay);
    this.#timers.set(timer, handle);
  }

  #cancelTimer(timer: TimerName): void {
    if (!this.#timers.has(timer)) return;
    this.#options.clock.clearTimeout(this.#timers.get(timer));
    this.#timers.delete(timer);
  }

  /**
   * The connection whose actor runs an action. Actors are registered before they start, and
   * the effects are provided once for every connection: `machine.provide()` copies the whole
   * machine (its state nodes, transitions and their closures), which per connection cost
   * ~30 KB of heap, nine times what a `ws` socket costs (bench/, issue 8).
   */
  static readonly #owners = new WeakMap<object, Connection>();

  static #of(self: object): Connection {
    return Connection.#owners.get(self)!;
  }

  /** The machine with the effects of whichever connection's actor runs it. */
  static readonly #machine = connectionMachine.provide({
    actions: {
      openSocket: ({ self }, { attempt }) => Connection.#of(self).#openSocket(attempt),
      closeSocket: ({ self }, { code, reason }) => Connection.#of(self).#socket?.close(code, reason),
      terminateSocket: ({ self }) => Connection.#of(self).#socket?.terminate(),
      watchDrain: ({ self }, { attempt }) => {
        const connection = Connection.#of(self);
        connection.#socket?.whenDrained(() => connection.#hear({ type: 'socket.drained', attempt }));
      },
      startTimer: ({ self }, { timer, attempt }) => Connection.#of(self).#startTimer(timer, attempt),
      cancelTimer: ({ self }, { timer }) => Connection.#of(self).#cancelTimer(timer),
      enqueueMessage: ({ self, event }) => {
        const connection = Connection.#of(self);
        const { message, bytes } = event as Event<'user.send'>;
        connection.#queue.push(QueuedMessage.of(message as OutgoingData), bytes);
        connection.#accepted = true;
      },
      writeMessage: ({ self, event }) => {
        const connection = Connection.#of(self);
        const { message, bytes } = event as Event<'user.send'>;
        connection.#socket!.send(message as OutgoingData, bytes, message as OutgoingData);
        connection.#accepted = true;
      },
      rejectMessage: ({ self, event }, { reason }) => {
        const connection = Connection.#of(self);
        connection.#accepted = false;
        connection.#reportUndelivered((event as Event<'user.send'>).message as OutgoingData, reason);
      },
      flushQueue: ({ self }) => {
        const queue = Connection.#of(self).#queue;
        const socket = Connection.#of(self).#socket!;
        for (let size = queue.peekSize(); size !== undefined; size = queue.peekSize()) {
          const message = queue.shift()!;
          socket.send(message.wire, size, message.original);
        }
      },
      dropQueue: ({ self }, { reason }) => {
        const connection = Connection.#of(self);
        for (const message of connection.#queue.drain()) connection.#reportUndelivered(message.original, reason);
      },
      reportUnsent: ({ self }, { reason }) => {
        const connection = Connection.#of(self);
        for (const data of connection.#socket?.takeUnsent() ?? []) connection.#reportUndelivered(data, reason);
      },
      emitOpen: ({ self, context }) =>
        Connection.#of(self).#sequencer.post('open', { protocol: context.protocol, extensions: context.extensions }),
      emitError: ({ self }, { failure }) => Connection.#of(self).#sequencer.post('error', failure),
      emitClose: ({ self }, { closeInfo }) => {
        const connection = Connection.#of(self);
        connection.#sequencer.post('close', closeInfo);
        connection.#resolveClosed(closeInfo);
      },
    },
  });
}
