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

/** The queue's bounds (the machine's input). */
export interface QueueLimits {
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
}

/** How full the shell's queue is. */
export interface QueueFill {
  readonly queuedMessages: number;
  readonly queuedBytes: number;
}

/**
 * Whether one more message of `bytes` bytes fits a queue filled to `fill`. The machine's guard,
 * and the rule by which the shell queues again what a dropped socket never confirmed (the two
 * must agree, so there is one).
 */
export function queueHasRoom(limits: QueueLimits, fill: QueueFill, bytes: number): boolean {
  return fill.queuedMessages + 1 <= limits.maxQueuedMessages && fill.queuedBytes + bytes <= limits.maxQueuedBytes;
}

/**
 * What becomes of the messages a socket accepted and never wrote out, by how its attempt
 * ended: dropped after `close()` waited too long for them, written before a clean close (none
 * are left), or lost with a connection that dropped.
 */
export function unsentReason(close: CloseInfo): UndeliveredReason {
  if (close.cause === 'drain-timeout') return 'drain-timeout';
  return close.wasClean ? 'closed' : 'connection-lost';
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
    { guard: 'queueHasRoom', actions: 'enqueueMessage' },
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

/** The transport closed: record how. What it never wrote out waits for the decision in `attemptEnded`. */
export function finishClose() {
  return [
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

/** A timeout while open or closing: drop the socket, and record the close. */
export function dropSocket(cause: CloseCause) {
  return ['terminateSocket', { type: 'recordClose', params: () => abnormalClose(cause) }] as const;
}

/** Ping, and give the pong `heartbeatTimeout` to come back. */
export function probe() {
  return ['sendPing', 'recordPing', { type: 'startTimer', params: ({ context }: Args) => timer('pong', context) }] as const;
}

/** The network changed under an open socket: check it now rather than at the next ping. */
export function probeNow() {
  return { guard: 'canProbe', actions: [{ type: 'cancelTimer', params: { timer: 'ping' } }, ...probe()] } as const;
}

/** Every message the ended attempt's socket never wrote out is reported, by how the attempt ended. */
export function reportUnsent() {
  return { type: 'reportUnsent', params: ({ context }: Args) => ({ reason: unsentReason(context.closeInfo!) }) } as const;
}

/** No attempt follows: what the socket never wrote out and every queued message are reported, then the close, then the promise settles. */
export function endForGood() {
  return [
    reportUnsent(),
    { type: 'dropQueue', params: { reason: 'closed-before-open' } },
    { type: 'emitClose', params: ({ context }: Args) => ({ closeInfo: context.closeInfo!, willReconnect: false }) },
    settle(),
  ] as const;
}

/** Another attempt follows: the queue survives, in order, and the close says a reconnect follows. */
export function willReconnect() {
  return { type: 'emitClose', params: ({ context }: Args) => ({ closeInfo: context.closeInfo!, willReconnect: true }) } as const;
}

/** Settle the `closed` promise with how the last attempt ended. */
export function settle() {
  return { type: 'settle', params: ({ context }: Args) => ({ closeInfo: context.closeInfo }) } as const;
}

/** A close without a closing handshake: code 1006, not clean. */
export function abnormalClose(cause: CloseCause, status?: number): CloseInfo {
  return { code: ABNORMAL_CLOSURE, reason: '', wasClean: false, cause, ...(status === undefined ? {} : { status }) };
}
