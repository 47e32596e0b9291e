/**
 * Deliberately broken variants of the production code, one for each property invariant: each
 * must make the property that states the invariant fail (`mutants.test.ts`). None changes
 * production code: each replaces one module of the shell or the machine in the module graph
 * (`test/support/plant.ts`) with a variant that differs in one effect, one mapping or one
 * transition, as if that file had been broken.
 */
import { createMachine } from 'xstate';
import type { ConnectionStateName } from '../../src/connection-events.js';
import { QueuedMessage } from '../../src/outgoing.js';
import { plantEffects, plantEvents, plantMachine } from '../support/plant.js';

type InvariantName =
  | 'nothingLost'
  | 'readyStateFollowsMachine'
  | 'bufferedAmountAccounts'
  | 'queueWithinBounds'
  | 'bufferWithinCap'
  | 'fastPathIsTheMachine'
  | 'conformsToMachine'
  | 'perAttempt'
  | 'oneLiveSocket'
  | 'neverAfterClose'
  | 'retryAccounting'
  | 'nothingLeftBehind';

export interface PlantedBug {
  /** What is broken, as a sentence that follows "the shell" or "the machine". */
  readonly name: string;
  /** The invariant whose property must catch it. */
  readonly invariant: InvariantName;
  /** What the invariant's failure must say, so that it is caught for its own reason. */
  readonly says: RegExp;
  /** Whether the reconnecting worlds are the ones that reach it. */
  readonly reconnecting?: boolean;
  /** Replaces the module, before the property's modules are imported. */
  readonly plant: () => void;
}

export const plantedBugs: readonly PlantedBug[] = [
  {
    name: 'forgets the newest queued message when it drops the queue',
    invariant: 'nothingLost',
    says: /had no fate/,
    plant: plantEffects(() => ({
      dropQueue: (engine, { reason }) => {
        for (const message of engine.queue?.drain().slice(0, -1) ?? []) engine.reportUndelivered(message.original, reason);
      },
    })),
  },
  {
    name: 'reads CONNECTING while it aborts an attempt',
    invariant: 'readyStateFollowsMachine',
    says: /readyState is 0; the machine's state closing\.aborting is 2/,
    plant: plantEvents((original) => ({
      readyStateOfName: (name: ConnectionStateName) => (name === 'closing.aborting' ? 0 : original.readyStateOfName(name)),
    })),
  },
  {
    name: 'counts a byte too many for each queued message',
    invariant: 'bufferedAmountAccounts',
    says: /bufferedAmount is \d+; queued/,
    plant: plantEffects(() => ({
      enqueueMessage: (engine, _, { event }, message) =>
        engine.outbound().push(QueuedMessage.of(message!), (event as { bytes: number }).bytes + 1),
    })),
  },
  {
    name: "admits every send while connecting, whatever the queue's bounds",
    invariant: 'queueWithinBounds',
    says: /messages queued; maxQueuedMessages is|bytes queued; maxQueuedBytes is/,
    plant: plantMachine((machine) => machine.provide({ guards: { queueHasRoom: () => true } })),
  },
  {
    name: 'hands the open socket every send, whatever maxBufferedBytes says',
    invariant: 'bufferWithinCap',
    says: /bytes held; maxBufferedBytes is/,
    plant: plantMachine((machine) => machine.provide({ guards: { bufferHasRoom: () => true } })),
  },
  {
    name: 'writes each message sent while open twice',
    invariant: 'fastPathIsTheMachine',
    says: /to deeply equal/,
    plant: plantEffects((original) => ({
      writeMessage: (engine, params, step, message) => {
        original.writeMessage(engine, params, step, message);
        original.writeMessage(engine, params, step, message);
      },
    })),
  },
  {
    name: 'announces every reconnect as immediate',
    invariant: 'conformsToMachine',
    says: /to deeply equal/,
    plant: plantEffects(() => ({
      emitReconnecting: (engine, { attempt, retry }) => engine.sequencer.post('reconnecting', { attempt, retry, delay: 0 }),
    })),
  },
  {
    name: 'reports the last close of a connection twice',
    invariant: 'perAttempt',
    says: /close after the final close|close events for/,
    reconnecting: true,
    plant: plantEffects((original) => ({
      emitClose: (engine, params, step, message) => {
        original.emitClose(engine, params, step, message);
        if (!params.willReconnect) original.emitClose(engine, params, step, message);
      },
    })),
  },
  {
    name: 'leaves a timed-out socket live when it drops it',
    invariant: 'oneLiveSocket',
    says: /sockets live at once|opened while/,
    reconnecting: true,
    plant: plantEffects(() => ({ terminateSocket: () => {} })),
  },
  {
    name: 'opens the next attempt when close() ends the wait for it',
    invariant: 'neverAfterClose',
    says: /opened at .* after close\(\)/,
    reconnecting: true,
    plant: plantMachine((machine) => {
      const { config } = machine;
      const reconnecting = config.states!.reconnecting!;
      const states = {
        ...config.states,
        reconnecting: {
          ...reconnecting,
          on: { ...reconnecting.on, 'user.close': { target: 'connecting', actions: 'recordCloseRequest' } },
        },
      };
      return createMachine({ ...config, states } as never, machine.implementations as never) as never;
    }),
  },
  {
    name: 'waits out the ceiling of the next reconnect instead of this one',
    invariant: 'retryAccounting',
    // Drawn below the next ceiling, the wait is past this one's, or (with jitter) at it exactly.
    says: /before retry \d+(, outside|: not a whole number of ms below)/,
    reconnecting: true,
    plant: plantEffects((original) => ({
      startTimer: (engine, params, step, message) =>
        original.startTimer(engine, params.timer === 'retry' ? { ...params, retry: params.retry + 1 } : params, step, message),
    })),
  },
  {
    name: 'leaves the heartbeat timer running when the connection ends',
    invariant: 'nothingLeftBehind',
    says: /timers still pending once/,
    plant: plantEffects((original) => ({
      cancelTimer: (engine, params, step, message) => {
        if (params.timer !== 'ping') original.cancelTimer(engine, params, step, message);
      },
    })),
  },
];
