/**
 * The oracle: the production machine run purely (`initialTransition` / `transition` from
 * XState, no actor, no shell) beside a small reference model of what its effects mean for the
 * data (the queue, what the socket holds, the timers). It is fed the same facts the shell hears,
 * at the same moments, and says what the shell must then have done: the public events, in
 * order, and the calls on the transport. It never reads the shell's internals.
 */
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { ConnectionEvent, ConnectionInput, TimerName, UndeliveredReason } from '../../machines/connection.types.js';
import type { ConnectionEventMap, ConnectionStateName, IncomingData, OutgoingData } from '../../src/index.js';
import { readyStateOfName, stateName } from '../../src/connection-events.js';
import { byteSize } from './arbitraries.js';

type Snapshot = SnapshotFrom<typeof connectionMachine>;
type Action = { readonly type: string; readonly params?: unknown };

/** One message handed to `send()`, as the model knows it. */
export interface ModelMessage {
  readonly id: number;
  readonly data: OutgoingData;
  readonly bytes: number;
}

/** A public event, as a listener receives it. */
export type AppEvent = { [K in keyof ConnectionEventMap]: { readonly type: K; readonly payload: ConnectionEventMap[K] } }[keyof ConnectionEventMap];

/** A call the shell makes on its transport. `sendId` is the `send()` call a write happened in. */
export type TransportCall =
  | { readonly kind: 'open' }
  | { readonly kind: 'send'; readonly data: unknown; readonly bytes: number; readonly original: unknown; readonly sendId: number | undefined }
  | { readonly kind: 'close'; readonly code: number | undefined; readonly reason: string | undefined }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'whenDrained' };

export type Timeouts = Readonly<Record<TimerName, number>>;

export class Oracle {
  #snapshot: Snapshot;
  /** The events the shell must have emitted so far, in order. */
  readonly events: AppEvent[] = [];
  /** The calls the shell must have made on its transport so far, in order. */
  readonly calls: TransportCall[] = [];
  /** Where the shell and the machine's demands could not even be lined up (a timer nobody asked for...). */
  readonly discrepancies: string[] = [];
  /** Messages in the shell's queue, waiting for open. */
  queue: ModelMessage[] = [];
  /** Messages handed to the socket and not yet written out. */
  buffer: ModelMessage[] = [];
  readonly timers: { name: TimerName; due: number; seq: number }[] = [];
  readonly #timeouts: Timeouts;
  readonly #now: () => number;
  #timerSeq = 0;
  /** The `send()` in progress, which `user.send` actions refer to. */
  #sending: ModelMessage | undefined;
  #accepted = false;

  constructor(input: ConnectionInput, timeouts: Timeouts, now: () => number) {
    this.#timeouts = timeouts;
    this.#now = now;
    const [snapshot, actions] = initialTransition(connectionMachine, input);
    this.#snapshot = snapshot;
    this.#perform(actions as readonly Action[], undefined);
  }

  get state(): ConnectionStateName {
    return stateName(this.#snapshot);
  }

  get readyState(): 0 | 1 | 2 | 3 {
    return readyStateOfName(this.state);
  }

  get context() {
    return this.#snapshot.context;
  }

  get queuedBytes(): number {
    return this.queue.reduce((sum, message) => sum + message.bytes, 0);
  }

  get bufferedBytes(): number {
    return this.queuedBytes + this.buffer.reduce((sum, message) => sum + message.bytes, 0);
  }

  /** `send(message.data)`; returns whether the machine accepts it. */
  send(message: ModelMessage): boolean {
    this.#sending = message;
    this.#accepted = false;
    this.apply({ type: 'user.send', bytes: message.bytes, message: message.data });
    this.#sending = undefined;
    return this.#accepted;
  }

  apply(event: ConnectionEvent): void {
    const before = this.state;
    const [next, actions] = transition(connectionMachine, this.#snapshot, event);
    this.#snapshot = next;
    this.#perform(actions as readonly Action[], event);
    const after = this.state;
    // The shell reports a state change after the events of the transition that led there.
    if (after !== before) this.events.push({ type: 'state', payload: { state: after, readyState: readyStateOfName(after) } });
  }

  /** An inbound message: the platform delivers it only while open. */
  message(data: IncomingData): void {
    if (this.state === 'open') this.events.push({ type: 'message', payload: data });
  }

  /** The world wrote out the oldest `count` messages the socket held. */
  written(count: number): void {
    if (count > this.buffer.length) this.discrepancies.push(`the socket wrote ${count} messages, but only ${this.buffer.length} were handed to it`);
    this.buffer.splice(0, count);
  }

  /** The clock fired a timer at `now`: the machine's own timer due then, oldest first. */
  fireTimer(now: number): void {
    const due = this.timers.filter((timer) => timer.due === now).sort((a, b) => a.seq - b.seq)[0];
    if (due === undefined) {
      this.discrepancies.push(`a timer fired at ${now} ms, but the machine runs ${JSON.stringify(this.timers)}`);
      return;
    }
    this.timers.splice(this.timers.indexOf(due), 1);
    this.apply({ type: `timer.${due.name}`, attempt: this.context.attempt });
  }

  #perform(actions: readonly Action[], event: ConnectionEvent | undefined): void {
    for (const action of actions) {
      const params = action.params as Record<string, unknown> | undefined;
      switch (action.type) {
        case 'openSocket':
          this.calls.push({ kind: 'open' });
          break;
        case 'closeSocket':
          this.calls.push({ kind: 'close', code: params!['code'] as number | undefined, reason: params!['reason'] as string | undefined });
          break;
        case 'terminateSocket':
          this.calls.push({ kind: 'terminate' });
          break;
        case 'watchDrain':
          this.calls.push({ kind: 'whenDrained' });
          break;
        case 'startTimer': {
          const name = params!['timer'] as TimerName;
          this.timers.push({ name, due: this.#now() + this.#timeouts[name], seq: this.#timerSeq++ });
          break;
        }
        case 'cancelTimer': {
          const index = this.timers.findIndex((timer) => timer.name === params!['timer']);
          if (index >= 0) this.timers.splice(index, 1);
          break;
        }
        case 'enqueueMessage':
          this.queue.push(this.#current(event));
          this.#accepted = true;
          break;
        case 'writeMessage': {
          const message = this.#current(event);
          this.calls.push({ kind: 'send', data: message.data, bytes: message.bytes, original: message.data, sendId: message.id });
          this.buffer.push(message);
          this.#accepted = true;
          break;
        }
        case 'rejectMessage':
          this.#undelivered(this.#current(event), params!['reason'] as UndeliveredReason);
          break;
        case 'flushQueue':
          for (const message of this.queue) {
            this.calls.push({ kind: 'send', data: message.data, bytes: message.bytes, original: message.data, sendId: undefined });
            this.buffer.push(message);
          }
          this.queue = [];
          break;
        case 'dropQueue':
          for (const message of this.queue.splice(0)) this.#undelivered(message, params!['reason'] as UndeliveredReason);
          break;
        case 'reportUnsent':
          for (const message of this.buffer.splice(0)) this.#undelivered(message, params!['reason'] as UndeliveredReason);
          break;
        case 'emitOpen':
          this.events.push({ type: 'open', payload: { protocol: this.context.protocol, extensions: this.context.extensions } });
          break;
        case 'emitError':
          this.events.push({ type: 'error', payload: params!['failure'] as ConnectionEventMap['error'] });
          break;
        case 'emitClose':
          this.events.push({ type: 'close', payload: params!['closeInfo'] as ConnectionEventMap['close'] });
          break;
        default:
          this.discrepancies.push(`the machine asked for an effect the oracle does not know: ${action.type}`);
      }
    }
  }

  #current(event: ConnectionEvent | undefined): ModelMessage {
    const message = this.#sending;
    if (message === undefined || event?.type !== 'user.send') throw new Error('A send action outside a user.send');
    return message;
  }

  #undelivered(message: ModelMessage, reason: UndeliveredReason): void {
    this.events.push({ type: 'undelivered', payload: { data: message.data, reason } });
  }
}

/** The model's size of a message: UTF-8 per `TextEncoder`, byte length for binary. */
export function modelMessage(id: number, data: OutgoingData): ModelMessage {
  return { id, data, bytes: byteSize(data) };
}
