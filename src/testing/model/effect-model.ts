/**
 * What the machine's actions mean for what an application and a transport can observe: the
 * reference model behind the test oracles. The machine names effects (`flushQueue`,
 * `emitClose`, `startTimer`...) and the shell performs them; this interprets the same names
 * against a plain model of the data (the queue, what the socket holds, the running timers) and
 * records the public events and transport calls they must produce, in order.
 *
 * It is written once for every oracle (the generated lifecycle paths, the property tests), so
 * that the meaning of an action is stated in one place: two oracles that each kept their own
 * reading of `dropQueue` could disagree with each other and both agree with a broken shell.
 * It never reads the shell; it is fed the actions XState's pure `transition()` returns.
 */
import { queueHasRoom, type ConnectionEffects } from '../../../machines/connection.machine.js';
import type { CloseInfo, ConnectionContext, TimerName, UndeliveredReason } from '../../../machines/connection.types.js';
import type { OutgoingData } from '../../byte-length.js';
import type { AppEvent } from './event-log.js';

export type { AppEvent };

/** A message handed to `send()`, as the model knows it: what was passed, and its size in bytes. */
export interface ModelMessage {
  readonly data: OutgoingData;
  readonly bytes: number;
}

/** A call the shell makes on its transport. `flushed`: written from the queue, not by the `send()` of the step. */
export type TransportCall<M extends ModelMessage> =
  | { readonly kind: 'open'; readonly attempt: number }
  | { readonly kind: 'send'; readonly message: M; readonly flushed: boolean }
  | { readonly kind: 'close'; readonly code: number | undefined; readonly reason: string | undefined }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'whenDrained' }
  | { readonly kind: 'ping' };

/** A timer the machine has running: due at `due` ms on the clock; `seq` orders timers due at the same time. */
export interface ModelTimer {
  readonly name: TimerName;
  readonly due: number;
  readonly seq: number;
}

/**
 * How long each timer runs; `retry` is the index of the reconnect a `retry` timer waits for, and
 * `wake` says a wake started it again (see the `startTimer` effect). Called once per timer
 * started, in order, so a delay drawn from a sequence of randoms can count its draws.
 */
export type TimerDelays = (timer: TimerName, retry: number, wake: boolean) => number;

/** An action the machine asks for, with its resolved params. */
export interface RequestedAction {
  readonly type: string;
  readonly params?: unknown;
}

/** The timers running after `actions`, performed at `now`: `startTimer` replaces a timer of the same name, as the shell's do. */
export function timersAfter(
  timers: readonly ModelTimer[],
  actions: readonly RequestedAction[],
  now: number,
  delays: TimerDelays,
): ModelTimer[] {
  let running = [...timers];
  let seq = Math.max(-1, ...timers.map((t) => t.seq)) + 1;
  for (const { type, params } of actions) {
    if (type !== 'startTimer' && type !== 'cancelTimer') continue;
    const { timer, retry, wake = false } = params as { timer: TimerName; retry: number; wake?: boolean };
    running = running.filter((t) => t.name !== timer);
    if (type === 'startTimer') running.push({ name: timer, due: now + delays(timer, retry, wake), seq: seq++ });
  }
  return running;
}

/** The timer a clock fires next: the earliest due, then the first started. */
export function nextTimer(timers: readonly ModelTimer[]): ModelTimer | undefined {
  return [...timers].sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
}

/** What a step's actions are performed with. */
export interface StepFacts<M extends ModelMessage> {
  /** The machine's context after the step (`emitOpen` reports its protocol and extensions). */
  readonly context: ConnectionContext;
  /** The message of the step's `user.send`, if it is one. */
  readonly message?: M | undefined;
  /** The clock's time when the step happens. */
  readonly now: number;
}

/** What the machine's effects have made of the world so far: the data the machine does not keep. */
export interface EffectState<M extends ModelMessage> {
  /** Messages waiting in the shell's queue for a socket to open, oldest first. */
  readonly queue: readonly M[];
  /** Messages handed to the current socket and not yet written out, oldest first. */
  readonly held: readonly M[];
  readonly timers: readonly ModelTimer[];
  /** What the `closed` promise resolved with, once the connection is over for good. */
  readonly settled: CloseInfo | undefined;
  /** The wait the last `retry` timer was started with, which `emitReconnecting` reports (the shell draws it there). */
  readonly retryDelay: number;
}

/** Before the machine's first step: nothing queued, held or running. */
export const NO_EFFECTS: EffectState<never> = { queue: [], held: [], timers: [], settled: undefined, retryDelay: 0 };

/** What one step's actions did: the state they left, and what they produced, in order. */
export interface StepOutcome<M extends ModelMessage> {
  readonly state: EffectState<M>;
  readonly events: readonly AppEvent[];
  readonly calls: readonly TransportCall<M>[];
  /** Actions this model does not know: a machine that asks for one has outgrown its oracles. */
  readonly unknown: readonly string[];
}

/** The one interpreter of the machine's effects, as a pure function: `state` after one step's `actions`. */
export function performEffects<M extends ModelMessage>(
  state: EffectState<M>,
  actions: readonly RequestedAction[],
  facts: StepFacts<M>,
  delays: TimerDelays,
): StepOutcome<M> {
  const model = new EffectModel<M>(delays, state);
  model.perform(actions, facts);
  return { state: model.state, events: model.events, calls: model.calls, unknown: model.unknown };
}

/** `state` once the socket wrote out its oldest `count` held messages (all by default). */
export function writtenOut<M extends ModelMessage>(state: EffectState<M>, count = Infinity): EffectState<M> {
  return { ...state, held: state.held.slice(Math.min(count, state.held.length)) };
}

/** How full the queue is, as `user.send` tells the queue bound. */
export function queueFill(state: EffectState<ModelMessage>): { readonly queuedMessages: number; readonly queuedBytes: number } {
  return { queuedMessages: state.queue.length, queuedBytes: state.queue.reduce((sum, message) => sum + message.bytes, 0) };
}

/**
 * The observable state of a connection, as the machine's effects make it, for an oracle that
 * follows a connection step by step: `performEffects` over time, with every event and call kept.
 */
export class EffectModel<M extends ModelMessage> {
  queue: M[];
  held: M[];
  timers: ModelTimer[];
  /** The public events the shell must have emitted, in order (without `state`, which follows the snapshot, not an action). */
  readonly events: AppEvent[] = [];
  /** The calls the shell must have made on its transports, in order. */
  readonly calls: TransportCall<M>[] = [];
  settled: CloseInfo | undefined;
  readonly unknown: string[] = [];
  readonly #delays: TimerDelays;
  #retryDelay: number;

  constructor(delays: TimerDelays, from: EffectState<M> = NO_EFFECTS) {
    // The wait `emitReconnecting` reports is the one the last `retry` timer was started with.
    this.#delays = (timer, retry, wake) => {
      const delay = delays(timer, retry, wake);
      if (timer === 'retry') this.#retryDelay = delay;
      return delay;
    };
    this.queue = [...from.queue];
    this.held = [...from.held];
    this.timers = [...from.timers];
    this.settled = from.settled;
    this.#retryDelay = from.retryDelay;
  }

  /** A copy of the state, for a world that keeps its states apart. */
  get state(): EffectState<M> {
    return { queue: [...this.queue], held: [...this.held], timers: [...this.timers], settled: this.settled, retryDelay: this.#retryDelay };
  }

  /** Bytes accepted and not yet written out: the queue and what the socket holds. */
  get bufferedAmount(): number {
    return [...this.queue, ...this.held].reduce((sum, message) => sum + message.bytes, 0);
  }

  /** The socket wrote out its oldest `count` held messages (all by default). */
  written(count = Infinity): void {
    this.held.splice(0, count);
  }

  /** The clock fired the machine's timer `name`; returns it, or `undefined` if the machine runs no such timer. */
  fire(name: TimerName): ModelTimer | undefined {
    const timer = this.timers.find((t) => t.name === name);
    this.timers = this.timers.filter((t) => t !== timer);
    return timer;
  }

  /** Performs the actions of one step, in order. */
  perform(actions: readonly RequestedAction[], facts: StepFacts<M>): void {
    this.timers = timersAfter(this.timers, actions, facts.now, this.#delays);
    for (const action of actions) {
      // The params of `action`, typed as the machine declares them for the effect named `type`.
      const p = <K extends keyof ConnectionEffects>(type: K) => (type === action.type ? action.params : undefined) as ConnectionEffects[K];
      switch (action.type) {
        case 'openSocket':
          this.calls.push({ kind: 'open', attempt: p('openSocket').attempt });
          break;
        case 'closeSocket':
          this.calls.push({ kind: 'close', ...p('closeSocket') });
          break;
        case 'terminateSocket':
          this.calls.push({ kind: 'terminate' });
          break;
        case 'watchDrain':
          this.calls.push({ kind: 'whenDrained' });
          break;
        case 'sendPing':
          this.calls.push({ kind: 'ping' });
          break;
        case 'startTimer':
        case 'cancelTimer':
          break; // both kept in `timers` above, which also notes the wait `emitReconnecting` reports
        case 'enqueueMessage':
          this.queue.push(messageOf(facts));
          break;
        case 'writeMessage':
          this.#write(messageOf(facts), false);
          break;
        case 'rejectMessage':
          this.#undelivered(messageOf(facts), p('rejectMessage').reason);
          break;
        case 'flushQueue':
          for (const message of this.queue.splice(0)) this.#write(message, true);
          break;
        case 'dropQueue':
          for (const message of this.queue.splice(0)) this.#undelivered(message, p('dropQueue').reason);
          break;
        case 'reportUnsent':
          for (const message of this.held.splice(0)) this.#undelivered(message, p('reportUnsent').reason);
          break;
        case 'requeueUnsent':
          for (const message of this.held.splice(0)) {
            const fill = { queuedMessages: this.queue.length, queuedBytes: this.queue.reduce((sum, queued) => sum + queued.bytes, 0) };
            if (queueHasRoom(facts.context, fill, message.bytes)) this.queue.push(message);
            else this.#undelivered(message, 'queue-full');
          }
          break;
        case 'emitOpen':
          this.events.push({ type: 'open', payload: { protocol: facts.context.protocol, extensions: facts.context.extensions } });
          break;
        case 'emitError':
          this.events.push({ type: 'error', payload: p('emitError').failure });
          break;
        case 'emitClose': {
          const { closeInfo, willReconnect } = p('emitClose');
          this.events.push({ type: 'close', payload: { ...closeInfo, willReconnect } });
          break;
        }
        case 'emitReconnecting':
          this.events.push({ type: 'reconnecting', payload: { ...p('emitReconnecting'), delay: this.#retryDelay } });
          break;
        case 'emitGiveUp': {
          const { reason, closeInfo } = p('emitGiveUp');
          this.events.push({ type: 'giveup', payload: { reason, close: closeInfo } });
          break;
        }
        case 'settle':
          this.settled = p('settle').closeInfo ?? this.settled;
          break;
        default:
          // The machine's own assigns have no effect outside it.
          if (!action.type.startsWith('xstate.')) this.unknown.push(action.type);
      }
    }
  }

  #write(message: M, flushed: boolean): void {
    this.calls.push({ kind: 'send', message, flushed });
    this.held.push(message);
  }

  #undelivered(message: M, reason: UndeliveredReason): void {
    this.events.push({ type: 'undelivered', payload: { data: message.data, reason } });
  }
}

function messageOf<M extends ModelMessage>(facts: StepFacts<M>): M {
  if (facts.message === undefined) throw new Error('A send action in a step that is not a user.send');
  return facts.message;
}
