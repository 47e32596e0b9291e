/**
 * The engine behind a `Connection`: the machine's snapshot and what steps it, and the shell's
 * side of the world the machine's effects act on (the outbound queue, the attempt's socket, the
 * timers, the events on their way to listeners).
 *
 * Every lifecycle decision is the machine's. Facts (socket reports, timer expiries, the
 * environment, `close()`) are events it is stepped with, in the order the `Sequencer` keeps;
 * the effects it asks for are performed by `effects.ts`. `send()` performs the machine's own
 * `user.send` transition for the current state without stepping it (`send-plan.ts`), and an
 * inbound message is delivered only while the machine is `open`, as the platform delivers it.
 */
import { createActor, type Actor, type AnyStateMachine, type ExecutableActionObject } from 'xstate';
import { connectionMachine, type ConnectionMachine } from '../machines/connection.machine.js';
import type { CloseInfo, ConnectionEvent, ConnectionInput, TimerName, UndeliveredReason } from '../machines/connection.types.js';
import { AttemptSocket } from './attempt-socket.js';
import { Backpressure } from './backpressure.js';
import type { OutgoingData } from './byte-length.js';
import { readyStateOfName, stateName, type ConnectionEventMap, type ConnectionStateName, type ReadyState } from './connection-events.js';
import { effects, type EffectStep } from './effects.js';
import { watchEnvironment } from './environment.js';
import { cachedIn, initialSnapshot, snapshotOf, step, type EffectPerformer, type MachineSnapshot } from './machine-runner.js';
import type { ResolvedOptions } from './options.js';
import type { QueuedMessage } from './outgoing.js';
import { ByteQueue } from './queue.js';
import { compileSendPlans, performSend, type SendPlan } from './send-plan.js';
import { Sequencer } from './sequencer.js';
import { Timers, type TimerOwner } from './time.js';
import type { IncomingData } from './transports/transport.js';
import type { UrlResolver } from './url-source.js';

export type ConnectionActor = Actor<ConnectionMachine>;

export class ConnectionEngine implements EffectPerformer, TimerOwner<TimerName> {
  readonly options: ResolvedOptions;
  readonly sockets: AttemptSocket;
  readonly timers: Timers<TimerName>;
  readonly sequencer = new Sequencer<ConnectionEventMap>();
  /** The machine's context, after the last step. */
  context: MachineSnapshot['context'];
  readonly #machine: ConnectionMachine;
  /** Messages waiting for a socket to open; created with the first one. */
  queue: ByteQueue<QueuedMessage> | undefined;
  /** The wait the `retry` timer was last started with, which `emitReconnecting` reports. */
  retryDelay = 0;
  #state: ConnectionStateName = 'connecting';
  #sendPlan: SendPlan;
  #actor: ConnectionActor | undefined;
  #closed: Promise<CloseInfo> | undefined;
  #resolveClosed: ((info: CloseInfo) => void) | undefined;
  #settledWith: CloseInfo | undefined;
  /** Stops listening to the environment and the abort signal. */
  #unwatch: (() => void) | undefined;
  /** The high watermark's state, created the first time the buffer reaches it or someone reads `ready`. */
  #backpressure: Backpressure | undefined;
  /** Whether a slow reader asked to stop reading from the network (see `pauseReads`). */
  #readsPaused = false;
  /** Whether the current state's `user.send` transitions can accept a message (see `acceptsSends`). */
  #accepts = true;

  constructor(options: ResolvedOptions, urls: UrlResolver, redactedUrl: string) {
    this.options = options;
    this.sockets = new AttemptSocket(options, urls, this);
    this.timers = new Timers(options.clock, this);
    const machine = (this.#machine = machineFor(options));
    this.#sendPlan = sendPlansOf(machine).get('connecting')!;
    const input: ConnectionInput = {
      url: redactedUrl,
      maxQueuedMessages: options.maxQueuedMessages,
      maxQueuedBytes: options.maxQueuedBytes,
      maxBufferedBytes: options.maxBufferedBytes,
      reconnect: options.reconnect,
      maxRetries: options.maxRetries,
      heartbeat: options.heartbeatInterval > 0 && this.sockets.canPing,
      resendUnconfirmed: options.resendUnconfirmed,
    };
    this.#watch();
    // Without an inspector, no actor: one steps the connection the same way, but weighs about 4 KB.
    if (options.inspect === undefined) {
      this.context = undefined as unknown as MachineSnapshot['context']; // set by the first step, below
      this.sequencer.transition(() => (this.context = initialSnapshot(machine, input, this).context));
    } else {
      // Inspected from the start: an actor steps it, so the inspector sees every event.
      const actor = this.#adoptActor(createActor(machine, { input, inspect: options.inspect }));
      this.context = actor.getSnapshot().context;
      this.sequencer.transition(() => actor.start());
    }
    // A `state` listener attached right after creation hears where the connection starts, then
    // every change: the first `state` event is the initial state, delivered in a microtask.
    this.sequencer.announce('state', { state: this.#state, readyState: readyStateOfName(this.#state) });
  }

  /** The machine's snapshot: the actor's, or rebuilt from the state and context this engine keeps. */
  get snapshot(): MachineSnapshot {
    return this.#actor?.getSnapshot() ?? snapshotOf(this.#machine, this.#state, this.context);
  }

  /** The flattened state name: the four `readyState`s, with `closing` in detail. */
  get state(): ConnectionStateName {
    return this.#state;
  }

  get readyState(): ReadyState {
    return readyStateOfName(this.#state);
  }

  /**
   * The XState actor running this connection, created on first access from the current
   * snapshot (with no entry actions run again); from then on it steps the connection. Drive the
   * connection through its methods, not `actor.send`.
   */
  get actor(): ConnectionActor {
    if (this.#actor !== undefined) return this.#actor;
    // Restored from a snapshot, the actor needs no input: the snapshot's context is the connection's.
    const actor = this.#adoptActor(createActor(this.#machine as AnyStateMachine, { snapshot: this.snapshot }) as ConnectionActor);
    actor.start();
    return actor;
  }

  /** Bytes accepted by `send()` and not yet written out: the queue plus what the socket still holds. */
  get bufferedAmount(): number {
    return (this.queue?.bytes ?? 0) + (this.sockets.socket?.bufferedAmount ?? 0);
  }

  /** Whether, in the current state, one of the machine's `user.send` transitions accepts a message (writes or queues it). */
  get acceptsSends(): boolean {
    return this.#accepts;
  }

  /** Whether the connection is over for good or about to be: `close()` recorded, or a final state. */
  get endedForGood(): boolean {
    return this.context.closeRequest !== undefined || this.#state === 'closed' || this.#state === 'gaveUp';
  }

  /** Settles when `bufferedAmount` is below `highWaterMark` where sends are accepted; see `backpressure.ts`. */
  get ready(): Promise<void> {
    return (this.#backpressure ??= new Backpressure(this)).ready;
  }

  /** Stops or resumes reading from the network, now and on later attempts; returns whether the transport can. */
  pauseReads(paused: boolean): boolean {
    const socket = this.sockets.socket;
    if (!this.sockets.canPause) return false;
    this.#readsPaused = paused;
    // Only an open socket reads; a new attempt's is paused once it opens (`dispatch`).
    if (this.#state === 'open') {
      if (paused) socket!.pause!();
      else socket!.resume!();
    }
    return true;
  }

  /** Settles once the connection is over for good, with how the last attempt ended. */
  get closed(): Promise<CloseInfo> {
    return (this.#closed ??=
      this.#settledWith === undefined ? new Promise((resolve) => (this.#resolveClosed = resolve)) : Promise.resolve(this.#settledWith));
  }

  /** `send()`: the machine's `user.send` transition for the current state, performed without stepping it. Returns whether the message was accepted. */
  send(data: OutgoingData, bytes: number): boolean {
    const queue = this.queue;
    const event = {
      type: 'user.send',
      bytes,
      queuedMessages: queue?.length ?? 0,
      queuedBytes: queue?.bytes ?? 0,
      bufferedBytes: this.sockets.socket?.bufferedAmount ?? 0,
    } as const;
    const args = { context: this.context, event };
    // A step like any other: what it posts (an `undelivered`) is delivered once it is over, and a
    // transport that reports from inside `send` is heard after it.
    const sequencer = this.sequencer;
    const outer = sequencer.enter();
    try {
      const accepted = performSend(this.#sendPlan, args, this as ConnectionEngine, data, perform);
      // The watermark: two reads and a compare on the path of every send, nothing more until it is reached.
      if (accepted) {
        const buffered = (this.queue?.bytes ?? 0) + (this.sockets.socket?.bufferedAmount ?? 0);
        if (buffered >= this.options.highWaterMark) (this.#backpressure ??= new Backpressure(this)).reached(buffered);
      }
      return accepted;
    } finally {
      sequencer.leave(outer);
    }
  }

  /** Steps the machine with `event`, then delivers what the step posted. */
  dispatch(event: ConnectionEvent): void {
    this.sequencer.transition(() => {
      if (this.#actor !== undefined) this.#actor.send(event);
      else this.#adopt(step(snapshotOf(this.#machine, this.#state, this.context), event, this));
      // The step may have moved the buffer (a flush, a drop) or the state: settle what that decides.
      this.#backpressure?.update();
      // A new attempt's socket reads until told otherwise: pause it once it is open.
      if (this.#readsPaused && this.#state === 'open') this.sockets.socket!.pause!();
    });
  }

  /** A fact from a socket, a timer or the environment: dispatched now, or held if it arrives mid-step. */
  hear(event: ConnectionEvent): void {
    this.sequencer.fromOutside(() => this.dispatch(event));
  }

  /** An inbound message on attempt `attempt`'s socket: the hot path, which allocates only when a message must wait for a step to end. */
  message(attempt: number, data: IncomingData): void {
    if (this.sequencer.mustHold()) this.sequencer.fromOutside(() => this.#receive(attempt, data));
    else this.#receive(attempt, data);
  }

  timerFired(timer: TimerName, attempt: number, lateBy: number): void {
    // A ping due long ago means the device slept: check the socket as a wake calls for.
    if (timer === 'ping' && lateBy > this.options.heartbeatInterval) this.hear({ type: 'env.wake', reason: 'timer-late' });
    else this.hear({ type: `timer.${timer}`, attempt });
  }

  /** The shared scope's call, while this engine's machine is stepped. */
  perform(action: ExecutableActionObject): void {
    perform(this, action.type, action.params, action.info as unknown as EffectStep, undefined);
  }

  /** The outbound queue, created with the first message it holds. */
  outbound(): ByteQueue<QueuedMessage> {
    return (this.queue ??= new ByteQueue());
  }

  reportUndelivered(data: OutgoingData, reason: UndeliveredReason): void {
    this.sequencer.post('undelivered', { data, reason });
  }

  /** The connection is over for good: stop listening to the world, and settle `closed`. */
  settle(closeInfo: CloseInfo | undefined): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (closeInfo === undefined) return;
    this.#settledWith = closeInfo;
    this.#resolveClosed?.(closeInfo);
  }

  #receive(attempt: number, data: IncomingData): void {
    // The platform drops messages that arrive once the connection is no longer OPEN.
    if (!this.sockets.isCurrent(attempt) || this.#state !== 'open') return;
    if (this.sockets.takePong()) this.hear({ type: 'socket.pong', attempt });
    this.sequencer.deliverNow('message', data);
  }

  #adopt(snapshot: MachineSnapshot): void {
    this.context = snapshot.context;
    const state = stateName(snapshot);
    if (state === this.#state) return;
    this.#state = state;
    this.#sendPlan = sendPlansOf(this.#machine).get(state)!;
    this.#accepts = this.#sendPlan.some((candidate) => candidate.accepts);
    this.sequencer.post('state', { state, readyState: readyStateOfName(state) });
  }

  #adoptActor(actor: ConnectionActor): ConnectionActor {
    this.#actor = actor;
    owners.set(actor, this);
    actor.subscribe((snapshot) => this.#adopt(snapshot));
    // A send's message travels beside the machine (send-plan.ts), never in its event: one
    // dispatched here would reach the send effects with nothing to send. Refused at the caller.
    const send = actor.send.bind(actor);
    actor.send = (event) => {
      if (event.type === 'user.send')
        throw new TypeError(`connection.actor.send() cannot take ${JSON.stringify(event.type)}: send messages with connection.send(data)`);
      send(event);
    };
    return actor;
  }

  #watch(): void {
    const { environment, signal } = this.options;
    const unwatch: (() => void)[] = [];
    if (environment !== undefined) unwatch.push(watchEnvironment(environment, (event) => this.hear(event)));
    if (signal !== undefined) {
      const abort = (): void => this.hear({ type: 'user.close' });
      if (signal.aborted) queueMicrotask(abort);
      else {
        signal.addEventListener('abort', abort, { once: true });
        unwatch.push(() => signal.removeEventListener('abort', abort));
      }
    }
    if (unwatch.length > 0) this.#unwatch = () => unwatch.forEach((stop) => stop());
  }
}

function perform(engine: ConnectionEngine, type: string, params: unknown, step: EffectStep, message: OutgoingData | undefined): void {
  const effect = effects[type as keyof typeof effects] as ((...args: unknown[]) => void) | undefined;
  if (effect === undefined) throw new Error(`The machine asked for the effect ${type}, which the shell does not implement`);
  effect(engine, params, step, message);
}

/** The engine an actor runs for; set before the actor starts. */
const owners = new WeakMap<object, ConnectionEngine>();

/**
 * The machine with the shell's effects, for connections run by an actor. Provided once for
 * every connection: `machine.provide()` copies the whole machine (its state nodes, transitions
 * and their closures), about 30 KB of heap.
 */
const withEffects: ConnectionMachine = connectionMachine.provide({
  actions: Object.fromEntries(
    Object.keys(effects).map((type) => [
      type,
      ({ self, context, event }: EffectStep & { self: object }, params: unknown) =>
        perform(owners.get(self)!, type, params, { context, event }, undefined),
    ]),
  ),
});

/** Machines whose reconnect policy is an application's `shouldReconnect`, one per predicate. */
const withPolicy = new WeakMap<(close: CloseInfo) => boolean, ConnectionMachine>();

function machineFor(options: ResolvedOptions): ConnectionMachine {
  const policy = options.shouldReconnect;
  if (policy === undefined) return withEffects;
  // Provided once per predicate: a copy of the machine weighs about 30 KB.
  return cachedIn(withPolicy, policy, () =>
    withEffects.provide({ guards: { isRetryable: ({ context }) => askPolicy(policy, context.closeInfo!) } }),
  );
}

/** Each machine's send plans, compiled once. */
const sendPlans = new WeakMap<ConnectionMachine, ReadonlyMap<string, SendPlan>>();

function sendPlansOf(machine: ConnectionMachine): ReadonlyMap<string, SendPlan> {
  return cachedIn(sendPlans, machine, () => compileSendPlans(machine, new Set(Object.keys(effects))));
}

/** The application's policy; one that throws rules out the reconnect, and its error surfaces as an uncaught one, as a listener's would. */
function askPolicy(policy: (close: CloseInfo) => unknown, close: CloseInfo): boolean {
  try {
    // Only `true` reconnects: an application written in JavaScript may return anything.
    return policy(close) === true;
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
    return false;
  }
}
