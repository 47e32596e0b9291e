/**
 * What an application must see at each step of a path, computed from the machine alone: the
 * actions XState's pure `transition()` returns for the step are mapped to the public events
 * the shell turns them into, in order, followed by the `state` event when the state changed.
 * The machine is the oracle; the shell and the transport are what the runner tests.
 *
 * Payloads never enter the machine, so the oracle keeps the messages it knows of: those
 * queued (`enqueueMessage`), those the socket holds (`flushQueue`, `writeMessage`) until the
 * network writes them out (`socket.drained`, a clean close) or the machine reports them.
 */
import type { CloseInfo, ConnectionEvent, TimerName, TransportFailure, UndeliveredReason } from '../../machines/connection.types.js';
import type { ConnectionStateName, ReadyState } from '../public-api.js';
import { readyStateOfName } from '../connection-events.js';
import { isCurrent, stateName, type PlannedStep, type RequestedAction, type World } from './lifecycle-model.js';

/** What the app can observe after a step. */
export interface StepView {
  /** The step, as `eventLabel` names it (`start` before the first). */
  readonly step: string;
  readonly state: ConnectionStateName;
  readonly readyState: ReadyState;
  readonly queuedMessages: number;
  readonly bufferedAmount: number;
  /** Timers waiting on the clock: one per timer the machine has running. */
  readonly pendingTimers: number;
  /** Every event the app has seen so far, in order. */
  readonly events: readonly string[];
}

/** The payloads sent along a path: distinct ASCII strings, so a string's length is its byte size. */
export function payloadOf(index: number, bytes: number): string {
  if (index >= 26) throw new RangeError('A path sends at most 26 messages');
  return String.fromCharCode(97 + index).repeat(bytes);
}

export const formatEvent = {
  open: (): string => 'open',
  error: ({ cause }: TransportFailure): string => `error ${cause}`,
  close: ({ code, reason, wasClean, cause }: CloseInfo): string =>
    `close ${code}${reason === '' ? '' : ` "${reason}"`} ${cause} ${wasClean ? 'clean' : 'unclean'}`,
  undelivered: (data: unknown, reason: UndeliveredReason): string =>
    `undelivered ${typeof data === 'string' ? data : Object.prototype.toString.call(data)} ${reason}`,
  state: (state: ConnectionStateName): string => `state ${state}`,
};

/** A short name for a step, in the machine's own vocabulary. */
export function eventLabel(event: ConnectionEvent, before: World): string {
  const stale = 'attempt' in event && !isCurrent(before.machine, event) ? ' (stale attempt)' : '';
  switch (event.type) {
    case 'user.send':
      return `user.send ${event.bytes}B`;
    case 'user.close':
      return event.code === undefined ? 'user.close' : `user.close ${event.code}`;
    case 'socket.error':
      return `socket.error ${event.failure.cause}${stale}`;
    case 'socket.close':
      return `socket.close ${event.code}${event.wasClean ? ' clean' : ''}${stale}`;
    default:
      return `${event.type}${stale}`;
  }
}

/** Follows a path step by step and says what the app must observe after each. */
export class LifecycleOracle {
  #queue: string[] = [];
  #held: string[] = [];
  readonly #timers = new Set<TimerName>();
  readonly #events: string[] = [];
  #state: ConnectionStateName;
  /** What the app must observe before the first step. */
  readonly start: StepView;

  constructor(start: World, startActions: readonly RequestedAction[]) {
    this.#state = stateName(start.machine);
    this.#apply(startActions, undefined);
    this.start = this.#snapshot('start', start);
  }

  /** What the app must observe after `step`; `data` is what `send()` was given for a `user.send`. */
  expect(step: PlannedStep, data: string | undefined): StepView {
    const { event, before, after } = step;
    if (isCurrent(before.machine, event) && (event.type === 'socket.drained' || (event.type === 'socket.close' && event.wasClean))) {
      this.#held = [];
    }
    this.#apply(step.actions, data);
    const state = stateName(after.machine);
    if (state !== this.#state) this.#events.push(formatEvent.state(state));
    this.#state = state;
    return this.#snapshot(eventLabel(event, before), after);
  }

  #apply(actions: readonly RequestedAction[], data: string | undefined): void {
    for (const { type, params } of actions) {
      const p = params as { reason: UndeliveredReason; failure: TransportFailure; closeInfo: CloseInfo; timer: TimerName };
      switch (type) {
        case 'enqueueMessage':
          this.#queue.push(data!);
          break;
        case 'writeMessage':
          this.#held.push(data!);
          break;
        case 'rejectMessage':
          this.#events.push(formatEvent.undelivered(data, p.reason));
          break;
        case 'flushQueue':
          this.#held.push(...this.#queue);
          this.#queue = [];
          break;
        case 'dropQueue':
          for (const queued of this.#queue) this.#events.push(formatEvent.undelivered(queued, p.reason));
          this.#queue = [];
          break;
        case 'reportUnsent':
          for (const held of this.#held) this.#events.push(formatEvent.undelivered(held, p.reason));
          this.#held = [];
          break;
        case 'emitOpen':
          this.#events.push(formatEvent.open());
          break;
        case 'emitError':
          this.#events.push(formatEvent.error(p.failure));
          break;
        case 'emitClose':
          this.#events.push(formatEvent.close(p.closeInfo));
          break;
        case 'startTimer':
          this.#timers.add(p.timer);
          break;
        case 'cancelTimer':
          this.#timers.delete(p.timer);
          break;
      }
    }
  }

  #snapshot(step: string, world: World): StepView {
    const state = stateName(world.machine);
    // The machine counts what is queued and the model what is held; if the oracle disagrees
    // with either, its mapping of actions above is wrong, not the code under test.
    if (this.#queue.length !== world.machine.context.queuedMessages || this.#held.length !== world.held) {
      throw new Error(`The oracle has ${this.#queue.length} queued and ${this.#held.length} held where the model has ${world.machine.context.queuedMessages} and ${world.held}`);
    }
    return {
      step,
      state,
      readyState: readyStateOfName(state),
      queuedMessages: this.#queue.length,
      bufferedAmount: [...this.#queue, ...this.#held].reduce((sum, message) => sum + message.length, 0),
      pendingTimers: this.#timers.size,
      events: [...this.#events],
    };
  }
}
