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
import { connectionMachine, queueHasRoom } from '../machines/connection.machine.js';
import type { CloseInfo, ConnectionEvent, TimerName, UndeliveredReason } from '../machines/connection.types.js';
import { backoffDelay } from './backoff.js';
import { watchEnvironment } from './environment.js';
import { NamedTimers } from './named-timers.js';
import { UrlResolver, type UrlSource } from './url-source.js';
import { AttemptSocket } from './attempt-socket.js';
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
import type { BinaryType, IncomingData } from './transports/transport.js';
import { parseWebSocketUrl, redactUrl } from './url.js';

type Snapshot = SnapshotFrom<typeof connectionMachine>;
type Event<T extends ConnectionEvent['type']> = Extract<ConnectionEvent, { type: T }>;

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
  /** The running XState actor, for inspection. Drive the connection through the methods, not `actor.send`. */
  readonly actor: Actor<typeof connectionMachine>;
  /** Settles once the connection is over for good (`close()`, no reconnect, or `giveup`), with how the last attempt ended. */
  readonly closed: Promise<CloseInfo>;

  readonly #options: ResolvedOptions;
  readonly #urls: UrlResolver;
  readonly #events = new Emitter<ConnectionEventMap>();
  readonly #queue = new ByteQueue<QueuedMessage>();
  readonly #timers: NamedTimers<TimerName>;
  readonly #sockets: AttemptSocket;
  #binaryType: BinaryType;
  readonly #sequencer = new Sequencer(this.#events);
  /** Set by the machine's send actions: whether the `user.send` just dispatched was accepted. */
  #accepted = false;
  /** Sends admitted to the queue since the machine was last told (see `send()`). */
  #batchMessages = 0;
  #batchBytes = 0;
  /** What a dropped socket never confirmed writing, held until the close says whether a reconnect follows (`resendUnconfirmed`). */
  #unconfirmed: OutgoingData[] = [];
  /** The wait `startTimer` drew for the reconnect `emitReconnecting` reports. */
  #retryDelay = 0;
  #lastState: ConnectionStateName = 'connecting';
  #resolveClosed!: (info: CloseInfo) => void;
  /** Stops listening to the environment and the abort signal. */
  #unwatch: (() => void)[] = [];

  constructor(url: UrlSource, options?: ConnectionOptions) {
    // The URL first, then the subprotocols, as the standard orders the constructor's checks
    // (https://websockets.spec.whatwg.org/#dom-websocket-websocket).
    const fixed = typeof url === 'function' ? undefined : parseWebSocketUrl(url);
    this.#options = resolveOptions(options);
    this.#urls = new UrlResolver(url, fixed, this.#options.secureOnly);
    this.#timers = new NamedTimers(this.#options.clock);
    this.#sockets = new AttemptSocket(this.#options, this.#urls, {
      fact: (event) => this.#hear(event),
      // The hot path: a closure only in the rare case a message must wait for a transition.
      message: (attempt, data) => {
        if (this.#sequencer.mustHold()) this.#sequencer.fromOutside(() => this.#receive(attempt, data));
        else this.#receive(attempt, data);
      },
    });
    this.#binaryType = this.#options.binaryType;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.actor = createActor(Connection.#machineFor(this.#options), {
      input: {
        url: fixed === undefined ? 'url()' : redactUrl(fixed),
        maxQueuedMessages: this.#options.maxQueuedMessages,
        maxQueuedBytes: this.#options.maxQueuedBytes,
        reconnect: this.#options.reconnect,
        maxRetries: this.#options.maxRetries,
        heartbeat: this.#options.heartbeatInterval > 0 && this.#sockets.canPing,
      },
      ...(this.#options.inspect === undefined ? {} : { inspect: this.#options.inspect }),
    });
    Connection.#owners.set(this.actor, this);
    this.actor.subscribe((snapshot) => this.#noteState(snapshot));
    this.#watch();
    this.#sequencer.transition(() => this.actor.start());
  }

  /** The serialized URL of the current (or last) attempt, as `WebSocket.url` gives it; `''` until a `url()` function has given one. */
  get url(): string {
    return this.#urls.latest?.href ?? '';
  }

  /** 0 connecting (also while waiting to reconnect), 1 open, 2 closing, 3 closed: derived from the machine's state. */
  get readyState(): ReadyState {
    return readyStateOf(this.actor.getSnapshot());
  }

  /** The machine's state, with `closing` in detail. */
  get state(): ConnectionStateName {
    return stateName(this.actor.getSnapshot());
  }

  /** Bytes accepted by `send()` and not yet written out: the queue plus what the socket still holds. */
  get bufferedAmount(): number {
    return this.#queue.bytes + (this.#sockets.socket?.bufferedAmount ?? 0);
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
    const socket = this.#sockets.socket;
    if (socket) socket.binaryType = type;
  }

  /**
   * Sends `data`: written at once when open, queued while connecting or waiting to reconnect.
   * Returns whether it was accepted; a message that is not, or that is accepted but never
   * written out, is reported by exactly one `undelivered` event.
   */
  send(data: OutgoingData): boolean {
    if (!isOutgoingData(data)) {
      throw new TypeError(`Expected data to be a string, an ArrayBuffer, an ArrayBufferView or a Blob, got ${describeValue(data)}`);
    }
    const bytes = byteSizeOf(data);
    const { value, context } = this.actor.getSnapshot();
    if (value === 'open') {
      this.#sockets.socket!.send(data, bytes, data);
      return true;
    }
    // Before open, a send that fits is queued here by the machine's own rule and the machine is
    // told once per task (or before any other event), as one batched `user.send`: one machine
    // event per message cost more than the write itself (bench/, issue 8), and a million
    // queued sends would hold the event loop past connectTimeout. Counting what is not yet told
    // keeps the admission exactly what the machine, told message by message, would decide.
    if ((value === 'connecting' || value === 'reconnecting') && this.#admit(context, data, bytes)) return true;
    this.#dispatch({ type: 'user.send', bytes, message: data });
    return this.#accepted;
  }

  /**
   * Closes the connection for good: after buffered data has drained when open, at once when
   * connecting or waiting to reconnect. Throws an `InvalidAccessError` for a code other than
   * 1000 or 3000–4999 and a `SyntaxError` for a reason over 123 UTF-8 bytes, changing nothing.
   * Resolves with how the last attempt ended.
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
    // The machine hears of queued sends before anything that follows them.
    this.#tellBatch();
    this.#sequencer.transition(() => this.actor.send(event));
  }

  /** Tells the machine of the sends `send()` queued since it was last told. */
  readonly #tellBatch = (): void => {
    const messages = this.#batchMessages;
    if (messages === 0) return;
    const bytes = this.#batchBytes;
    this.#batchMessages = 0;
    this.#batchBytes = 0;
    this.#sequencer.transition(() => this.actor.send({ type: 'user.send', messages, bytes }));
  };

  /** A fact from a socket, timer or the environment: dispatched now, or held if it arrives mid-transition. */
  #hear(event: ConnectionEvent): void {
    this.#sequencer.fromOutside(() => this.#dispatch(event));
  }

  #watch(): void {
    const { environment, signal } = this.#options;
    if (environment !== undefined) this.#unwatch.push(watchEnvironment(environment, (event) => this.#hear(event)));
    if (signal !== undefined) {
      const abort = (): void => this.#hear({ type: 'user.close' });
      if (signal.aborted) queueMicrotask(abort);
      else {
        signal.addEventListener('abort', abort, { once: true });
        this.#unwatch.push(() => signal.removeEventListener('abort', abort));
      }
    }
  }

  #receive(attempt: number, data: IncomingData): void {
    // The platform drops messages that arrive once the connection is no longer OPEN.
    if (!this.#sockets.isCurrent(attempt) || !this.#isOpen()) return;
    if (this.#sockets.takePong()) this.#hear({ type: 'socket.pong', attempt });
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

  /**
   * With `resendUnconfirmed`: what the dropped socket never confirmed goes back in the queue,
   * oldest first and ahead of anything sent later, when a reconnect follows (as far as the
   * queue's bounds allow; the rest is reported `queue-full`), and is reported `connection-lost`
   * when none does. The queue is empty here: it was flushed when the socket opened.
   */
  #settleUnconfirmed(context: Snapshot['context'], willReconnect: boolean): void {
    const unconfirmed = this.#unconfirmed;
    if (unconfirmed.length === 0) return;
    this.#unconfirmed = [];
    for (const data of unconfirmed) {
      const bytes = byteSizeOf(data);
      if (!willReconnect) this.#reportUndelivered(data, 'connection-lost');
      else if (!this.#admit(context, data, bytes)) this.#reportUndelivered(data, 'queue-full');
    }
  }

  /**
   * Queues `data` if the machine's rule admits it, counting what the machine has not yet been
   * told; the machine is told with the task's batch. Returns whether it was queued.
   */
  #admit(context: Snapshot['context'], data: OutgoingData, bytes: number): boolean {
    if (!queueHasRoom(context, this.#batchMessages + 1, this.#batchBytes + bytes)) return false;
    this.#queue.push(QueuedMessage.of(data), bytes);
    if (this.#batchMessages === 0) queueMicrotask(this.#tellBatch);
    this.#batchMessages += 1;
    this.#batchBytes += bytes;
    return true;
  }

  #startTimer(timer: TimerName, attempt: number, retry: number): void {
    const options = this.#options;
    // Drawn only for the retry timer: `random` is the application's, and each draw is a jitter.
    const delay =
      timer === 'retry'
        ? (this.#retryDelay = backoffDelay(retry - 1, options.backoff, options.random))
        : {
            connect: options.connectTimeout,
            drain: options.drainTimeout,
            close: options.closeTimeout,
            stable: options.minStableTime,
            ping: options.heartbeatInterval,
            pong: options.heartbeatTimeout,
          }[timer];
    this.#timers.start(timer, delay, (lateBy) => {
      // A ping due long ago means the device slept: check the socket as a wake calls for.
      if (timer === 'ping' && lateBy > options.heartbeatInterval) this.#hear({ type: 'env.wake', reason: 'timer-late' });
      else this.#hear({ type: `timer.${timer}`, attempt });
    });
  }

  #settle(closeInfo: CloseInfo | undefined): void {
    for (const unwatch of this.#unwatch) unwatch();
    this.#unwatch = [];
    if (closeInfo !== undefined) this.#resolveClosed(closeInfo);
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
      openSocket: ({ self }, { attempt }) => {
        const connection = Connection.#of(self);
        connection.#sockets.open(attempt, connection.#binaryType);
      },
      closeSocket: ({ self }, { code, reason }) => Connection.#of(self).#sockets.close(code, reason),
      terminateSocket: ({ self }) => Connection.#of(self).#sockets.terminate(),
      watchDrain: ({ self }, { attempt }) => {
        const connection = Connection.#of(self);
        connection.#sockets.socket?.whenDrained(() => connection.#hear({ type: 'socket.drained', attempt }));
      },
      sendPing: ({ self }) => Connection.#of(self).#sockets.ping(),
      startTimer: ({ self }, { timer, attempt, retry }) => Connection.#of(self).#startTimer(timer, attempt, retry),
      cancelTimer: ({ self }, { timer }) => Connection.#of(self).#timers.cancel(timer),
      enqueueMessage: ({ self, event }) => {
        const connection = Connection.#of(self);
        const { message, bytes } = event as Event<'user.send'>;
        // A batch's payloads are already queued: send() admitted them by the same rule.
        if (message !== undefined) connection.#queue.push(QueuedMessage.of(message as OutgoingData), bytes);
        connection.#accepted = true;
      },
      writeMessage: ({ self, event }) => {
        const connection = Connection.#of(self);
        const { message, bytes } = event as Event<'user.send'>;
        connection.#sockets.socket!.send(message as OutgoingData, bytes, message as OutgoingData);
        connection.#accepted = true;
      },
      rejectMessage: ({ self, event }, { reason }) => {
        const connection = Connection.#of(self);
        connection.#accepted = false;
        connection.#reportUndelivered((event as Event<'user.send'>).message as OutgoingData, reason);
      },
      flushQueue: ({ self }) => {
        const queue = Connection.#of(self).#queue;
        const socket = Connection.#of(self).#sockets.socket!;
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
        const unsent = connection.#sockets.takeUnsent();
        if (reason === 'connection-lost' && connection.#options.resendUnconfirmed) connection.#unconfirmed = unsent;
        else for (const data of unsent) connection.#reportUndelivered(data, reason);
      },
      emitOpen: ({ self, context }) =>
        Connection.#of(self).#sequencer.post('open', { protocol: context.protocol, extensions: context.extensions }),
      emitError: ({ self }, { failure }) => Connection.#of(self).#sequencer.post('error', failure),
      emitClose: ({ self, context }, { closeInfo, willReconnect }) => {
        const connection = Connection.#of(self);
        connection.#settleUnconfirmed(context, willReconnect);
        connection.#sequencer.post('close', { ...closeInfo, willReconnect });
      },
      emitReconnecting: ({ self }, { attempt, retry }) => {
        const connection = Connection.#of(self);
        connection.#sequencer.post('reconnecting', { attempt, retry, delay: connection.#retryDelay });
      },
      emitGiveUp: ({ self }, { reason, closeInfo }) => Connection.#of(self).#sequencer.post('giveup', { reason, close: closeInfo }),
      settle: ({ self }, { closeInfo }) => Connection.#of(self).#settle(closeInfo),
    },
  });

  /** Machines whose reconnect policy is an application's `shouldReconnect`, one per predicate. */
  static readonly #withPolicy = new WeakMap<(close: CloseInfo) => boolean, typeof connectionMachine>();

  static #machineFor(options: ResolvedOptions): typeof connectionMachine {
    const policy = options.shouldReconnect;
    if (policy === undefined) return Connection.#machine;
    let machine = Connection.#withPolicy.get(policy);
    if (machine === undefined) {
      machine = Connection.#machine.provide({ guards: { isRetryable: ({ context }) => askPolicy(policy, context.closeInfo!) } });
      Connection.#withPolicy.set(policy, machine);
    }
    return machine;
  }
}

/** The application's policy; one that throws rules out the reconnect, and its error surfaces as an uncaught one, as a listener's would. */
function askPolicy(policy: (close: CloseInfo) => boolean, close: CloseInfo): boolean {
  try {
    return policy(close) === true;
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
    return false;
  }
}
