/**
 * Deliberately broken variants of the shell and of the machine, which the generated tests must
 * catch. None changes production code: shell faults are planted in the transport the
 * connection is given; machine variants are built from the production machine's own config
 * and implementations, with one transition changed.
 */
import { createMachine } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { Connection } from '../../src/connection.js';
import type { LifecycleMachine } from '../../src/testing/lifecycle-model.js';
import { ForwardingSocket } from '../../src/testing/transport-tap.js';
import type { Transport, TransportSocket } from '../../src/transports/transport.js';

export interface ShellMutant {
  readonly name: string;
  readonly wrap: (transport: Transport, connection: () => Connection) => Transport;
}

type SendArgs = Parameters<TransportSocket['send']>;

export const shellMutants: readonly ShellMutant[] = [
  {
    name: 'flushes the queue after the open event',
    // Whatever the connection hands over while it handles the open report reaches the socket
    // only afterwards, that is after `open` listeners ran.
    wrap: (transport) => (request, handlers) => {
      let deferring = false;
      const deferred: SendArgs[] = [];
      const socket: TransportSocket = new (class extends ForwardingSocket {
        override send(...args: SendArgs): void {
          if (deferring) deferred.push(args);
          else super.send(...args);
        }
      })(
        transport(request, {
          ...handlers,
          open(protocol, extensions) {
            deferring = true;
            handlers.open(protocol, extensions);
            deferring = false;
            for (const args of deferred.splice(0)) socket.send(...args);
          },
        }),
      );
      return socket;
    },
  },
  {
    name: 'drops the last queued message when it flushes the queue',
    wrap: (transport, connection) => (request, handlers) => {
      let index = 0;
      let last = -1;
      return new (class extends ForwardingSocket {
        override send(...args: SendArgs): void {
          if (index++ !== last) super.send(...args);
        }
      })(
        transport(request, {
          ...handlers,
          open(protocol, extensions) {
            index = 0;
            last = connection().queuedMessages - 1;
            handlers.open(protocol, extensions);
            last = -1;
          },
        }),
      );
    },
  },
  {
    name: 'skips the drain: reports drained while data is still held',
    wrap: (transport) => (request, handlers) =>
      new (class extends ForwardingSocket {
        override whenDrained(callback: () => void): void {
          queueMicrotask(callback);
        }
      })(transport(request, handlers)),
  },
];

type ActionEntry = string | { readonly type: string };
interface TransitionConfig {
  readonly target?: string;
  readonly actions?: ActionEntry | readonly ActionEntry[];
}
interface StateConfig {
  readonly on?: Record<string, TransitionConfig | readonly TransitionConfig[]>;
  readonly states?: Record<string, StateConfig>;
}

/** The production machine with every transition passed through `revise` (given its state path and event type). */
function revised(revise: (path: string, eventType: string, transition: TransitionConfig) => TransitionConfig): LifecycleMachine {
  const reviseState = (path: string, state: StateConfig): StateConfig => ({
    ...state,
    ...(state.on && {
      on: Object.fromEntries(
        Object.entries(state.on).map(([type, entry]) => [
          type,
          Array.isArray(entry) ? entry.map((t: TransitionConfig) => revise(path, type, t)) : revise(path, type, entry as TransitionConfig),
        ]),
      ),
    }),
    ...(state.states && {
      states: Object.fromEntries(Object.entries(state.states).map(([key, child]) => [key, reviseState(path ? `${path}.${key}` : key, child)])),
    }),
  });
  const config = reviseState('', connectionMachine.config as unknown as StateConfig);
  return createMachine(config as never, connectionMachine.implementations as never) as unknown as LifecycleMachine;
}

const typeOf = (action: ActionEntry): string => (typeof action === 'string' ? action : action.type);
const actionsOf = (t: TransitionConfig): readonly ActionEntry[] =>
  t.actions === undefined ? [] : Array.isArray(t.actions) ? t.actions : [t.actions as ActionEntry];
const has = (t: TransitionConfig, type: string): boolean => actionsOf(t).some((action) => typeOf(action) === type);

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
}

export const machineMutants: readonly MachineMutant[] = [
  {
    name: 'reports close before error when a connection fails',
    machine: revised((_, __, t) =>
      has(t, 'emitError') && has(t, 'emitClose') ? { ...t, actions: moveBefore(actionsOf(t), ['recordClose', 'emitClose'], 'emitError') } : t,
    ),
  },
  {
    name: 'skips the drain: close() while open starts the closing handshake at once',
    machine: revised((path, type, t) => (path === 'open' && type === 'user.close' ? { ...t, target: 'closing.handshake' } : t)),
  },
];

/**
 * Emits `open` before flushing the queue, in the machine. Not a fault an app can see: the shell
 * delivers a transition's events once the transition is over, by which time the flush is done.
 */
export const openBeforeFlushInMachine: LifecycleMachine = revised((path, type, t) =>
  path === 'connecting' && type === 'socket.open' ? { ...t, actions: moveBefore(actionsOf(t), ['emitOpen'], 'flushQueue') } : t,
);
