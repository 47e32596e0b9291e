/**
 * What an application must see at each step of a path, computed from the machine alone: the
 * actions XState's pure `transition()` returns for the step, as the one interpreter of the
 * machine's effects (`performEffects`) read them when the model planned the path (the public
 * events they stand for, in order, and what they do to the queue, the socket and the timers),
 * followed by the `state` event when the state changed; the first event of all is the `state`
 * the connection starts in. The machine is the oracle; the shell and the transport are what the
 * runner tests.
 */
import type { ConnectionEvent } from '../../../machines/connection.types.js';
import type { ConnectionStateName, ReadyState } from '../../public-api.js';
import { READY_STATE_OF } from './states.js';
import { nextTimer, type ModelMessage, type StepOutcome } from './effect-model.js';
import { formatClose, formatEvent } from './event-log.js';
import { isCurrent, stateName, type PlannedStep, type World } from './lifecycle-model.js';

export { formatClose, formatEvent, WILL_RECONNECT } from './event-log.js';

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

/** Follows a path step by step and says what the app must observe after each, from the steps the model planned. */
export class LifecycleOracle {
  readonly #events: string[] = [];
  /** Pings the machine has asked for so far. */
  #pings = 0;
  /** What the app must observe before the first step. */
  readonly start: StepView;

  constructor(start: World, startOutcome: StepOutcome<ModelMessage>) {
    this.#take(startOutcome);
    // The first `state` event announces the initial state (see `Sequencer.announce`).
    const initial = stateName(start.machine);
    this.#events.push(formatEvent({ type: 'state', payload: { state: initial, readyState: READY_STATE_OF[initial] } }));
    this.start = this.#view('start', start);
  }

  /** What the app must observe after `step`. */
  expect(step: PlannedStep): StepView {
    const { event, before, after } = step;
    this.#take(step.outcome);
    const [from, to] = [stateName(before.machine), stateName(after.machine)];
    if (to !== from) this.#events.push(formatEvent({ type: 'state', payload: { state: to, readyState: READY_STATE_OF[to] } }));
    return this.#view(eventLabel(event, before), after);
  }

  #take(outcome: StepOutcome<ModelMessage>): void {
    if (outcome.unknown.length > 0) throw new Error(`The oracle does not know the effects ${outcome.unknown.join(', ')}`);
    this.#events.push(...outcome.events.map(formatEvent));
    this.#pings += outcome.calls.filter((call) => call.kind === 'ping').length;
  }

  #view(step: string, world: World): StepView {
    const state = stateName(world.machine);
    const { queue, held, timers, settled } = world.effects;
    return {
      step,
      state,
      readyState: READY_STATE_OF[state],
      queuedMessages: queue.length,
      bufferedAmount: [...queue, ...held].reduce((sum, message) => sum + message.bytes, 0),
      pendingTimers: timers.length === 0 ? 0 : 1,
      nextTimerIn: timers.length === 0 ? null : nextTimer(timers)!.due - world.now,
      pings: this.#pings,
      settled: settled === undefined ? null : formatClose(settled),
      events: [...this.#events],
    };
  }
}
