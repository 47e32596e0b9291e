/**
 * The lifecycle model that generated tests walk: the production `connectionMachine`, plus the
 * facts about the world it deliberately does not know: how many messages the socket still
 * holds (handed to it, not yet written out), and the clock with the timers the machine started.
 * Every lifecycle decision comes from the machine through XState's pure `transition()`; the
 * model only adds the network's and the clock's side. What the walk offers in each world, and
 * how it is bounded, is `lifecycle-walk.ts`.
 *
 * Why the network's side is needed: which stimuli a real socket can produce depends on it. A
 * socket that holds nothing reports `socket.drained` in a microtask, before any network event
 * can arrive, so `closing.draining` only meets a server's error or a dropped connection when
 * data is held; a clean close means everything held was written out first. Why the clock's: a
 * clock fires timers in the order they are due, so only the next one can expire (an open
 * connection runs `stable` and `ping` at once), and the reconnect wait is the backoff's.
 */
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { connectionMachine } from '../../../machines/connection.machine.js';
import type { ConnectionEvent, ConnectionInput, TimerName } from '../../../machines/connection.types.js';
import { stateOf as stateName } from './states.js';
import {
  NO_EFFECTS,
  performEffects,
  writtenOut,
  type EffectState,
  type ModelMessage,
  type ModelTimer,
  type RequestedAction,
  type StepOutcome,
  type TimerDelays,
} from './effect-model.js';

export type LifecycleMachine = typeof connectionMachine;
export type MachineSnapshot = SnapshotFrom<LifecycleMachine>;
export type { RequestedAction };

/** Small bounds, so that both of the queue's limits and the end of the retries are reached within a few steps. */
export const MODEL_INPUT: ConnectionInput = {
  url: 'ws://lifecycle.test/',
  maxQueuedMessages: 2,
  maxQueuedBytes: 8,
  reconnect: true,
  maxRetries: 1,
  heartbeat: true,
  resendUnconfirmed: false,
};
/** The same bounds with neither reconnection nor heartbeat, as a `ManagedWebSocket` has by default: the machine's other branches. */
export const PLAIN_INPUT: ConnectionInput = { ...MODEL_INPUT, reconnect: false, heartbeat: false };
/** Reconnection with at-least-once delivery: what a dropped socket never confirmed is queued again for the next. */
export const RESEND_INPUT: ConnectionInput = { ...MODEL_INPUT, heartbeat: false, resendUnconfirmed: true };
/** The inputs the paths are generated for. */
export const MODEL_INPUTS: readonly ConnectionInput[] = [MODEL_INPUT, PLAIN_INPUT, RESEND_INPUT];

/** One generated path: the input the connection starts from, and the events that drive it. */
export interface ModelPath {
  readonly input: ConnectionInput;
  readonly events: readonly ConnectionEvent[];
}
/** A message that fits the queue, and one that is past `maxQueuedBytes` on its own. */
export const SEND_SIZES = { fits: 3, tooBig: 9 } as const;
/**
 * Distinct, so that a timer started for the wrong state fires at the wrong time and shows.
 * `retry` is the first reconnect wait (see `MODEL_BACKOFF`); `stable` is shorter than `ping`,
 * so a connection that has just opened proves stable before its first ping.
 */
export const MODEL_TIMEOUTS: Record<TimerName, number> = {
  connect: 1_000,
  drain: 2_000,
  close: 3_000,
  retry: 4_000,
  stable: 5_000,
  ping: 6_000,
  pong: 7_000,
};
/**
 * What the connection's `random` option returns, in turn, round and round: the backoff's
 * jitter, made deterministic. Two values, so that a wait drawn again (a wake's) differs from the
 * one it replaces, and a draw made once too often or too rarely shows in when the retry fires.
 */
export const MODEL_RANDOMS = [0.5, 0.5625] as const;
/** A `random` that returns `values` in turn, round and round: each connection gets its own. */
export function cycle(values: readonly number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length]!;
}
/** The backoff options the paths run with: jittered, so that the first wait is the first random of its ceiling, `MODEL_TIMEOUTS.retry`. */
export const MODEL_BACKOFF = {
  minDelay: MODEL_TIMEOUTS.retry / MODEL_RANDOMS[0],
  maxDelay: 8 * MODEL_TIMEOUTS.retry,
  factor: 2,
  jitter: true,
} as const;
/** The most messages the walk lets the socket hold while open. */
export const MAX_HELD = 2;

/**
 * How long each timer runs on the paths. The reconnect wait is full jitter as docs/reconnection.md
 * states it, `floor(random() * min(maxDelay, minDelay * factor ^ (retry - 1)))`, and a wake's
 * fresh draw `floor(random() * minDelay)`, written out here rather than imported from the
 * shell's `time.ts`, so that the oracle checks them; `draw` counts the draws made before.
 */
export function modelDelay(timer: TimerName, retry: number, wake: boolean, draw: number): number {
  if (timer !== 'retry') return MODEL_TIMEOUTS[timer];
  const { minDelay, maxDelay, factor } = MODEL_BACKOFF;
  const ceiling = wake ? minDelay : Math.min(maxDelay, minDelay * factor ** (retry - 1));
  return Math.floor(MODEL_RANDOMS[draw % MODEL_RANDOMS.length]! * ceiling);
}

/** `modelDelay` for one connection, counting its draws from `draws`; `count()` tells how many it has made by now. */
export function modelDelays(draws = 0): { delays: TimerDelays; count: () => number } {
  let made = draws;
  return { delays: (timer, retry, wake) => modelDelay(timer, retry, wake, timer === 'retry' ? made++ : made), count: () => made };
}

/**
 * The payloads sent along a path: distinct ASCII strings (for the first 26 sends, more than a
 * path makes), so a string's length is its byte size.
 */
export function payloadOf(index: number, bytes: number): string {
  return String.fromCharCode(97 + (index % 26)).repeat(bytes);
}

/** The machine's snapshot, what its effects made of the world (the queue, the socket's messages, the timers), and the clock. */
export interface World {
  readonly machine: MachineSnapshot;
  readonly effects: EffectState<ModelMessage>;
  /** How many `send()`s the path made so far: the next one sends `payloadOf(sent, bytes)`. */
  readonly sent: number;
  /** The simulated clock's time, in ms: it moves only when a timer fires. */
  readonly now: number;
  /** When the connection last entered `open`, while it is there. */
  readonly openedAt: number | null;
  /** How many reconnect waits have been drawn so far (each takes the next of `MODEL_RANDOMS`). */
  readonly draws: number;
  /**
   * Reconnects since the connection last stayed open `minStableTime`, as docs/reconnection.md defines the
   * retry count, reckoned by the model from states and time alone. The machine keeps its own
   * count (`retries`); where the two differ the key tells the worlds apart, so a machine that
   * counts wrong has its wrong count walked into (and the invariants catch it).
   */
  readonly inARow: number;
}

/** One step of a path: the event, the world before and after it, what the machine asked for, and what that produced. */
export interface PlannedStep {
  readonly event: ConnectionEvent;
  readonly before: World;
  readonly after: World;
  readonly actions: readonly RequestedAction[];
  readonly outcome: StepOutcome<ModelMessage>;
}

/** Whether `event` comes from the socket or timer of the attempt `snapshot` is on. */
export function isCurrent(snapshot: MachineSnapshot, event: ConnectionEvent): boolean {
  return 'attempt' in event && event.attempt === snapshot.context.attempt;
}

/**
 * The timer whose expiry `event` is: a timer event of the current attempt, or a wake noticed
 * because the ping timer fired far too late (the device slept through it).
 */
export function firedTimer(world: World, event: ConnectionEvent): ModelTimer | undefined {
  const name = event.type === 'env.wake' && event.reason === 'timer-late' ? 'timer.ping' : event.type;
  if (!name.startsWith('timer.') || (event.type !== 'env.wake' && !isCurrent(world.machine, event))) return undefined;
  return world.effects.timers.find((timer) => `timer.${timer.name}` === name);
}

/**
 * The world after `event`: the network's side first (a drain or a clean close writes out what
 * was held; a timer's expiry is the clock reaching its due time), then the machine's.
 */
export function advance(
  machine: LifecycleMachine,
  world: World,
  event: ConnectionEvent,
): { world: World; actions: RequestedAction[]; outcome: StepOutcome<ModelMessage> } {
  const writesOut =
    isCurrent(world.machine, event) && (event.type === 'socket.drained' || (event.type === 'socket.close' && event.wasClean));
  const fired = firedTimer(world, event);
  const now = fired?.due ?? world.now;
  let effects = writesOut ? writtenOut(world.effects) : world.effects;
  if (fired !== undefined) effects = { ...effects, timers: effects.timers.filter((timer) => timer !== fired) };
  const [next, actions] = transition(machine, world.machine, event);
  const message = event.type === 'user.send' ? { data: payloadOf(world.sent, event.bytes), bytes: event.bytes } : undefined;
  const { delays, count } = modelDelays(world.draws);
  const outcome = performEffects(effects, actions as RequestedAction[], { context: next.context, message, now }, delays);
  const [from, to] = [stateName(world.machine), stateName(next)];
  const stayedOpen = from === 'open' && world.openedAt !== null && now - world.openedAt >= MODEL_TIMEOUTS.stable;
  const inARow = (stayedOpen ? 0 : world.inARow) + (to === 'reconnecting' && from !== 'reconnecting' ? 1 : 0);
  const openedAt = to !== 'open' ? null : from === 'open' ? world.openedAt : now;
  const sent = world.sent + (message === undefined ? 0 : 1);
  return {
    world: { machine: next, effects: outcome.state, sent, now, openedAt, inARow, draws: count() },
    actions: actions,
    outcome,
  };
}

/**
 * The report every socket makes by itself in `world`, before any network event can arrive: a
 * drain when nothing is held (in a microtask, or a timer of 0 ms in a browser). A path may take
 * another step first, but a connection never rests in such a world.
 */
export function reportDue(world: World): ConnectionEvent | undefined {
  if (stateName(world.machine) !== 'closing.draining' || world.effects.held.length > 0) return undefined;
  return { type: 'socket.drained', attempt: world.machine.context.attempt };
}

/**
 * Whether a real socket may already be reporting something by itself in `world`: the report
 * that is due (`reportDue`), or the end of an abort (`ws` confirms it in a later tick; the
 * in-memory transport when the test says so). A path may still take another step first;
 * anywhere else, nothing may happen unprompted.
 */
export function reportMayBePending(world: World): boolean {
  return reportDue(world) !== undefined || stateName(world.machine) === 'closing.aborting';
}

/** The initial world, and the actions the machine asks for when it starts, and what they produced. */
export function startWorld(
  machine: LifecycleMachine,
  input: ConnectionInput,
): { world: World; actions: RequestedAction[]; outcome: StepOutcome<ModelMessage> } {
  const [snapshot, actions] = initialTransition(machine, input);
  const { delays, count } = modelDelays();
  const outcome = performEffects<ModelMessage>(NO_EFFECTS, actions, { context: snapshot.context, now: 0 }, delays);
  return {
    world: { machine: snapshot, effects: outcome.state, sent: 0, now: 0, openedAt: null, inARow: 0, draws: count() },
    actions: actions,
    outcome,
  };
}

export { stateName };

/** Replays the path's events from its start, so each step's worlds come from this path's own history. */
export function planPath(
  machine: LifecycleMachine,
  { input, events }: ModelPath,
): { start: World; startOutcome: StepOutcome<ModelMessage>; steps: PlannedStep[] } {
  const { world: start, outcome: startOutcome } = startWorld(machine, input);
  let before = start;
  const steps = events.map((event) => {
    const { world: after, actions, outcome } = advance(machine, before, event);
    const step = { event, before, after, actions, outcome };
    before = after;
    return step;
  });
  return { start, startOutcome, steps };
}
