/**
 * What an application must see at each step of a path, computed from the machine alone: the
 * actions XState's pure `transition()` returns for the step are interpreted by the shared
 * `EffectModel` (the public events they stand for, in order, and what they do to the queue,
 * the socket and the timers), followed by the `state` event when the state changed. The
 * machine is the oracle; the shell and the transport are what the runner tests.
 *
 * Payloads never enter the machine, so the oracle keeps the messages it knows of: those
 * queued (`enqueueMessage`), those the socket holds (`flushQueue`, `writeMessage`) until the
 * network writes them out (`socket.drained`, a clean close) or the machine reports them.
 */
import type { CloseInfo, ConnectionEvent } from '../../../machines/connection.types.js';
import type { ConnectionStateName, ReadyState } from '../../public-api.js';
import { readyStateOfName } from '../../connection-events.js';
import { EffectModel, nextTimer, type AppEvent, type ModelMessage } from './effect-model.js';
import { firedTimer, isCurrent, modelDelays, stateName, type PlannedStep, type RequestedAction, type World } from './lifecycle-model.js';

/** What the app can observe after a step. */
export interface StepView {
  /** The step, as `eventLabel` names it (`start` before the first). */
  readonly step: string;
  readonly state: ConnectionStateName;
  readonly readyState: ReadyState;
  readonly queuedMessages: number;
  readonly bufferedAmount: number;
  /** Timers waiting on the clock: one while the machine runs any (one clock timer serves them all), else none. */
  readonly pendingTimers: number;
  /** How long until the machine's next timer fires, in ms, or `null`: a timer started with the wrong delay, or not stopped, shows here. */
  readonly nextTimerIn: number | null;
  /** Heartbeat pings sent on the connection's sockets so far. */
  readonly pings: number;
  /** What the `closed` promise resolved with (`formatClose`), once it has. */
  readonly settled: string | null;
  /** Every event the app has seen so far, in order. */
  readonly events: readonly string[];
}

/** The payloads sent along a path: distinct ASCII strings, so a string's length is its byte size. */
export function payloadOf(index: number, bytes: number): string {
  if (index >= 26) throw new RangeError('A path sends at most 26 messages');
  return String.fromCharCode(97 + index).repeat(bytes);
}

/** How an attempt ended: `1006 handshake-failed 403 unclean`, `4000 "bye" normal clean`. */
export function formatClose({ code, reason, wasClean, cause, status }: CloseInfo): string {
  return `${code}${reason === '' ? '' : ` "${reason}"`} ${cause}${status === undefined ? '' : ` ${status}`} ${wasClean ? 'clean' : 'unclean'}`;
}

/** The suffix of a `close` event that another attempt follows. */
export const WILL_RECONNECT = '(will reconnect)';

/**
 * A public event as one line: `open`, `error <cause>[ <status>]`, `close <formatClose>[ (will
 * reconnect)]`, `reconnecting attempt <n> retry <r> in <ms>ms`, `giveup <reason> after
 * <formatClose>`, `undelivered <data> <reason>`, `message <data>`, `state <name>`.
 */
export function formatEvent(event: AppEvent): string {
  switch (event.type) {
    case 'open':
      return 'open';
    case 'error':
      return `error ${event.payload.cause}${event.payload.status === undefined ? '' : ` ${event.payload.status}`}`;
    case 'close':
      return `close ${formatClose(event.payload)}${event.payload.willReconnect ? ` ${WILL_RECONNECT}` : ''}`;
    case 'reconnecting':
      return `reconnecting attempt ${event.payload.attempt} retry ${event.payload.retry} in ${event.payload.delay}ms`;
    case 'giveup':
      return `giveup ${event.payload.reason} after ${formatClose(event.payload.close)}`;
    case 'undelivered':
      return `undelivered ${describeData(event.payload.data)} ${event.payload.reason}`;
    case 'message':
      return `message ${describeData(event.payload)}`;
    case 'state':
      return `state ${event.payload.state}`;
  }
}

function describeData(data: unknown): string {
  return typeof data === 'string' ? data : Object.prototype.toString.call(data);
}

/** A short name for a step, in the machine's own vocabulary. */
export function eventLabel(event: ConnectionEvent, before: World): string {
  const stale = 'attempt' in event && !isCurrent(before.machine, event) ? ' (stale attempt)' : '';
  switch (event.type) {
    case 'user.send':
      return `user.send ${event.bytes}B`;
    case 'user.close':
      return event.code === undefined ? 'user.close' : `user.close ${event.code}`;
    case 'socket.error':
      return `socket.error ${event.failure.cause}${event.failure.status === undefined ? '' : ` ${event.failure.status}`}${stale}`;
    case 'socket.close':
      return `socket.close ${event.code}${event.wasClean ? ' clean' : ''}${stale}`;
    case 'env.wake':
      return `env.wake ${event.reason}`;
    default:
      return `${event.type}${stale}`;
  }
}

/** Follows a path step by step and says what the app must observe after each. */
export class LifecycleOracle {
  // One count of draws for the whole path: the shell's `random` is one sequence per connection.
  readonly #effects = new EffectModel<ModelMessage>(modelDelays().delays);
  readonly #events: string[] = [];
  #state: ConnectionStateName;
  /** What the app must observe before the first step. */
  readonly start: StepView;

  constructor(start: World, startActions: readonly RequestedAction[]) {
    this.#state = stateName(start.machine);
    this.#perform(startActions, start, undefined);
    this.start = this.#snapshot('start', start);
  }

  /** What the app must observe after `step`; `data` is what `send()` was given for a `user.send`. */
  expect(step: PlannedStep, data: string | undefined): StepView {
    const { event, before, after } = step;
    if (isCurrent(before.machine, event) && (event.type === 'socket.drained' || (event.type === 'socket.close' && event.wasClean))) {
      this.#effects.written();
    }
    const timer = firedTimer(before, event);
    if (timer !== undefined) this.#effects.fire(timer.name);
    this.#perform(step.actions, after, data);
    const state = stateName(after.machine);
    if (state !== this.#state) this.#events.push(formatEvent({ type: 'state', payload: { state, readyState: readyStateOfName(state) } }));
    this.#state = state;
    return this.#snapshot(eventLabel(event, before), after);
  }

  #perform(actions: readonly RequestedAction[], after: World, data: string | undefined): void {
    const seen = this.#effects.events.length;
    const message = data === undefined ? undefined : { data, bytes: data.length };
    this.#effects.perform(actions, { context: after.machine.context, message, now: after.now });
    if (this.#effects.unknown.length > 0) throw new Error(`The oracle does not know the effects ${this.#effects.unknown.join(', ')}`);
    this.#events.push(...this.#effects.events.slice(seen).map(formatEvent));
  }

  #snapshot(step: string, world: World): StepView {
    const state = stateName(world.machine);
    const effects = this.#effects;
    // The machine counts what is queued and the model what is held and which timers run; if the
    // oracle disagrees with either, its reading of the actions is wrong, not the code under test.
    const timers = (list: readonly { name: string }[]) => list.map((timer) => timer.name).sort().join();
    if (effects.queue.length !== world.queued || effects.held.length !== world.held || timers(effects.timers) !== timers(world.timers)) {
      throw new Error(
        `The oracle has ${effects.queue.length} queued, ${effects.held.length} held and timers [${timers(effects.timers)}] ` +
          `where the model has ${world.queued}, ${world.held} and [${timers(world.timers)}]`,
      );
    }
    return {
      step,
      state,
      readyState: readyStateOfName(state),
      queuedMessages: effects.queue.length,
      bufferedAmount: effects.bufferedAmount,
      pendingTimers: effects.timers.length === 0 ? 0 : 1,
      nextTimerIn: effects.timers.length === 0 ? null : nextTimer(effects.timers)!.due - world.now,
      pings: effects.calls.filter((call) => call.kind === 'ping').length,
      settled: effects.settled === undefined ? null : formatClose(effects.settled),
      events: [...this.#events],
    };
  }
}
