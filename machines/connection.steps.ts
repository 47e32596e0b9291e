/**
 * The action sequences the connection machine's transitions share, as plain data: how a failed
 * connect is reported, how a close is recorded, how a dead socket is dropped, what ending for
 * good does. Kept apart so the machine file reads as its states; the order inside each sequence
 * is the order the application observes.
 */
import type {
  CloseCause,
  CloseInfo,
  ConnectionContext,
  ConnectionEvent,
  TimerName,
  TransportFailure,
  UndeliveredReason,
} from './connection.types.js';

/** What the queue bound reads: how much is queued, and the limits. */
export interface QueueCounts {
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
}

/**
 * Whether `messages` more messages of `bytes` bytes in all fit the queue. The machine's guard,
 * and the rule by which the shell admits sends before it tells the machine (the two must agree,
 * so there is one).
 */
export function queueHasRoom(counts: QueueCounts, messages: number, bytes: number): boolean {
  return counts.queuedMessages + messages <= counts.maxQueuedMessages && counts.queuedBytes + bytes <= counts.maxQueuedBytes;
}

/** The code a `CloseEvent` carries when the connection closed without a closing handshake (RFC 6455 §7.1.5). */
export const ABNORMAL_CLOSURE = 1006;

type EventOf<T extends ConnectionEvent['type']> = Extract<ConnectionEvent, { type: T }>;

type Args = { context: ConnectionContext; event: ConnectionEvent };

/** The params of `startTimer` for `name`, on the attempt (and retry count) the machine is at. */
export function timer(name: TimerName, context: ConnectionContext) {
  return { timer: name, attempt: context.attempt, retry: context.retries };
}

/** While no socket is open: queue what fits, report the rest `queue-full`. */
export function queueOrReject() {
  return [
    { guard: 'queueHasRoom', actions: ['enqueueMessage', 'countQueuedMessage'] },
    { actions: [{ type: 'rejectMessage', params: { reason: 'queue-full' } }] },
  ] as const;
}

export function aborted(): TransportFailure {
  return { cause: 'aborted', message: 'close() was called before the connection opened' };
}

/** Error, then close 1006: the attempt failed before it opened. The queue waits for the decision. */
export function failConnect(failureOf: (args: Args) => TransportFailure) {
  return [
    { type: 'recordFailure', params: failureOf },
    'terminateSocket',
    { type: 'emitError', params: ({ context }: Args) => ({ failure: context.failure! }) },
    {
      type: 'recordClose',
      params: ({ context }: Args) => abnormalClose(context.failure!.cause, context.failure!.status),
    },
  ] as const;
}

/** An error while open or closing: report it once; the transport's close follows. */
export function reportFailure() {
  return [
    { type: 'recordFailure', params: ({ event }: Args) => (event as EventOf<'socket.error'>).failure },
    { type: 'emitError', params: ({ context }: Args) => ({ failure: context.failure! }) },
  ] as const;
}

/** The transport closed: account for what it never wrote out, then record the close. */
export function finishClose() {
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
  ] as const;
}

/** A timeout while open or closing: drop the socket and report what it never wrote out. */
export function dropSocket(cause: CloseCause, unsentReason: UndeliveredReason) {
  return [
    'terminateSocket',
    { type: 'reportUnsent', params: { reason: unsentReason } },
    { type: 'recordClose', params: () => abnormalClose(cause) },
  ] as const;
}

/** Ping, and give the pong `heartbeatTimeout` to come back. */
export function probe() {
  return ['sendPing', 'recordPing', { type: 'startTimer', params: ({ context }: Args) => timer('pong', context) }] as const;
}

/** The network changed under an open socket: check it now rather than at the next ping. */
export function probeNow() {
  return { guard: 'canProbe', actions: [{ type: 'cancelTimer', params: { timer: 'ping' } }, ...probe()] } as const;
}

/** No attempt follows: every queued message is reported, then the close, then the promise settles. */
export function endForGood() {
  return [
    { type: 'dropQueue', params: { reason: 'closed-before-open' } },
    'clearQueuedCounts',
    { type: 'emitClose', params: ({ context }: Args) => ({ closeInfo: context.closeInfo!, willReconnect: false }) },
    settle(),
  ] as const;
}

/** Settle the `closed` promise with how the last attempt ended. */
export function settle() {
  return { type: 'settle', params: ({ context }: Args) => ({ closeInfo: context.closeInfo }) } as const;
}

/** A close without a closing handshake: code 1006, not clean. */
export function abnormalClose(cause: CloseCause, status?: number): CloseInfo {
  return { code: ABNORMAL_CLOSURE, reason: '', wasClean: false, cause, ...(status === undefined ? {} : { status }) };
}

