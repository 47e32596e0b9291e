/**
 * The lifecycle model that generated tests walk: the production `connectionMachine`, plus the
 * one fact about the world it deliberately does not know, how many messages the socket still
 * holds (handed to it, not yet written out). Every lifecycle decision comes from the machine
 * through XState's pure `transition()`; the model only adds the network's side.
 *
 * Why the network's side is needed: which stimuli a real socket can produce depends on it. A
 * socket that holds nothing reports `socket.drained` in a microtask, before any network event
 * can arrive, so `closing.draining` only meets a server's error or a dropped connection when
 * data is held; a clean close means everything held was written out first.
 *
 * Bounding the walk (see `lifecycleKey` and `withinBounds`): the state key keeps exactly what
 * guards and the event alphabet read (state, queued messages and bytes, whether a failure was
 * recorded, the close request, messages held), and nothing else; `user.send` offers two sizes
 * while connecting (one that fits, one past `maxQueuedBytes`) and one elsewhere; the machine's
 * own `maxQueuedMessages` (2) bounds the queue, and `withinBounds` caps what the socket holds
 * while open at `MAX_HELD`.
 */
import { fromTransition, initialTransition, transition, type SnapshotFrom } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { ConnectionEvent, ConnectionInput, TimerName, TransportFailure } from '../../machines/connection.types.js';
import { stateName } from '../connection-events.js';

export type LifecycleMachine = typeof connectionMachine;
export type MachineSnapshot = SnapshotFrom<LifecycleMachine>;
/** An action the machine asks for, with its resolved params. */
export interface RequestedAction {
  readonly type: string;
  readonly params?: unknown;
}

/** Small bounds, so that both of the queue's limits are reached within a few steps. */
export const MODEL_INPUT: ConnectionInput = {
  url: 'ws://lifecycle.test/',
  maxQueuedMessages: 2,
  maxQueuedBytes: 8,
  reconnect: true,
  maxRetries: 1,
  heartbeat: true,
};
/** A message that fits the queue, and one that is past `maxQueuedBytes` on its own. */
export const SEND_SIZES = { fits: 3, tooBig: 9 } as const;
/** Distinct, so that a timer started for the wrong state fires at the wrong time and shows. */
export const MODEL_TIMEOUTS: Record<TimerName, number> = { connect: 1_000, drain: 2_000, close: 3_000, retry: 4_000, stable: 5_000, ping: 6_000, pong: 7_000 };
/** The most messages the walk lets the socket hold while open. */
export const MAX_HELD = 2;

/** The machine's snapshot and how many messages the socket holds. */
export interface World {
  readonly machine: MachineSnapshot;
  readonly held: number;
}

/** One step of a path: the event, the world before and after it, and what the machine asked for. */
export interface PlannedStep {
  readonly event: ConnectionEvent;
  readonly before: World;
  readonly after: World;
  readonly actions: readonly RequestedAction[];
}

/** Whether `event` comes from the socket or timer of the attempt `snapshot` is on. */
export function isCurrent(snapshot: MachineSnapshot, event: ConnectionEvent): boolean {
  return 'attempt' in event && event.attempt === snapshot.context.attempt;
}

/** The world after `event`: the network's side first (a drain or a clean close writes out what was held), then the machine's. */
export function advance(machine: LifecycleMachine, world: World, event: ConnectionEvent): { world: World; actions: RequestedAction[] } {
  const writesOut = isCurrent(world.machine, event) && (event.type === 'socket.drained' || (event.type === 'socket.close' && event.wasClean));
  let held = writesOut ? 0 : world.held;
  const [next, actions] = transition(machine, world.machine, event);
  for (const action of actions as RequestedAction[]) {
    if (action.type === 'flushQueue') held += world.machine.context.queuedMessages;
    else if (action.type === 'writeMessage') held += 1;
    else if (action.type === 'reportUnsent') held = 0;
  }
  return { world: { machine: next, held }, actions: actions as RequestedAction[] };
}

/**
 * Whether a real socket may already be reporting something by itself in `world`: a drain when
 * nothing is held (in a microtask), or the end of an abort (`ws` confirms it in a later tick).
 * A path may still take another step first; anywhere else, nothing may happen unprompted.
 */
export function reportMayBePending(world: World): boolean {
  const state = stateName(world.machine);
  return (state === 'closing.draining' && world.held === 0) || state === 'closing.aborting';
}

/** The initial world, and the actions the machine asks for when it starts. */
export function startWorld(machine: LifecycleMachine): { world: World; actions: RequestedAction[] } {
  const [snapshot, actions] = initialTransition(machine, MODEL_INPUT);
  return { world: { machine: snapshot, held: 0 }, actions: actions as RequestedAction[] };
}

export { stateName };

const HANDSHAKE_FAILED: TransportFailure = { cause: 'handshake-failed', message: 'Unexpected server response: 403' };
const PROTOCOL_ERROR: TransportFailure = { cause: 'protocol-error', message: 'Invalid WebSocket frame: invalid opcode 3' };
const ABORTED: TransportFailure = { cause: 'aborted', message: 'WebSocket was closed before the connection was established' };

/**
 * The events a real socket, clock and app can produce in `world`: every one a real stimulus can
 * cause on both the in-memory transport and `ws`, and, for each socket or timer event, the same
 * event from the previous attempt, which the machine must ignore.
 */
export function lifecycleEvents(world: World): ConnectionEvent[] {
  const { context } = world.machine;
  const attempt = context.attempt;
  const send = (bytes: number): ConnectionEvent => ({ type: 'user.send', bytes });
  const user: ConnectionEvent[] = [{ type: 'user.close' }, { type: 'user.close', code: 4000, reason: 'bye' }];
  const error = (failure: TransportFailure): ConnectionEvent => ({ type: 'socket.error', attempt, failure });
  const dropped: ConnectionEvent = { type: 'socket.close', attempt, code: 1006, reason: '', wasClean: false };
  const timer = (name: TimerName): ConnectionEvent => ({ type: `timer.${name}`, attempt });
  const socket: ConnectionEvent[] = [];
  switch (stateName(world.machine)) {
    case 'connecting':
      user.push(send(SEND_SIZES.fits), send(SEND_SIZES.tooBig));
      socket.push({ type: 'socket.open', attempt, protocol: '', extensions: '' }, error(HANDSHAKE_FAILED), dropped, timer('connect'));
      break;
    case 'open':
      user.push(send(SEND_SIZES.fits));
      socket.push(error(PROTOCOL_ERROR), { type: 'socket.close', attempt, code: 4001, reason: 'server bye', wasClean: true }, dropped);
      break;
    case 'closing.draining':
      user.push(send(SEND_SIZES.fits));
      socket.push({ type: 'socket.drained', attempt }, timer('drain'));
      // With nothing held the drain is reported before any network event can arrive.
      if (world.held > 0) socket.push(error(PROTOCOL_ERROR), dropped);
      break;
    case 'closing.handshake': {
      user.push(send(SEND_SIZES.fits));
      socket.push(timer('close'), dropped);
      // A client that has failed the connection closes it uncleanly, and reports no second error.
      if (context.failure === undefined) {
        const { code = 1005, reason = '' } = context.closeRequest ?? {};
        socket.push(error(PROTOCOL_ERROR), { type: 'socket.close', attempt, code, reason, wasClean: true });
      }
      break;
    }
    case 'closing.aborting':
      user.push(send(SEND_SIZES.fits));
      socket.push(error(ABORTED), dropped, timer('close'));
      break;
    case 'closed':
      user.push(send(SEND_SIZES.fits));
      break;
  }
  const stale = socket.map((event) => ({ ...event, attempt: attempt - 1 }) as ConnectionEvent);
  return [...user, ...socket, ...stale];
}

/** The state key: exactly what guards and `lifecycleEvents` read. */
export function lifecycleKey(world: World): string {
  const { context } = world.machine;
  return JSON.stringify([
    stateName(world.machine),
    context.queuedMessages,
    context.queuedBytes,
    context.failure !== undefined,
    context.closeRequest ?? null,
    world.held,
  ]);
}

/** Caps what the socket holds while open; the machine itself caps the queue. */
export function withinBounds(world: World, event: ConnectionEvent): boolean {
  return !(event.type === 'user.send' && stateName(world.machine) === 'open' && world.held >= MAX_HELD);
}

/** The model as actor logic that `xstate/graph` can walk. */
export function lifecycleLogic(machine: LifecycleMachine) {
  return fromTransition((world: World, event: ConnectionEvent) => advance(machine, world, event).world, startWorld(machine).world);
}

/**
 * Every generated path, as its events: for each state key the shortest path to it, extended by
 * each event the key offers. That takes every edge of the walked graph once, so every
 * transition the model can take is taken, including the ones that leave the key unchanged
 * (targetless transitions, ignored and stale events).
 */
export function generateLifecyclePaths(machine: LifecycleMachine = connectionMachine): ConnectionEvent[][] {
  const logic = lifecycleLogic(machine);
  const options = {
    events: (snapshot: { context: World }) => lifecycleEvents(snapshot.context),
    serializeState: (snapshot: { context: World }) => lifecycleKey(snapshot.context),
    filterEvents: (snapshot: { context: World }, event: ConnectionEvent) => withinBounds(snapshot.context, event),
  };
  const shortest = new Map(getShortestPaths(logic, options).map((path) => [lifecycleKey(path.state.context), path]));
  const paths: ConnectionEvent[][] = [];
  for (const { state, event } of adjacencyMapToArray(getAdjacencyMap(logic, options))) {
    // `steps[0]` is the `xstate.init` pseudo-step.
    const prefix = shortest.get(lifecycleKey(state.context))!.steps.slice(1).map((step) => step.event);
    paths.push([...prefix, event]);
  }
  return paths;
}

/** Replays `events` from the start, so each step's worlds come from this path's own history. */
export function planPath(machine: LifecycleMachine, events: readonly ConnectionEvent[]): { start: World; startActions: RequestedAction[]; steps: PlannedStep[] } {
  const { world: start, actions: startActions } = startWorld(machine);
  let before = start;
  const steps = events.map((event) => {
    const { world: after, actions } = advance(machine, before, event);
    const step = { event, before, after, actions };
    before = after;
    return step;
  });
  return { start, startActions, steps };
}
