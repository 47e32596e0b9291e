/**
 * Deliberately broken variants of the shell and of the machine, which the generated tests must
 * catch. None changes production code: shell faults are planted in the transport the
 * connection is given, or in one module of the shell (`test/support/plant.ts`: one per field
 * of the per-step comparison); machine variants are built from the production machine's own
 * config and implementations, with one transition changed.
 */
import { assign, createMachine, enqueueActions } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { Connection } from '../../src/connection.js';
import type { LifecycleMachine } from '../../src/testing/model/lifecycle-model.js';
import { ForwardingSocket, overrideHandlers, wrapTransport } from '../../src/testing/model/transport-tap.js';
import type { StepView } from '../../src/testing/model/lifecycle-oracle.js';
import type { Transport, TransportSocket } from '../../src/transports/transport.js';
import { plantedBugs } from '../properties/mutants.js';
import { plantEffects, plantEvents } from '../support/plant.js';

export interface ShellMutant {
  readonly name: string;
  readonly wrap: (transport: Transport, connection: () => Connection) => Transport;
  /** What catches it: the oracle (`strays from the machine`), or a property of `lifecycle-invariants.ts`. */
  readonly caughtBy: string;
}

type SendArgs = Parameters<TransportSocket['send']>;

export const shellMutants: readonly ShellMutant[] = [
  {
    name: 'flushes the queue after the open event',
    caughtBy: 'flush before open',
    // Whatever the connection hands over while it handles the open report reaches the socket
    // only afterwards, that is after `open` listeners ran.
    wrap: (transport) =>
      wrapTransport(transport, (request, handlers) => {
        let deferring = false;
        const deferred: SendArgs[] = [];
        const socket: TransportSocket = new (class extends ForwardingSocket {
          override send(...args: SendArgs): void {
            if (deferring) deferred.push(args);
            else super.send(...args);
          }
        })(
          transport(
            request,
            overrideHandlers(handlers, {
              open(protocol, extensions) {
                deferring = true;
                handlers.open(protocol, extensions);
                deferring = false;
                for (const args of deferred.splice(0)) socket.send(...args);
              },
            }),
          ),
        );
        return socket;
      }),
  },
  {
    name: 'drops the last queued message when it flushes the queue',
    caughtBy: 'strays from the machine',
    wrap: (transport, connection) =>
      wrapTransport(transport, (request, handlers) => {
        let index = 0;
        let last = -1;
        return new (class extends ForwardingSocket {
          override send(...args: SendArgs): void {
            if (index++ !== last) super.send(...args);
          }
        })(
          transport(
            request,
            overrideHandlers(handlers, {
              open(protocol, extensions) {
                index = 0;
                last = connection().queuedMessages - 1;
                handlers.open(protocol, extensions);
                last = -1;
              },
            }),
          ),
        );
      }),
  },
  {
    name: 'skips the drain: reports drained while data is still held',
    caughtBy: 'strays from the machine',
    wrap: (transport) =>
      wrapTransport(
        transport,
        (request, handlers) =>
          new (class extends ForwardingSocket {
            override whenDrained(callback: () => void): void {
              queueMicrotask(callback);
            }
          })(transport(request, handlers)),
      ),
  },
  {
    name: 'swaps the first two messages it writes on each socket',
    caughtBy: 'in order',
    // Same sizes, same counts: nothing a step's view shows differs; only the order on the wire.
    wrap: (transport) =>
      wrapTransport(transport, (request, handlers) => {
        let first: SendArgs | undefined;
        let writes = 0;
        return new (class extends ForwardingSocket {
          override send(...args: SendArgs): void {
            writes += 1;
            if (writes === 1) first = args;
            else {
              super.send(...args);
              if (writes === 2) super.send(...first!);
            }
          }

          override whenDrained(callback: () => void): void {
            if (writes === 1) super.send(...first!); // a lone message is not held back for ever
            writes = Math.max(writes, 2);
            super.whenDrained(callback);
          }

          override takeUnsent(): ReturnType<TransportSocket['takeUnsent']> {
            if (writes === 1) super.send(...first!);
            writes = Math.max(writes, 2);
            return super.takeUnsent();
          }
        })(transport(request, handlers));
      }),
  },
  {
    name: 'ignores pongs: the heartbeat never hears its ping answered',
    caughtBy: 'strays from the machine',
    wrap: (transport) =>
      wrapTransport(transport, (request, handlers) => transport(request, overrideHandlers(handlers, { pong: () => {} }))),
  },
];

/** The transport as it is, through the same wrapping: no path may fail, or the wrapping itself is a fault. */
export const faithfulWrap: ShellMutant['wrap'] = (transport) =>
  wrapTransport(transport, (request, handlers) => transport(request, handlers));

type ActionEntry = string | { readonly type: string } | ((...args: never[]) => unknown);
interface TransitionConfig {
  readonly target?: string;
  readonly actions?: ActionEntry | readonly ActionEntry[];
}
interface StateConfig {
  readonly on?: Record<string, TransitionConfig | readonly TransitionConfig[]>;
  readonly always?: readonly TransitionConfig[];
  readonly states?: Record<string, StateConfig>;
}

/** What `revise` returns to drop a transition candidate altogether. */
const DROPPED: TransitionConfig = Object.freeze({});

/**
 * The production machine with every transition passed through `revise` (given its state path
 * and event type, `always` for eventless ones); a candidate revised to `DROPPED` is removed.
 */
function revised(revise: (path: string, eventType: string, transition: TransitionConfig) => TransitionConfig): LifecycleMachine {
  const reviseList = (path: string, type: string, list: readonly TransitionConfig[]) =>
    list.map((t) => revise(path, type, t)).filter((t) => t !== DROPPED);
  const reviseState = (path: string, state: StateConfig): StateConfig => ({
    ...state,
    ...(state.on && {
      on: Object.fromEntries(
        Object.entries(state.on).map(([type, entry]) => [
          type,
          Array.isArray(entry) ? reviseList(path, type, entry) : revise(path, type, entry as TransitionConfig),
        ]),
      ),
    }),
    ...(state.always && { always: reviseList(path, 'always', state.always) }),
    ...(state.states && {
      states: Object.fromEntries(
        Object.entries(state.states).map(([key, child]) => [key, reviseState(path ? `${path}.${key}` : key, child)]),
      ),
    }),
  });
  const config = reviseState('', connectionMachine.config as unknown as StateConfig);
  return createMachine(config as never, connectionMachine.implementations as never) as unknown as LifecycleMachine;
}

const typeOf = (action: ActionEntry): string => (typeof action === 'string' ? action : typeof action === 'function' ? '' : action.type);
const actionsOf = (t: TransitionConfig): readonly ActionEntry[] =>
  t.actions === undefined ? [] : Array.isArray(t.actions) ? (t.actions as readonly ActionEntry[]) : [t.actions as ActionEntry];
const has = (t: TransitionConfig, type: string): boolean => actionsOf(t).some((action) => typeOf(action) === type);

/** Inserts `added` just after the first action named `after`. */
function insertAfter(actions: readonly ActionEntry[], added: readonly ActionEntry[], after: string): ActionEntry[] {
  const at = actions.findIndex((action) => typeOf(action) === after) + 1;
  return [...actions.slice(0, at), ...added, ...actions.slice(at)];
}

/** Moves the actions named `moved` (in their order) to just before the first action named `before`. */
function moveBefore(actions: readonly ActionEntry[], moved: readonly string[], before: string): ActionEntry[] {
  const taken = actions.filter((action) => moved.includes(typeOf(action)));
  const rest = actions.filter((action) => !moved.includes(typeOf(action)));
  const at = rest.findIndex((action) => typeOf(action) === before);
  return [...rest.slice(0, at), ...taken, ...rest.slice(at)];
}

export interface MachineMutant {
  readonly name: string;
  readonly machine: LifecycleMachine;
  /** The property of `lifecycle-invariants.ts` it breaks: a broken machine is its own oracle, so only they can catch it. */
  readonly caughtBy: string;
}

const guardOf = (t: TransitionConfig): unknown => (t as { guard?: unknown }).guard;

export const machineMutants: readonly MachineMutant[] = [
  {
    name: 'reports close before error when a connection fails',
    caughtBy: 'error then close',
    // The error of a failed connect is held back until after the close that the decision on
    // the attempt's end emits, in the same step.
    machine: revised((path, _, t) => {
      if (has(t, 'terminateSocket') && has(t, 'emitError')) {
        return {
          ...t,
          actions: [...actionsOf(t).filter((action) => typeOf(action) !== 'emitError'), assign({ heldError: true })],
        };
      }
      if (path !== 'attemptEnded' || !has(t, 'emitClose')) return t;
      const heldError = enqueueActions(({ context, enqueue }) => {
        const { heldError: held, failure } = context as unknown as { heldError?: boolean; failure: unknown };
        if (!held) return;
        enqueue({ type: 'emitError', params: { failure } });
        enqueue.assign({ heldError: false });
      });
      return { ...t, actions: insertAfter(actionsOf(t), [heldError], 'emitClose') };
    }),
  },
  {
    name: 'skips the drain: close() while open starts the closing handshake at once',
    caughtBy: 'drain before close',
    machine: revised((path, type, t) => (path === 'open' && type === 'user.close' ? { ...t, target: 'closing.handshake' } : t)),
  },
  {
    name: 'reconnects after close(): an attempt the app ended is decided like any other',
    caughtBy: 'close() is final',
    machine: revised((path, type, t) => (path === 'attemptEnded' && type === 'always' && guardOf(t) === 'wasClosedByUser' ? DROPPED : t)),
  },
  {
    name: 'drops the queue on reconnect instead of keeping it for the next attempt',
    caughtBy: 'queue survives reconnects',
    machine: revised((path, type, t) =>
      path === 'attemptEnded' && type === 'always' && guardOf(t) === undefined
        ? { ...t, actions: [{ type: 'dropQueue', params: { reason: 'closed-before-open' } }, ...actionsOf(t)] }
        : t,
    ),
  },
  {
    name: 'says no reconnect follows an attempt it reconnects after',
    caughtBy: 'one end',
    machine: revised((path, type, t) =>
      path === 'attemptEnded' && type === 'always' && guardOf(t) === undefined
        ? {
            ...t,
            actions: actionsOf(t).map((action) =>
              typeOf(action) === 'emitClose'
                ? {
                    type: 'emitClose',
                    params: ({ context }: { context: { closeInfo: unknown } }) => ({ closeInfo: context.closeInfo, willReconnect: false }),
                  }
                : action,
            ),
          }
        : t,
    ),
  },
  {
    name: 'reports a message sent while open undelivered, though it writes it',
    caughtBy: 'one fate',
    machine: revised((path, type, t) =>
      path === 'open' && type === 'user.send'
        ? { ...t, actions: [...actionsOf(t), { type: 'rejectMessage', params: { reason: 'closing' } }] }
        : t,
    ),
  },
  {
    name: 'never resets the retry count: a connection that stayed open still gives up',
    caughtBy: 'retries',
    machine: revised((path, type, t) => (path === 'open' && type === 'timer.stable' ? { ...t, actions: [] } : t)),
  },
  {
    name: 'resets the retry count on open, not once the connection proved stable',
    caughtBy: 'retries',
    machine: revised((path, type, t) =>
      path === 'connecting' && type === 'socket.open'
        ? { ...t, actions: ['resetRetries', ...actionsOf(t)] }
        : path === 'open' && type === 'timer.stable'
          ? { ...t, actions: [] }
          : t,
    ),
  },
];

/**
 * Emits `open` before flushing the queue, in the machine. Not a fault an app can see: the shell
 * delivers a transition's events once the transition is over, by which time the flush is done.
 */
export const openBeforeFlushInMachine: LifecycleMachine = revised((path, type, t) =>
  path === 'connecting' && type === 'socket.open' ? { ...t, actions: moveBefore(actionsOf(t), ['emitOpen'], 'flushQueue') } : t,
);

/** A shell broken in one of its modules, which the per-step comparison must catch in `field`. */
export interface FieldMutant {
  readonly field: Exclude<keyof StepView, 'step'>;
  readonly name: string;
  readonly plant: () => void;
}

/** A bug the property tests plant too (`test/properties/mutants.ts`), caught here in `field`. */
function alsoPlantedForProperties(field: FieldMutant['field'], name: string): FieldMutant {
  const bug = plantedBugs.find((candidate) => candidate.name === name);
  if (bug === undefined) throw new Error(`no planted bug named "${name}" in test/properties/mutants.ts`);
  return { field, name, plant: bug.plant };
}

/** One for each field the generated tests compare at every step. */
export const fieldMutants: readonly FieldMutant[] = [
  {
    field: 'state',
    name: 'names the drain after close() as the closing handshake',
    plant: plantEvents((original) => ({
      stateName: (snapshot) => {
        const name = original.stateName(snapshot);
        return name === 'closing.draining' ? 'closing.handshake' : name;
      },
    })),
  },
  alsoPlantedForProperties('readyState', 'reads CONNECTING while it aborts an attempt'),
  {
    field: 'queuedMessages',
    name: 'queues each message sent before open twice',
    plant: plantEffects((original) => ({
      enqueueMessage: (engine, params, step, message) => {
        original.enqueueMessage(engine, params, step, message);
        original.enqueueMessage(engine, params, step, message);
      },
    })),
  },
  alsoPlantedForProperties('bufferedAmount', 'counts a byte too many for each queued message'),
  alsoPlantedForProperties('pendingTimers', 'leaves the heartbeat timer running when the connection ends'),
  alsoPlantedForProperties('nextTimerIn', 'waits out the ceiling of the next reconnect instead of this one'),
  {
    field: 'pings',
    name: 'never sends the heartbeat ping',
    plant: plantEffects(() => ({ sendPing: () => {} })),
  },
  {
    field: 'settled',
    name: 'settles `closed` with the opposite of wasClean',
    plant: plantEffects(() => ({
      settle: (engine, { closeInfo }) => engine.settle(closeInfo && { ...closeInfo, wasClean: !closeInfo.wasClean }),
    })),
  },
  alsoPlantedForProperties('events', 'announces every reconnect as immediate'),
];
