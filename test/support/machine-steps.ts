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
  resendUnconfirmed: false,
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

/** A step of a run: an event, or a send whose queue fill the run supplies, as the shell does. */
export type Step = ConnectionEvent | ReturnType<typeof send>;

/** How full the shell's queue is, as the run has followed it. */
export interface QueueFill {
  queuedMessages: number;
  queuedBytes: number;
}

/**
 * Runs `events` from the start with `input`: the last snapshot, the actions of each step (the
 * start's first), and the queue, which is the shell's: the run follows it from the effects
 * (`enqueueMessage` adds the send, `flushQueue` and `dropQueue` empty it) and tells each send how
 * full it is.
 */
export function runFrom(
  input: ConnectionInput,
  events: readonly Step[],
  machine = connectionMachine,
): { snapshot: Snapshot; steps: Action[][]; queue: QueueFill } {
  let [snapshot, actions] = initialTransition(machine, input);
  const steps = [actions as Action[]];
  const queue: QueueFill = { queuedMessages: 0, queuedBytes: 0 };
  for (const step of events) {
    const event: ConnectionEvent = step.type === 'user.send' ? { ...step, ...queue } : step;
    [snapshot, actions] = transition(machine, snapshot, event);
    steps.push(actions);
    for (const { type } of actions as Action[]) {
      if (type === 'enqueueMessage' && event.type === 'user.send') {
        queue.queuedMessages += 1;
        queue.queuedBytes += event.bytes;
      } else if (type === 'flushQueue' || type === 'dropQueue') {
        queue.queuedMessages = queue.queuedBytes = 0;
      }
    }
  }
  return { snapshot, steps, queue };
}

/** The socket of `attempt` opened (with the subprotocol `chat`). */
export const opened = (attempt = 1) => ({ type: 'socket.open', attempt, protocol: 'chat', extensions: '' }) as const;
export const send = (bytes: number) => ({ type: 'user.send', bytes }) as const;
/** The socket of `attempt` closed without a closing handshake. */
export const dropped = (attempt = 1) => ({ type: 'socket.close', attempt, code: 1006, reason: '', wasClean: false }) as const;
/** The timer `name` of `attempt` fired. */
export const expired = (name: TimerName, attempt = 1) => ({ type: `timer.${name}`, attempt }) as const;
