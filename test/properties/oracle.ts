/**
 * The oracle: the production machine run purely (`initialTransition` / `transition` from
 * XState, no actor, no shell), its actions interpreted by the test kit's `EffectModel` (what
 * each effect means for the queue, what the socket holds, the timers, the events and the
 * transport calls: stated once for every oracle). It is fed the same facts the shell hears, at
 * the same moments, and says what the shell must then have done. It never reads the shell's
 * internals. What it adds is this world's: URLs per attempt, a sleeping device, and the
 * backoff (and a wake's fresh draw) from the world's own copy of the `random` sequence.
 */
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { CloseInfo, ConnectionEvent, ConnectionInput, TimerName } from '../../machines/connection.types.js';
import type { ConnectionStateName, IncomingData, OutgoingData } from '../../src/index.js';
import { READY_STATE_OF, stateOf as stateName } from '../../src/testing/model/states.js';
import {
  EffectModel,
  type AppEvent,
  type ModelMessage as KitMessage,
  type ModelTimer,
  type RequestedAction,
} from '../../src/testing/model/effect-model.js';
import { byteSize } from './arbitraries.js';
import { cycle, heartbeatOn, policyOf, waitCeiling, type WorldConfig } from './world-config.js';

export type { AppEvent } from '../../src/testing/model/effect-model.js';

type Machine = typeof connectionMachine;
type Snapshot = SnapshotFrom<Machine>;

/** One message handed to `send()`, as the model knows it: `id` numbers the `send()` calls. */
export interface ModelMessage extends KitMessage {
  readonly id: number;
}

/** A call the shell makes on its transport, as the world records it. `sendId` is the `send()` call a write happened in. */
export type TransportCall =
  | { readonly kind: 'open'; readonly url: string }
  | {
      readonly kind: 'send';
      readonly data: unknown;
      readonly bytes: number;
      readonly original: unknown;
      readonly sendId: number | undefined;
    }
  | { readonly kind: 'close'; readonly code: number | undefined; readonly reason: string | undefined }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'whenDrained' }
  | { readonly kind: 'ping' };

/** Dues are sums of a few dyadic fractions (factor 1.5), exact in floating point; the margin is for safety. */
const SAME_TIME = 1e-9;

/** What the shell must have done, given the facts it heard: the machine, run purely, and the effect model. */
export class Oracle {
  readonly #machine: Machine;
  #snapshot: Snapshot;
  readonly #model: EffectModel<ModelMessage>;
  /** The events the shell must have emitted so far, in order, `state` changes included. */
  readonly events: AppEvent[] = [];
  /** Where the shell and the machine's demands could not even be lined up (a timer nobody asked for...). */
  readonly discrepancies: string[] = [];
  /** How many times the machine asked to settle the connection. */
  settles = 0;
  readonly #config: WorldConfig;
  readonly #now: () => number;
  readonly #urlFor: (socket: number) => string;
  readonly #random: () => number;
  /** The wait drawn for the retry timer of the transition being performed: one draw per wait. */
  #retryDraw: number | undefined;
  #slept = 0;
  /** How long the device had slept when each timer (by `seq`) started. */
  readonly #sleptAtStart = new Map<number, number>();

  /** `now` reads the time timers run on; `urlFor` is the URL the `socket`-th socket (0-based) must be opened with. */
  constructor(config: WorldConfig, now: () => number, urlFor: (socket: number) => string) {
    this.#config = config;
    this.#now = now;
    this.#urlFor = urlFor;
    this.#random = cycle(config.randoms);
    this.#model = new EffectModel((timer, retry, wake) => this.#delay(timer, retry, wake));
    const policy = policyOf(config.policy);
    this.#machine =
      policy === undefined
        ? connectionMachine
        : connectionMachine.provide({ guards: { isRetryable: ({ context }) => policy(context.closeInfo!) } });
    const input: ConnectionInput = {
      url: 'oracle',
      maxQueuedMessages: config.maxQueuedMessages,
      maxQueuedBytes: config.maxQueuedBytes,
      reconnect: config.reconnect,
      maxRetries: config.maxRetries,
      heartbeat: heartbeatOn(config),
      resendUnconfirmed: config.resendUnconfirmed,
    };
    const [snapshot, actions] = initialTransition(this.#machine, input);
    this.#snapshot = snapshot;
    this.#perform(actions, undefined);
    // The shell's first `state` event announces the state the machine starts in.
    this.events.push({ type: 'state', payload: { state: this.state, readyState: this.readyState } });
  }

  get state(): ConnectionStateName {
    return stateName(this.#snapshot);
  }

  get readyState(): 0 | 1 | 2 | 3 {
    return READY_STATE_OF[this.state];
  }

  get context() {
    return this.#snapshot.context;
  }

  /** Messages in the shell's queue, waiting for open. */
  get queue(): readonly ModelMessage[] {
    return this.#model.queue;
  }

  get queuedBytes(): number {
    return this.queue.reduce((sum, message) => sum + message.bytes, 0);
  }

  /** Bytes accepted and not yet written out: queued, or held by the socket. */
  get bufferedBytes(): number {
    return this.#model.bufferedAmount;
  }

  get timers(): readonly ModelTimer[] {
    return this.#model.timers;
  }

  /** What the machine settled the connection with, once it has. */
  get settled(): CloseInfo | undefined {
    return this.#model.settled;
  }

  /** The attempt each socket was opened for, in creation order. */
  get socketAttempts(): number[] {
    return this.#model.calls.flatMap((call) => (call.kind === 'open' ? [call.attempt] : []));
  }

  /** The calls the shell must have made on its transport so far, in order, as the world records them. */
  get calls(): TransportCall[] {
    let opened = 0;
    return this.#model.calls.map((call): TransportCall => {
      switch (call.kind) {
        case 'open':
          return { kind: 'open', url: this.#urlFor(opened++) };
        case 'send': {
          const { message, flushed } = call;
          return {
            kind: 'send',
            data: message.data,
            bytes: message.bytes,
            original: message.data,
            sendId: flushed ? undefined : message.id,
          };
        }
        default:
          return call;
      }
    });
  }

  /** `send(message.data)`. */
  send(message: ModelMessage): void {
    this.apply({ type: 'user.send', bytes: message.bytes, queuedMessages: this.queue.length, queuedBytes: this.queuedBytes }, message);
  }

  apply(event: ConnectionEvent, message?: ModelMessage): void {
    const before = this.state;
    const [next, actions] = transition(this.#machine, this.#snapshot, event);
    this.#snapshot = next;
    this.#perform(actions, message);
    const after = this.state;
    // The shell reports a state change after the events of the transition that led there.
    if (after !== before) this.events.push({ type: 'state', payload: { state: after, readyState: READY_STATE_OF[after] } });
  }

  /** An inbound message on socket `socket`: the platform delivers it only while that socket's attempt is open. */
  message(data: IncomingData, socket: number): void {
    if (this.state === 'open' && this.socketAttempts[socket] === this.context.attempt) this.events.push({ type: 'message', payload: data });
  }

  /** The world wrote out the oldest `count` messages the socket held. */
  written(count: number): void {
    const held = this.#model.held.length;
    if (count > held) this.discrepancies.push(`the socket wrote ${count} messages, but only ${held} were handed to it`);
    this.#model.written(count);
  }

  /** The device slept `ms`: timers keep their dues, and fire that much later by the connection's clock. */
  sleep(ms: number): void {
    this.#slept += ms;
  }

  /**
   * The clock's timer fired at `now`: every machine timer due by then fires, earliest (then
   * first started) first, each after the last one's step, as one scheduler runs a connection's
   * timers; one a step starts waits for the clock's next timer. A ping that fires more than a
   * heartbeat interval late tells of a sleep, and is heard as a wake.
   */
  fireTimers(now: number): void {
    const due = this.timers.filter((timer) => timer.due <= now + SAME_TIME).sort((a, b) => a.due - b.due || a.seq - b.seq);
    if (due.length === 0) this.discrepancies.push(`a timer fired at ${now} ms, but the machine runs ${JSON.stringify(this.timers)}`);
    for (const timer of due) {
      // One an earlier timer's step cancelled (or started again) does not fire.
      if (!this.timers.includes(timer)) continue;
      this.#model.fire(timer.name);
      const late = this.#slept - this.#sleptAtStart.get(timer.seq)!;
      // Timers are cancelled when the machine leaves the state that started them: one that fires is the current attempt's.
      if (timer.name === 'ping' && late > this.#config.heartbeatInterval) this.apply({ type: 'env.wake', reason: 'timer-late' });
      else this.apply({ type: `timer.${timer.name}`, attempt: this.context.attempt });
    }
  }

  #perform(actions: readonly RequestedAction[], message: ModelMessage | undefined): void {
    const heard = this.#model.events.length;
    this.#retryDraw = undefined;
    this.#model.perform(actions, { context: this.context, message, now: this.#now() });
    this.events.push(...this.#model.events.slice(heard));
    for (const timer of this.#model.timers) if (!this.#sleptAtStart.has(timer.seq)) this.#sleptAtStart.set(timer.seq, this.#slept);
    this.settles += actions.filter((action) => action.type === 'settle').length;
    for (const unknown of this.#model.unknown.splice(0))
      this.discrepancies.push(`the machine asked for an effect the oracle does not know: ${unknown}`);
  }

  #delay(timer: TimerName, retry: number, wake: boolean): number {
    const c = this.#config;
    if (timer !== 'retry') {
      return {
        connect: c.connectTimeout,
        drain: c.drainTimeout,
        close: c.closeTimeout,
        stable: c.minStableTime,
        ping: c.heartbeatInterval,
        pong: c.heartbeatTimeout,
      }[timer];
    }
    // Full jitter: uniformly below the ceiling ("Exponential Backoff and Jitter", AWS, 2015); a
    // wake draws below the first reconnect's ceiling, whatever the retry count.
    const ceiling = waitCeiling(c, wake ? 1 : retry);
    return (this.#retryDraw ??= c.reconnectJitter ? Math.floor(this.#random() * ceiling) : ceiling);
  }
}

/** The model's size of a message: UTF-8 per `TextEncoder`, byte length for binary. */
export function modelMessage(id: number, data: OutgoingData): ModelMessage {
  return { id, data, bytes: byteSize(data) };
}
