/**
 * The WebSocket connection lifecycle as a pure XState v5 statechart.
 *
 * It owns every lifecycle decision and nothing else: it opens no socket, runs no timer and
 * touches no payload. Side effects are named actions (`openSocket`, `flushQueue`,
 * `startTimer`...) whose implementations the shell supplies with `machine.provide(...)`; socket
 * facts and timer expiries come back as events tagged with the attempt they belong to. Because
 * it has no `invoke` and no `after`, this one definition is what runs in production, what the
 * diagrams in `diagrams/` draw, and what `xstate/graph` walks to generate tests.
 *
 * The states follow the WebSocket `readyState` (WHATWG WebSockets Standard,
 * https://websockets.spec.whatwg.org/#dom-websocket-readystate): `connecting` (0), `open` (1),
 * `closing` (2: `draining` before the closing handshake, `handshake` during it, `aborting` after
 * `close()` before open) and
 * `closed` (3). `closed` is not final: reconnection will leave it.
 */
import { and, assign, setup } from 'xstate';
import type {
  CloseCause,
  CloseInfo,
  ConnectionContext,
  ConnectionEvent,
  ConnectionInput,
  TimerName,
  TransportFailure,
  UndeliveredReason,
} from './connection.types.js';

/** The code a `CloseEvent` carries when the connection closed without a closing handshake (RFC 6455 §7.1.5). */
export const ABNORMAL_CLOSURE = 1006;

type EventOf<T extends ConnectionEvent['type']> = Extract<ConnectionEvent, { type: T }>;

/** Effects are supplied by the shell; these placeholders keep the machine runnable on its own. */
const effect = <Params = undefined>() => (_: unknown, _params: Params): void => {};

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actions: {
    /** Create the transport socket for this attempt; its events must carry `attempt`. */
    openSocket: effect<{ attempt: number }>(),
    /** Start the closing handshake with the code and reason `close()` was given. */
    closeSocket: effect<{ code: number | undefined; reason: string | undefined }>(),
    /** Drop the socket at once and stop listening to it (no closing handshake). */
    terminateSocket: effect(),
    /** Send `socket.drained` once everything handed to the socket has been written out. */
    watchDrain: effect<{ attempt: number }>(),
    startTimer: effect<{ timer: TimerName; attempt: number }>(),
    cancelTimer: effect<{ timer: TimerName }>(),
    /** Put the message of a `user.send` event at the back of the outbound queue. */
    enqueueMessage: effect(),
    /** Hand the message of a `user.send` event to the open socket. */
    writeMessage: effect(),
    /** Report the message of a `user.send` event as undelivered. */
    rejectMessage: effect<{ reason: UndeliveredReason }>(),
    /** Hand every queued message to the open socket, oldest first. */
    flushQueue: effect(),
    /** Report every queued message as undelivered, oldest first, and empty the queue. */
    dropQueue: effect<{ reason: UndeliveredReason }>(),
    /** Report every message the socket accepted but had not written out as undelivered. */
    reportUnsent: effect<{ reason: UndeliveredReason }>(),
    emitOpen: effect(),
    emitError: effect<{ failure: TransportFailure }>(),
    emitClose: effect<{ closeInfo: CloseInfo }>(),

    countQueuedMessage: assign({
      queuedMessages: ({ context }) => context.queuedMessages + 1,
      queuedBytes: ({ context, event }) => context.queuedBytes + (event as EventOf<'user.send'>).bytes,
    }),
    clearQueuedCounts: assign({ queuedMessages: 0, queuedBytes: 0 }),
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
  },
  guards: {
    /** The one check that makes events from a socket or timer the machine has left behind harmless. */
    isCurrentAttempt: ({ context, event }) => 'attempt' in event && event.attempt === context.attempt,
    queueHasRoom: ({ context, event }) =>
      context.queuedMessages < context.maxQueuedMessages &&
      context.queuedBytes + (event as EventOf<'user.send'>).bytes <= context.maxQueuedBytes,
    isFirstFailure: ({ context }) => context.failure === undefined,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    url: input.url,
    attempt: 1,
    maxQueuedMessages: input.maxQueuedMessages,
    maxQueuedBytes: input.maxQueuedBytes,
    queuedMessages: 0,
    queuedBytes: 0,
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
        { type: 'startTimer', params: ({ context }) => ({ timer: 'connect', attempt: context.attempt }) },
      ],
      exit: [{ type: 'cancelTimer', params: { timer: 'connect' } }],
      on: {
        'user.send': [
          { guard: 'queueHasRoom', actions: ['enqueueMessage', 'countQueuedMessage'] },
          { actions: [{ type: 'rejectMessage', params: { reason: 'queue-full' } }] },
        ],
        // Flush before the open event reaches listeners, so anything they send goes after.
        'socket.open': {
          guard: 'isCurrentAttempt',
          target: 'open',
          actions: ['recordOpen', 'flushQueue', 'clearQueuedCounts', 'emitOpen'],
        },
        // A failed connect is always error, then close 1006 (WHATWG WebSockets Standard,
        // "fail the WebSocket connection"), whichever of error and close the transport reports
        // first, or alone. Whatever it reports afterwards finds the machine in `closed`.
        'socket.error': {
          guard: 'isCurrentAttempt',
          target: 'closed',
          actions: failConnect(({ event }) => (event as EventOf<'socket.error'>).failure),
        },
        'socket.close': {
          guard: 'isCurrentAttempt',
          target: 'closed',
          actions: failConnect(() => ({ cause: 'connection-lost', message: 'The connection closed before it opened' })),
        },
        'timer.connect': {
          guard: 'isCurrentAttempt',
          target: 'closed',
          actions: failConnect(() => ({ cause: 'connect-timeout', message: 'The connection did not open in time' })),
        },
        // As on the platform, readyState reads CLOSING until the transport confirms the abort.
        'user.close': { target: 'closing.aborting', actions: 'recordCloseRequest' },
      },
    },

    open: {
      on: {
        // The shell's fast path does exactly this without dispatching; property tests hold them equal.
        'user.send': { actions: 'writeMessage' },
        'user.close': { target: 'closing', actions: 'recordCloseRequest' },
        'socket.error': {
          guard: 'isCurrentAttempt',
          target: 'closing.handshake',
          actions: reportFailure(),
        },
        'socket.close': { guard: 'isCurrentAttempt', target: 'closed', actions: finishClose() },
      },
    },

    closing: {
      initial: 'draining',
      on: {
        'user.send': { actions: [{ type: 'rejectMessage', params: { reason: 'closing' } }] },
        // Reported once; the transport's close follows. Targetless, so an error during the
        // handshake does not restart it (and its timer).
        'socket.error': { guard: and(['isCurrentAttempt', 'isFirstFailure']), actions: reportFailure() },
        'socket.close': { guard: 'isCurrentAttempt', target: 'closed', actions: finishClose() },
      },
      states: {
        // Drain before close: the closing handshake waits until everything handed to the socket
        // has been written out, so a close right after a large send loses nothing.
        draining: {
          entry: [
            { type: 'startTimer', params: ({ context }) => ({ timer: 'drain', attempt: context.attempt }) },
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
              target: '#connection.closed',
              actions: dropSocket('drain-timeout', 'drain-timeout'),
            },
          },
        },
        // close() before open: the attempt is abandoned, and ends as a failed connect would.
        aborting: {
          entry: [
            { type: 'closeSocket', params: { code: undefined, reason: undefined } },
            { type: 'startTimer', params: ({ context }) => ({ timer: 'close', attempt: context.attempt }) },
          ],
          exit: [{ type: 'cancelTimer', params: { timer: 'close' } }],
          on: {
            'socket.error': { guard: 'isCurrentAttempt', target: '#connection.closed', actions: failConnect(aborted) },
            'socket.close': { guard: 'isCurrentAttempt', target: '#connection.closed', actions: failConnect(aborted) },
            'timer.close': { guard: 'isCurrentAttempt', target: '#connection.closed', actions: failConnect(aborted) },
          },
        },
        handshake: {
          entry: [
            {
              type: 'closeSocket',
              params: ({ context }) => ({ code: context.closeRequest?.code, reason: context.closeRequest?.reason }),
            },
            { type: 'startTimer', params: ({ context }) => ({ timer: 'close', attempt: context.attempt }) },
          ],
          exit: [{ type: 'cancelTimer', params: { timer: 'close' } }],
          on: {
            'timer.close': {
              guard: 'isCurrentAttempt',
              target: '#connection.closed',
              actions: dropSocket('close-timeout', 'connection-lost'),
            },
          },
        },
      },
    },

    closed: {
      on: {
        'user.send': { actions: [{ type: 'rejectMessage', params: { reason: 'closed' } }] },
      },
    },
  },
});

type Args = { context: ConnectionContext; event: ConnectionEvent };

function aborted(): TransportFailure {
  return { cause: 'aborted', message: 'close() was called before the connection opened' };
}

/** Error, then every queued message reported undelivered, then close 1006: the attempt is over. */
function failConnect(failureOf: (args: Args) => TransportFailure) {
  return [
    { type: 'recordFailure', params: failureOf },
    'terminateSocket',
    { type: 'emitError', params: ({ context }: Args) => ({ failure: context.failure! }) },
    { type: 'dropQueue', params: { reason: 'closed-before-open' } },
    'clearQueuedCounts',
    {
      type: 'recordClose',
      params: ({ context }: Args) => abnormalClose(context.failure!.cause),
    },
    { type: 'emitClose', params: ({ context }: Args) => ({ closeInfo: context.closeInfo! }) },
  ] as const;
}

/** An error while open or closing: report it once; the transport's close follows. */
function reportFailure() {
  return [
    { type: 'recordFailure', params: ({ event }: Args) => (event as EventOf<'socket.error'>).failure },
    { type: 'emitError', params: ({ context }: Args) => ({ failure: context.failure! }) },
  ] as const;
}

/** The transport closed: account for what it never wrote out, then report the close. */
function finishClose() {
  return [
    {
      type: 'reportUnsent',
      params: ({ event }: Args): { reason: UndeliveredReason } => ({
        reason: (event as EventOf<'socket.close'>).wasClean ? 'closed' : 'connection-lost',
      }),
    },
    {
      type: 'recordClose',
      params: ({ context, event }: Args): CloseInfo => {
        const { code, reason, wasClean } = event as EventOf<'socket.close'>;
        const cause: CloseCause = context.failure?.cause ?? (wasClean ? 'normal' : 'connection-lost');
        return { code, reason, wasClean, cause };
      },
    },
    { type: 'emitClose', params: ({ context }: Args) => ({ closeInfo: context.closeInfo! }) },
  ] as const;
}

/** A timeout while closing: drop the socket and report what it never wrote out. */
function dropSocket(cause: CloseCause, unsentReason: UndeliveredReason) {
  return [
    'terminateSocket',
    { type: 'reportUnsent', params: { reason: unsentReason } },
    { type: 'recordClose', params: abnormalClose(cause) },
    { type: 'emitClose', params: ({ context }: Args) => ({ closeInfo: context.closeInfo! }) },
  ] as const;
}

function abnormalClose(cause: CloseCause): CloseInfo {
  return { code: ABNORMAL_CLOSURE, reason: '', wasClean: false, cause };
}

export type ConnectionMachine = typeof connectionMachine;
