/**
 * The WebSocket connection lifecycle as a pure XState v5 statechart.
 *
 * It owns every lifecycle decision and nothing else: it opens no socket, runs no timer and
 * touches no payload. Side effects are named actions (`openSocket`, `flushQueue`,
 * `startTimer`...) whose implementations the shell supplies with `machine.provide(...)`; socket
 * facts, timer expiries and what the environment says about the network come back as events,
 * those of sockets and timers tagged with the attempt they belong to. Because it has no
 * `invoke` and no `after`, this one definition is what runs in production, what the diagrams in
 * `diagrams/` draw, and what `xstate/graph` walks to generate tests.
 *
 * The states follow the WebSocket `readyState` (WHATWG WebSockets Standard,
 * https://websockets.spec.whatwg.org/#dom-websocket-readystate): `connecting` (0), `open` (1),
 * `closing` (2: `draining` before the closing handshake, `handshake` during it, `aborting` after
 * `close()` before open) and `closed` (3). Reconnection adds `reconnecting` (0: the wait before
 * the next attempt, during which `send()` still queues) and `gaveUp` (3: the attempts ended and
 * the policy or `maxRetries` ruled out another). Every attempt ends through `attemptEnded`,
 * which decides what follows, so that the attempt's one `close` event can say so.
 */
import { and, assign, enqueueActions, not, setup } from 'xstate';
import type {
  CloseInfo,
  ConnectionContext,
  ConnectionEvent,
  ConnectionInput,
  GiveUpReason,
  TimerName,
  TransportFailure,
  UndeliveredReason,
} from './connection.types.js';
import { isRetryableClose } from './reconnect-policy.js';
import {
  aborted,
  bufferHasRoom,
  dropSocket,
  endForGood,
  failConnect,
  finishClose,
  probe,
  probeNow,
  queueHasRoom,
  queueOrReject,
  reportFailure,
  reportUnsent,
  settle,
  timer,
  unsentReason,
  willReconnect,
  writeOrReject,
} from './connection.steps.js';

export { ABNORMAL_CLOSURE, bufferHasRoom, queueHasRoom, unsentReason, type QueueFill, type QueueLimits } from './connection.steps.js';

type EventOf<T extends ConnectionEvent['type']> = Extract<ConnectionEvent, { type: T }>;

/**
 * Effects are supplied by the shell; these placeholders keep the machine runnable on its own.
 * `Params` is all they declare: the parameters the machine gives the effect.
 */
// Stryker disable next-line ArrowFunction: equivalent. No placeholder ever runs in the shell, which provides every effect (`src/engine.ts`); and where one would (the machine run on its own), XState treats an action with no implementation as one whose implementation does nothing: `transition()` returns it and inspectors see it with the same type and params, and nothing else happens either way.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the type parameter is the declaration
const effect = <Params = undefined>(): ((args: unknown, params: Params) => void) => noEffect;

function noEffect(): void {}

/**
 * The side effects the machine asks for, by name, with the parameters each is given. The shell
 * implements exactly these (`src/effects.ts` is typed from this object); everything else the
 * machine does is an `assign` to its own context.
 */
// Stryker disable next-line ObjectLiteral: equivalent, as for `effect` above: with no placeholders the machine asks for the same effects with the same params, and the shell performs them; at run time the object is read only to register the placeholders (its keys type `ConnectionEffects`, which only TypeScript reads).
const effects = {
  /** Create the transport socket for this attempt; its events must carry `attempt`. */
  openSocket: effect<{ attempt: number }>(),
  /** Start the closing handshake with the code and reason `close()` was given. */
  closeSocket: effect<{ code: number | undefined; reason: string | undefined }>(),
  /** Drop the socket at once and stop listening to it (no closing handshake). */
  terminateSocket: effect(),
  /** Send `socket.drained` once everything handed to the socket has been written out. */
  watchDrain: effect<{ attempt: number }>(),
  /** Ask the peer for a sign of life: a protocol ping, or the application's ping message. */
  sendPing: effect(),
  /**
   * Start `timer`; `retry` is the index of the reconnect the `retry` timer waits for. `wake`:
   * the `retry` timer started again because the device woke, whose wait is drawn below the
   * first reconnect's ceiling (`minReconnectDelay`), whatever `retry` is.
   */
  startTimer: effect<{ timer: TimerName; attempt: number; retry: number; wake?: boolean }>(),
  cancelTimer: effect<{ timer: TimerName }>(),
  /** Put the message of a `user.send` at the back of the outbound queue. */
  enqueueMessage: effect(),
  /** Hand the message of a `user.send` to the open socket. */
  writeMessage: effect(),
  /** Report the message of a `user.send` as undelivered. */
  rejectMessage: effect<{ reason: UndeliveredReason }>(),
  /** Hand every queued message to the open socket, oldest first. */
  flushQueue: effect(),
  /** Report every queued message as undelivered, oldest first, and empty the queue. */
  dropQueue: effect<{ reason: UndeliveredReason }>(),
  /** Report every message the ended attempt's socket accepted but had not written out as undelivered. */
  reportUnsent: effect<{ reason: UndeliveredReason }>(),
  /**
   * Queue again, oldest first and ahead of anything sent later, every message the dropped
   * socket accepted but had not written out, as far as `queueHasRoom` admits them; report the
   * rest `queue-full`.
   */
  requeueUnsent: effect(),
  emitOpen: effect(),
  emitError: effect<{ failure: TransportFailure }>(),
  /** Report how the attempt ended, and whether another attempt follows. */
  emitClose: effect<{ closeInfo: CloseInfo; willReconnect: boolean }>(),
  /** Report the wait before attempt `attempt` (the `retry`-th reconnect). */
  emitReconnecting: effect<{ attempt: number; retry: number }>(),
  emitGiveUp: effect<{ reason: GiveUpReason; closeInfo: CloseInfo }>(),
  /** The connection is over for good: settle what `close()` and `closed` promised, with how the last attempt ended. */
  settle: effect<{ closeInfo: CloseInfo | undefined }>(),
};

/** The machine's effects: their names, and the parameters each receives. */
export type ConnectionEffects = { readonly [K in keyof typeof effects]: Parameters<(typeof effects)[K]>[1] };

export const connectionMachine = setup({
  // Stryker disable next-line ObjectLiteral: equivalent. `types` exists for TypeScript only: XState never reads it at run time.
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actions: {
    ...effects,

    recordOpen: assign(({ event }) => {
      const { protocol, extensions } = event as EventOf<'socket.open'>;
      return { protocol, extensions };
    }),
    recordCloseRequest: assign(({ event }) => {
      const { code, reason } = event as EventOf<'user.close'>;
      return { closeRequest: { ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) } };
    }),
    recordFailure: assign((_, failure: TransportFailure) => ({ failure })),
    recordClose: assign((_, closeInfo: CloseInfo) => ({ closeInfo })),
    /** A new attempt: a new identity, so the old socket's and timers' late events are ignored. */
    beginRetry: assign(({ context }) => ({
      attempt: context.attempt + 1,
      retries: context.retries + 1,
      redrawnOnWake: false,
      failure: undefined,
      protocol: '',
      extensions: '',
      awaitingPong: false,
    })),
    resetRetries: assign({ retries: 0 }),
    recordWakeRedraw: assign({ redrawnOnWake: true }),
    recordPing: assign({ awaitingPong: true }),
    recordPong: assign({ awaitingPong: false }),
  },
  guards: {
    /** The one check that makes events from a socket or timer the machine has left behind harmless. */
    isCurrentAttempt: ({ context, event }) => 'attempt' in event && event.attempt === context.attempt,
    queueHasRoom: ({ context, event }) => {
      const send = event as EventOf<'user.send'>;
      return queueHasRoom(context, send, send.bytes);
    },
    bufferHasRoom: ({ context, event }) => {
      const send = event as EventOf<'user.send'>;
      return bufferHasRoom(context.maxBufferedBytes, send.bufferedBytes, send.bytes);
    },
    isFirstFailure: ({ context }) => context.failure === undefined,
    isAwaitingPong: ({ context }) => context.awaitingPong,
    /** Whether a wake already replaced this reconnect wait with a fresh draw: once per wait. */
    hasRedrawnOnWake: ({ context }) => context.redrawnOnWake,
    /** Whether the heartbeat can probe the socket now: it is on, and no ping is already out. */
    canProbe: ({ context }) => context.heartbeat && !context.awaitingPong,
    /** Whether the application ended the connection (`close()`), which no reconnect overrides. */
    wasClosedByUser: ({ context }) => context.closeRequest !== undefined,
    mayReconnect: ({ context }) => context.reconnect,
    /** The close-code policy; `shouldReconnect` replaces it through `machine.provide({ guards })`. */
    isRetryable: ({ context }) => isRetryableClose(context.closeInfo!),
    hasRetriesLeft: ({ context }) => context.retries < context.maxRetries,
    /** At-least-once: what a dropped connection never confirmed writing is sent again on the next. */
    resendsUnsent: ({ context }) => context.resendUnconfirmed && unsentReason(context.closeInfo!) === 'connection-lost',
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    url: input.url,
    attempt: 1,
    retries: 0,
    maxQueuedMessages: input.maxQueuedMessages,
    maxQueuedBytes: input.maxQueuedBytes,
    maxBufferedBytes: input.maxBufferedBytes,
    reconnect: input.reconnect,
    maxRetries: input.maxRetries,
    heartbeat: input.heartbeat,
    resendUnconfirmed: input.resendUnconfirmed,
    awaitingPong: false,
    redrawnOnWake: false,
    closeRequest: undefined,
    failure: undefined,
    protocol: '',
    extensions: '',
    closeInfo: undefined,
  }),
  initial: 'connecting',
  states: {
    connecting: {
      entry: [
        { type: 'openSocket', params: ({ context }) => ({ attempt: context.attempt }) },
        { type: 'startTimer', params: ({ context }) => timer('connect', context) },
      ],
      exit: [{ type: 'cancelTimer', params: { timer: 'connect' } }],
      on: {
        'user.send': queueOrReject(),
        // Flush before the open event reaches listeners, so anything they send goes after.
        'socket.open': {
          guard: 'isCurrentAttempt',
          target: 'open',
          actions: ['recordOpen', 'flushQueue', 'emitOpen'],
        },
        // A failed connect is always error, then close 1006 (WHATWG WebSockets Standard,
        // "fail the WebSocket connection"), whichever of error and close the transport reports
        // first, or alone. Whatever it reports afterwards is from an attempt left behind.
        'socket.error': {
          guard: 'isCurrentAttempt',
          target: 'attemptEnded',
          actions: failConnect(({ event }) => (event as EventOf<'socket.error'>).failure),
        },
        'socket.close': {
          guard: 'isCurrentAttempt',
          target: 'attemptEnded',
          actions: failConnect(() => ({ cause: 'connection-lost', message: 'The connection closed before it opened' })),
        },
        'timer.connect': {
          guard: 'isCurrentAttempt',
          target: 'attemptEnded',
          actions: failConnect(() => ({ cause: 'connect-timeout', message: 'The connection did not open in time' })),
        },
        // As on the platform, readyState reads CLOSING until the transport confirms the abort.
        'user.close': { target: 'closing.aborting', actions: 'recordCloseRequest' },
      },
    },

    // Kept atomic: the shell's fast path for send() and inbound messages reads `value === 'open'`.
    open: {
      entry: enqueueActions(({ context, enqueue }) => {
        // The retry count resets only once the connection has proved itself, so a server that
        // accepts and at once drops every connection still meets the backoff and `maxRetries`.
        if (context.reconnect) enqueue({ type: 'startTimer', params: timer('stable', context) });
        if (context.heartbeat) enqueue({ type: 'startTimer', params: timer('ping', context) });
      }),
      exit: [
        { type: 'cancelTimer', params: { timer: 'stable' } },
        { type: 'cancelTimer', params: { timer: 'ping' } },
        { type: 'cancelTimer', params: { timer: 'pong' } },
      ],
      on: {
        // The shell performs this without stepping the machine (send-plan.ts); property tests hold them equal.
        'user.send': writeOrReject(),
        'user.close': { target: 'closing', actions: 'recordCloseRequest' },
        'socket.error': {
          guard: 'isCurrentAttempt',
          target: 'closing.handshake',
          actions: reportFailure(),
        },
        'socket.close': { guard: 'isCurrentAttempt', target: 'attemptEnded', actions: finishClose() },
        'timer.stable': { guard: 'isCurrentAttempt', actions: 'resetRetries' },
        'timer.ping': { guard: 'isCurrentAttempt', actions: probe() },
        'socket.pong': {
          guard: and(['isCurrentAttempt', 'isAwaitingPong']),
          actions: [
            'recordPong',
            { type: 'cancelTimer', params: { timer: 'pong' } },
            { type: 'startTimer', params: ({ context }) => timer('ping', context) },
          ],
        },
        // No answer: the socket is dead (a sleeping laptop, a proxy that silently dropped it),
        // and a dead socket's closing handshake would only time out too.
        'timer.pong': {
          guard: 'isCurrentAttempt',
          target: 'attemptEnded',
          actions: dropSocket('heartbeat-timeout'),
        },
        // The network changed under the socket: check it now rather than at the next ping.
        'env.wake': probeNow(),
        'env.offline': probeNow(),
      },
    },

    closing: {
      initial: 'draining',
      on: {
        'user.send': { actions: [{ type: 'rejectMessage', params: { reason: 'closing' } }] },
        // Reported once; the transport's close follows. Targetless, so an error during the
        // handshake does not restart it (and its timer).
        'socket.error': { guard: and(['isCurrentAttempt', 'isFirstFailure']), actions: reportFailure() },
        'socket.close': { guard: 'isCurrentAttempt', target: 'attemptEnded', actions: finishClose() },
        // Closing after an error, not after close(): the handshake under way stays as it is,
        // but close() must still end the connection for good, with no reconnect after it.
        'user.close': { guard: not('wasClosedByUser'), actions: 'recordCloseRequest' },
      },
      states: {
        // Drain before close: the closing handshake waits until everything handed to the socket
        // has been written out, so a close right after a large send loses nothing.
        draining: {
          entry: [
            { type: 'startTimer', params: ({ context }) => timer('drain', context) },
            { type: 'watchDrain', params: ({ context }) => ({ attempt: context.attempt }) },
          ],
          exit: [{ type: 'cancelTimer', params: { timer: 'drain' } }],
          on: {
            'socket.drained': { guard: 'isCurrentAttempt', target: 'handshake' },
            // A failing socket will not drain: wait for its close instead, bounded by the close timer.
            'socket.error': {
              guard: and(['isCurrentAttempt', 'isFirstFailure']),
              target: 'handshake',
              actions: reportFailure(),
            },
            'timer.drain': {
              guard: 'isCurrentAttempt',
              target: '#connection.attemptEnded',
              actions: dropSocket('drain-timeout'),
            },
          },
        },
        // close() before open: the attempt is abandoned, and ends as a failed connect would.
        aborting: {
          entry: [
            { type: 'closeSocket', params: { code: undefined, reason: undefined } },
            { type: 'startTimer', params: ({ context }) => timer('close', context) },
          ],
          exit: [{ type: 'cancelTimer', params: { timer: 'close' } }],
          on: {
            'socket.error': { guard: 'isCurrentAttempt', target: '#connection.attemptEnded', actions: failConnect(aborted) },
            'socket.close': { guard: 'isCurrentAttempt', target: '#connection.attemptEnded', actions: failConnect(aborted) },
            'timer.close': { guard: 'isCurrentAttempt', target: '#connection.attemptEnded', actions: failConnect(aborted) },
          },
        },
        handshake: {
          entry: [
            {
              type: 'closeSocket',
              params: ({ context }) => ({ code: context.closeRequest?.code, reason: context.closeRequest?.reason }),
            },
            { type: 'startTimer', params: ({ context }) => timer('close', context) },
          ],
          exit: [{ type: 'cancelTimer', params: { timer: 'close' } }],
          on: {
            'timer.close': {
              guard: 'isCurrentAttempt',
              target: '#connection.attemptEnded',
              actions: dropSocket('close-timeout'),
            },
          },
        },
      },
    },

    // Every attempt ends here, its error reported and its close recorded but not yet emitted:
    // what follows decides what the close event says, and what becomes of the queue and of
    // what the socket never wrote out.
    attemptEnded: {
      always: [
        // close() ends everything; nothing overrides it.
        { guard: 'wasClosedByUser', target: 'closed', actions: endForGood() },
        { guard: not('mayReconnect'), target: 'closed', actions: endForGood() },
        // The policy is asked once: only this branch reads it.
        {
          guard: not('isRetryable'),
          target: 'gaveUp',
          actions: [
            ...endForGood(),
            { type: 'emitGiveUp', params: ({ context }) => ({ reason: 'not-retryable', closeInfo: context.closeInfo! }) },
          ],
        },
        {
          guard: not('hasRetriesLeft'),
          target: 'gaveUp',
          actions: [
            ...endForGood(),
            { type: 'emitGiveUp', params: ({ context }) => ({ reason: 'max-retries', closeInfo: context.closeInfo! }) },
          ],
        },
        // The queue survives, in order, for the next attempt; with `resendUnconfirmed`, behind
        // what the dropped socket never confirmed writing.
        { guard: 'resendsUnsent', target: 'reconnecting', actions: ['requeueUnsent', willReconnect()] },
        { target: 'reconnecting', actions: [reportUnsent(), willReconnect()] },
      ],
    },

    // The wait before the next attempt: readyState 0, since send() still queues.
    reconnecting: {
      entry: [
        'beginRetry',
        { type: 'startTimer', params: ({ context }) => timer('retry', context) },
        { type: 'emitReconnecting', params: ({ context }) => ({ attempt: context.attempt, retry: context.retries }) },
      ],
      exit: [{ type: 'cancelTimer', params: { timer: 'retry' } }],
      on: {
        'user.send': queueOrReject(),
        'timer.retry': { guard: 'isCurrentAttempt', target: 'connecting' },
        // The network is back (or the page visible again): the wait drawn while it was down may
        // have long to run, but every client of a server hears `online` at the same moment, and
        // ending the wait at once sends them all back together: the herd the jitter prevents.
        // So the rest of the wait is replaced by one fresh draw below the first ceiling
        // (`minReconnectDelay`), once per wait; a wake after that changes nothing.
        'env.wake': {
          guard: not('hasRedrawnOnWake'),
          actions: ['recordWakeRedraw', { type: 'startTimer', params: ({ context }) => ({ ...timer('retry', context), wake: true }) }],
        },
        // No socket is open, so there is no close to report: only the queue and the promise.
        'user.close': {
          target: 'closed',
          actions: ['recordCloseRequest', { type: 'dropQueue', params: { reason: 'closed-before-open' } }, settle()],
        },
      },
    },

    closed: {
      on: {
        'user.send': { actions: [{ type: 'rejectMessage', params: { reason: 'closed' } }] },
      },
    },

    // Like `closed`, but the application did not ask for it: the policy or `maxRetries` did.
    gaveUp: {
      on: {
        'user.send': { actions: [{ type: 'rejectMessage', params: { reason: 'closed' } }] },
      },
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;
