/**
 * Steps of the pure connection machine for its unit tests: the snapshot after a sequence of
 * events, and the effects each step asked for, from XState's pure `initialTransition()` and
 * `transition()` (no actor, no shell, no time).
 */
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { ConnectionEvent, ConnectionInput, TimerName } from '../../machines/connection.types.js';

export type Snapshot = SnapshotFrom<typeof connectionMachine>;
export type Action = { readonly type: string; readonly params?: unknown };

/** One attempt: no reconnection, no heartbeat, as a `ManagedWebSocket` has by default. */
export const SINGLE_ATTEMPT: ConnectionInput = {
  url: 'ws://example.test/',
  maxQueuedMessages: 2,
  maxQueuedBytes: 10,
  reconnect: false,
  maxRetries: 0,
  heartbeat: false,
};

/** Reconnection with one retry in a row, and the heartbeat on. */
export const RESILIENT: ConnectionInput = { ...SINGLE_ATTEMPT, reconnect: true, maxRetries: 1, heartbeat: true };

/** The effects a step asks for, by name; the machine's own `assign`s left out. */
export function effects(actions: readonly Action[]): string[] {
  return actions.map((action) => action.type).filter((type) => !type.startsWith('xstate.') && !/^(record|count|clear)/.test(type));
}

/** The params of every action of `type` in a step, in order. */
export function params(actions: readonly Action[], type: string): unknown[] {
  return actions.filter((action) => action.type === type).map((action) => action.params);
}

/** Runs `events` from the start with `input`: the last snapshot, and the actions of each step (the start's first). */
export function runFrom(input: ConnectionInput, events: readonly ConnectionEvent[], machine = connectionMachine): { snapshot: Snapshot; steps: Action[][] } {
  let [snapshot, actions] = initialTransition(machine, input);
  const steps = [actions as Action[]];
  for (const event of events) {
    [snapshot, actions] = transition(machine, snapshot, event);
    steps.push(actions as Action[]);
  }
  return { snapshot, steps };
}

/** The socket of `attempt` opened (with the subprotocol `chat`). */
export const opened = (attempt = 1) => ({ type: 'socket.open', attempt, protocol: 'chat', extensions: '' }) as const;
export const send = (bytes: number) => ({ type: 'user.send', bytes }) as const;
/** The socket of `attempt` closed without a closing handshake. */
export const dropped = (attempt = 1) => ({ type: 'socket.close', attempt, code: 1006, reason: '', wasClean: false }) as const;
/** The timer `name` of `attempt` fired. */
export const expired = (name: TimerName, attempt = 1) => ({ type: `timer.${name}`, attempt }) as const;
