/**
 * The walk over the lifecycle model (`lifecycle-model.ts`) that generates the tests: the events
 * each world offers, the state key that tells worlds apart, the bounds, and the paths.
 *
 * Bounding the walk (see `lifecycleKey` and `withinBounds`): the state key keeps exactly what
 * guards and the event alphabet read (state, queued messages and bytes, whether a failure was
 * recorded, the close request, messages held, the retry count where it can still decide, a
 * ping out while open, a wait already redrawn by a wake, the order the timers will fire in),
 * and nothing else; `user.send` offers
 * two sizes while connecting or waiting to reconnect (one that fits, one past
 * `maxQueuedBytes`) and one elsewhere; the machine's own `maxQueuedMessages` (2) bounds the
 * queue, `maxRetries` (1) the reconnects, and `withinBounds` caps what the socket holds while
 * open at `MAX_HELD`. The transient `attemptEnded` is never a resting state: its `always`
 * branches run inside the step that ends an attempt.
 */
import { fromTransition } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths, type SerializedSnapshot } from 'xstate/graph';
import { connectionMachine } from '../../../machines/connection.machine.js';
import type { ConnectionEvent, ConnectionInput, TransportFailure } from '../../../machines/connection.types.js';
import { nextTimer, queueFill } from './effect-model.js';
import {
  MAX_HELD,
  MODEL_INPUTS,
  SEND_SIZES,
  advance,
  planPath,
  reportDue,
  startWorld,
  stateName,
  type LifecycleMachine,
  type ModelPath,
  type World,
} from './lifecycle-model.js';

/** A refused upgrade the default policy rules final (the scripted server's 403), and one it retries. */
export const HANDSHAKE_FAILED: TransportFailure = { cause: 'handshake-failed', message: 'Unexpected server response: 403', status: 403 };
export const HANDSHAKE_UNAVAILABLE: TransportFailure = {
  cause: 'handshake-failed',
  message: 'Unexpected server response: 503',
  status: 503,
};
const PROTOCOL_ERROR: TransportFailure = { cause: 'protocol-error', message: 'Invalid WebSocket frame: invalid opcode 3' };
const ABORTED: TransportFailure = { cause: 'aborted', message: 'WebSocket was closed before the connection was established' };
/** Server closes while open: one the default policy rules final (an application code), one it retries (service restart). */
export const SERVER_CLOSES = { final: { code: 4001, reason: 'server bye' }, retryable: { code: 1012, reason: 'restart' } } as const;

/**
 * The events a real socket, clock, environment and app can produce in `world`: every one a
 * real stimulus can cause on both the in-memory transport and `ws`, and, for each socket or
 * timer event, the same event from the previous attempt, which the machine must ignore. A
 * timer is offered only when it is the next to fire, as a clock fires them in order; a pong
 * only while a ping is out, as a peer answers pings.
 */
export function lifecycleEvents(world: World): ConnectionEvent[] {
  const { context } = world.machine;
  const attempt = context.attempt;
  const send = (bytes: number): ConnectionEvent => ({ type: 'user.send', bytes, ...queueFill(world.effects) });
  const user: ConnectionEvent[] = [{ type: 'user.close' }, { type: 'user.close', code: 4000, reason: 'bye' }];
  const error = (failure: TransportFailure): ConnectionEvent => ({ type: 'socket.error', attempt, failure });
  const dropped: ConnectionEvent = { type: 'socket.close', attempt, code: 1006, reason: '', wasClean: false };
  const serverClose = ({ code, reason }: { code: number; reason: string }): ConnectionEvent => ({
    type: 'socket.close',
    attempt,
    code,
    reason,
    wasClean: true,
  });
  const socket: ConnectionEvent[] = [];
  // What the device says: where the machine ignores it, offered once per state rather than per key.
  const environment: ConnectionEvent[] = [{ type: 'env.wake', reason: 'online' }, { type: 'env.offline' }];
  const next = nextTimer(world.effects.timers);
  if (next !== undefined) socket.push({ type: `timer.${next.name}`, attempt });
  switch (stateName(world.machine)) {
    case 'connecting':
      user.push(send(SEND_SIZES.fits), send(SEND_SIZES.tooBig));
      socket.push(
        { type: 'socket.open', attempt, protocol: '', extensions: '' },
        error(HANDSHAKE_FAILED),
        error(HANDSHAKE_UNAVAILABLE),
        dropped,
      );
      break;
    case 'open':
      user.push(send(SEND_SIZES.fits), ...environment);
      // The device slept through the ping's due time: the shell takes the late ping for a wake.
      if (next?.name === 'ping') user.push({ type: 'env.wake', reason: 'timer-late' });
      socket.push(error(PROTOCOL_ERROR), serverClose(SERVER_CLOSES.final), serverClose(SERVER_CLOSES.retryable), dropped);
      if (context.awaitingPong) socket.push({ type: 'socket.pong', attempt });
      break;
    case 'closing.draining':
      user.push(send(SEND_SIZES.fits));
      socket.push({ type: 'socket.drained', attempt });
      // With nothing held the drain is reported before any network event can arrive.
      if (world.effects.held.length > 0) socket.push(error(PROTOCOL_ERROR), dropped);
      break;
    case 'closing.handshake': {
      user.push(send(SEND_SIZES.fits));
      socket.push(dropped);
      // A client that has failed the connection closes it uncleanly, and reports no second error.
      if (context.failure === undefined) {
        const { code = 1005, reason = '' } = context.closeRequest ?? {};
        socket.push(error(PROTOCOL_ERROR), serverClose({ code, reason }));
      }
      break;
    }
    case 'closing.aborting':
      user.push(send(SEND_SIZES.fits));
      socket.push(error(ABORTED), dropped);
      break;
    case 'reconnecting':
      user.push(send(SEND_SIZES.fits), send(SEND_SIZES.tooBig), ...environment);
      break;
    case 'closed':
    case 'gaveUp':
      user.push(send(SEND_SIZES.fits));
      break;
  }
  if (ignoresEnvironment(world)) user.push(...environment);
  const stale = socket.map((event) => ({ ...event, attempt: attempt - 1 }) as ConnectionEvent);
  return [...user, ...socket, ...stale];
}

/**
 * Where the environment's events change nothing, they are offered with nothing queued or held
 * and not after a reconnect: enough to see each state ignore them, without multiplying paths.
 */
function ignoresEnvironment(world: World): boolean {
  const state = stateName(world.machine);
  const [retries] = keptRetries(world) ?? [0];
  return (
    state !== 'open' && state !== 'reconnecting' && world.effects.queue.length === 0 && world.effects.held.length === 0 && retries === 0
  );
}

/**
 * The retry count, the machine's and the model's (`World.inARow`, equal unless the machine
 * counts wrong), where it can still decide something: what follows an attempt that ends
 * without `close()`. It also tells a later attempt from the first (the count is 1 until the
 * connection proves stable), so their stale events come from a real earlier socket.
 */
function keptRetries(world: World): [number, number] | null {
  const state = stateName(world.machine);
  const { closeRequest, retries, maxRetries } = world.machine.context;
  // Past `maxRetries` every count means the same, and a machine that never gives up would count forever.
  const cap = (count: number) => Math.min(count, maxRetries + 1);
  return state === 'closed' || state === 'gaveUp' || closeRequest !== undefined ? null : [cap(retries), cap(world.inARow)];
}

/**
 * The state key: exactly what guards and `lifecycleEvents` read, where they read it (see
 * `keptRetries`). Whether a ping is out matters only while open (the machine keeps the flag
 * until the next attempt), and whether a wake redrew the wait only while reconnecting; the timers enter as the order they will fire in (their due times
 * grow without bound, their order does not).
 */
export function lifecycleKey(world: World): string {
  const { context } = world.machine;
  const state = stateName(world.machine);
  const { queuedMessages, queuedBytes } = queueFill(world.effects);
  return JSON.stringify([
    state,
    queuedMessages,
    queuedBytes,
    context.failure !== undefined,
    context.closeRequest ?? null,
    world.effects.held.length,
    keptRetries(world),
    state === 'open' && context.awaitingPong,
    state === 'reconnecting' && context.redrawnOnWake,
    [...world.effects.timers].sort((a, b) => a.due - b.due || a.seq - b.seq).map((timer) => timer.name),
  ]);
}

/** Caps what the socket holds while open; the machine itself caps the queue. */
export function withinBounds(world: World, event: ConnectionEvent): boolean {
  return !(event.type === 'user.send' && stateName(world.machine) === 'open' && world.effects.held.length >= MAX_HELD);
}

/** The model as actor logic that `xstate/graph` can walk. */
export function lifecycleLogic(machine: LifecycleMachine, input: ConnectionInput) {
  return fromTransition((world: World, event: ConnectionEvent) => advance(machine, world, event).world, startWorld(machine, input).world);
}

/**
 * Every generated path, for each of `MODEL_INPUTS`: for each state key the shortest path to
 * it, extended by each event the key offers. That takes every edge of the walked graph once, so
 * every transition the model can take is taken, including the ones that leave the key
 * unchanged (targetless transitions, ignored and stale events). Each path ends where a
 * connection rests (see `toRest`), and none is listed twice.
 */
export function generateLifecyclePaths(machine: LifecycleMachine = connectionMachine): ModelPath[] {
  return MODEL_INPUTS.flatMap((input) => {
    // Completing a path can make it one the walk already has: keep the first.
    const unique = new Map<string, ConnectionEvent[]>();
    for (const events of pathsFrom(machine, input)) {
      const rested = toRest(machine, input, events);
      const key = JSON.stringify(rested);
      if (!unique.has(key)) unique.set(key, rested);
    }
    return [...unique.values()].map((events) => ({ input, events }));
  });
}

/**
 * `events`, followed by the reports the socket then makes by itself (`reportDue`): a path that
 * stopped before them would name as its end a state that a connection driven through it leaves
 * at once, before the app can look (`closing.draining` with nothing to drain, which the drain
 * report turns into `closing.handshake` in a microtask).
 */
function toRest(machine: LifecycleMachine, input: ConnectionInput, events: readonly ConnectionEvent[]): ConnectionEvent[] {
  const { start, steps } = planPath(machine, { input, events });
  const rested = [...events];
  let world = steps.at(-1)?.after ?? start;
  for (let report = reportDue(world); report !== undefined; report = reportDue(world)) {
    rested.push(report);
    world = advance(machine, world, report).world;
  }
  return rested;
}

function pathsFrom(machine: LifecycleMachine, input: ConnectionInput): ConnectionEvent[][] {
  const logic = lifecycleLogic(machine, input);
  const options = {
    events: (snapshot: { context: World }) => lifecycleEvents(snapshot.context),
    serializeState: (snapshot: { context: World }) => lifecycleKey(snapshot.context),
    filterEvents: (snapshot: { context: World }, event: ConnectionEvent) => withinBounds(snapshot.context, event),
    // A few thousand edges: a walk far past that has lost a bound, and should say so, not hang.
    limit: 50_000,
  };
  const adjacency = getAdjacencyMap(logic, options);
  const representative = (world: World): World | undefined => adjacency[lifecycleKey(world) as SerializedSnapshot]?.state.context;
  const shortest = new Map(getShortestPaths(logic, options).map((path) => [lifecycleKey(path.state.context), path]));
  const paths: ConnectionEvent[][] = [];
  for (const { state, event } of adjacencyMapToArray(adjacency)) {
    // `steps[0]` is the `xstate.init` pseudo-step.
    const prefix = shortest
      .get(lifecycleKey(state.context))!
      .steps.slice(1)
      .map((step) => step.event);
    paths.push(onOwnAttempts(machine, input, [...prefix, event], representative));
  }
  return paths;
}

/**
 * The traversal keeps one world per key and offers each key's events as that world makes them,
 * tagged with its attempt; a path that reaches the key on another attempt (after more
 * reconnects) must send them tagged with its own. Each event is taken at its place in the
 * key's alphabet, which is the same for every world with that key: the key keeps everything
 * the alphabet reads, which this also checks.
 */
function onOwnAttempts(
  machine: LifecycleMachine,
  input: ConnectionInput,
  events: readonly ConnectionEvent[],
  representative: (world: World) => World | undefined,
): ConnectionEvent[] {
  const withoutAttempt = (event: ConnectionEvent | undefined) => JSON.stringify({ ...event, attempt: undefined });
  let world = startWorld(machine, input).world;
  return events.map((event) => {
    const offered = lifecycleEvents(representative(world) ?? world);
    const index = offered.findIndex((candidate) => JSON.stringify(candidate) === JSON.stringify(event));
    const own = lifecycleEvents(world)[index];
    if (own === undefined || representative(world) === undefined || withoutAttempt(own) !== withoutAttempt(event)) {
      throw new Error(`The state key ${lifecycleKey(world)} does not keep all that decides where a step leads and what it offers`);
    }
    world = advance(machine, world, own).world;
    return own;
  });
}
