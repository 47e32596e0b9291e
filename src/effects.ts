/**
 * What each of the machine's effects does: the shell's side of every action the machine names.
 * Typed from the machine's own declaration of its effects (`ConnectionEffects`), so an effect
 * added there, or a parameter changed, is a type error here until it is implemented.
 *
 * Every effect runs inside a machine step, for the connection being stepped. Public events are
 * posted, not emitted: listeners run once the step is over (see `sequencer.ts`).
 */
import { queueHasRoom, type ConnectionEffects } from '../machines/connection.machine.js';
import type { ConnectionContext, ConnectionEvent, TimerName } from '../machines/connection.types.js';
import { byteSizeOf, type OutgoingData } from './byte-length.js';
import type { ConnectionEngine } from './engine.js';
import { QueuedMessage } from './outgoing.js';
import type { ResolvedOptions } from './options.js';
import { backoffDelay } from './time.js';

/** The step an effect runs in: the machine's context as the step's assigns left it so far, and the event. */
export interface EffectStep {
  readonly context: ConnectionContext;
  readonly event: ConnectionEvent;
}

/**
 * One effect's implementation; `message` is the payload of the `send()` whose transition the
 * shell performs (see `send-plan.ts`), there for every send effect: the actor refuses a
 * `user.send` of its own (see `engine.ts`).
 */
export type Effect<Params> = (engine: ConnectionEngine, params: Params, step: EffectStep, message: OutgoingData | undefined) => void;

export type Effects = { readonly [K in keyof ConnectionEffects]: Effect<ConnectionEffects[K]> };

export const effects: Effects = {
  openSocket(engine, { attempt }) {
    engine.sockets.open(attempt);
  },
  closeSocket(engine, { code, reason }) {
    engine.sockets.close(code, reason);
  },
  terminateSocket(engine) {
    engine.sockets.terminate();
  },
  watchDrain(engine, { attempt }) {
    // Draining follows only `open`, whose socket exists.
    engine.sockets.socket!.whenDrained(() => engine.hear({ type: 'socket.drained', attempt }));
  },
  sendPing(engine) {
    engine.sockets.ping();
  },
  startTimer(engine, { timer, attempt, retry, wake }) {
    const options = engine.options;
    // Drawn only for the retry timer: `random` is the application's, and each draw is a jitter.
    // A wake draws below the first ceiling, as after a first drop, whatever the retry count.
    const delay =
      timer === 'retry'
        ? (engine.retryDelay = backoffDelay(wake ? 0 : retry - 1, options.backoff, options.random))
        : delayOf(options, timer);
    engine.timers.start(timer, delay, attempt);
  },
  cancelTimer(engine, { timer }) {
    engine.timers.cancel(timer);
  },

  enqueueMessage(engine, _, { event }, message) {
    engine.outbound().push(QueuedMessage.of(message!), sendOf(event).bytes);
  },
  writeMessage(engine, _, { event }, message) {
    engine.sockets.socket!.send(message!, sendOf(event).bytes, message!);
  },
  rejectMessage(engine, { reason }, _, message) {
    engine.reportUndelivered(message!, reason);
  },
  flushQueue(engine) {
    const queue = engine.queue;
    if (queue === undefined) return;
    const socket = engine.sockets.socket!;
    for (let size = queue.peekSize(); size !== undefined; size = queue.peekSize()) {
      const message = queue.shift()!;
      socket.send(message.wire, size, message.original);
    }
  },
  dropQueue(engine, { reason }) {
    const queue = engine.queue;
    if (queue === undefined) return;
    for (const message of queue.drain()) engine.reportUndelivered(message.original, reason);
  },
  reportUnsent(engine, { reason }) {
    for (const data of engine.sockets.takeUnsent()) engine.reportUndelivered(data, reason);
  },
  requeueUnsent(engine, _, { context }) {
    // The queue is empty here: it was flushed when the socket opened, and sends since went to the socket.
    const queue = engine.outbound();
    for (const data of engine.sockets.takeUnsent()) {
      const bytes = byteSizeOf(data);
      if (queueHasRoom(context, { queuedMessages: queue.length, queuedBytes: queue.bytes }, bytes))
        queue.push(QueuedMessage.of(data), bytes);
      else engine.reportUndelivered(data, 'queue-full');
    }
  },

  emitOpen(engine, _, { context }) {
    engine.sequencer.post('open', { protocol: context.protocol, extensions: context.extensions });
  },
  emitError(engine, { failure }) {
    engine.sequencer.post('error', failure);
  },
  emitClose(engine, { closeInfo, willReconnect }) {
    engine.sequencer.post('close', { ...closeInfo, willReconnect });
  },
  emitReconnecting(engine, { attempt, retry }) {
    engine.sequencer.post('reconnecting', { attempt, retry, delay: engine.retryDelay });
  },
  emitGiveUp(engine, { reason, closeInfo }) {
    engine.sequencer.post('giveup', { reason, close: closeInfo });
  },
  settle(engine, { closeInfo }) {
    engine.settle(closeInfo);
  },
};

/** How long each timer but `retry` (the backoff's) runs, from the options. */
function delayOf(options: ResolvedOptions, timer: Exclude<TimerName, 'retry'>): number {
  switch (timer) {
    case 'connect':
      return options.connectTimeout;
    case 'drain':
      return options.drainTimeout;
    case 'close':
      return options.closeTimeout;
    case 'stable':
      return options.minStableTime;
    case 'ping':
      return options.heartbeatInterval;
    case 'pong':
      return options.heartbeatTimeout;
  }
}

function sendOf(event: ConnectionEvent): Extract<ConnectionEvent, { type: 'user.send' }> {
  return event as Extract<ConnectionEvent, { type: 'user.send' }>;
}
