/**
 * The one way the tests write what a connection emitted: a public event as one short line, so
 * that an expected log and an observed one compare as lists of strings, and a failure reads as
 * the story of the connection. The oracle of the generated paths, the property tests and the
 * hand-written suites all use it.
 */
import type { CloseInfo } from '../../../machines/connection.types.js';
import type { ConnectionEventMap } from '../../connection-events.js';

/** A public event, as a listener receives it. */
export type AppEvent = {
  [K in keyof ConnectionEventMap]: { readonly type: K; readonly payload: ConnectionEventMap[K] };
}[keyof ConnectionEventMap];

/** How an attempt ended: `1006 handshake-failed 403 unclean`, `4000 "bye" normal clean`. */
export function formatClose({ code, reason, wasClean, cause, status }: CloseInfo): string {
  return `${code}${reason === '' ? '' : ` "${reason}"`} ${cause}${status === undefined ? '' : ` ${status}`} ${wasClean ? 'clean' : 'unclean'}`;
}

/** The suffix of a `close` event that another attempt follows. */
export const WILL_RECONNECT = '(will reconnect)';

/**
 * A public event as one line: `open`, `error <cause>[ <status>]`, `close <formatClose>[ (will
 * reconnect)]`, `reconnecting attempt <n> retry <r> in <ms>ms`, `giveup <reason> after
 * <formatClose>`, `undelivered <data> <reason>`, `message <data>`, `state <name>`, `backpressure <bufferedAmount>`, `ready <bufferedAmount>`.
 */
export function formatEvent(event: AppEvent): string {
  switch (event.type) {
    case 'open':
      return 'open';
    case 'error':
      return `error ${event.payload.cause}${event.payload.status === undefined ? '' : ` ${event.payload.status}`}`;
    case 'close':
      return `close ${formatClose(event.payload)}${event.payload.willReconnect ? ` ${WILL_RECONNECT}` : ''}`;
    case 'reconnecting':
      return `reconnecting attempt ${event.payload.attempt} retry ${event.payload.retry} in ${event.payload.delay}ms`;
    case 'giveup':
      return `giveup ${event.payload.reason} after ${formatClose(event.payload.close)}`;
    case 'undelivered':
      return `undelivered ${describeData(event.payload.data)} ${event.payload.reason}`;
    case 'message':
      return `message ${describeData(event.payload)}`;
    case 'state':
      return `state ${event.payload.state}`;
    case 'backpressure':
    case 'ready':
      return `${event.type} ${event.payload.bufferedAmount}`;
  }
}

/** A payload as a log shows it: a string as itself, anything else by its kind. */
export function describeData(data: unknown): string {
  return typeof data === 'string' ? data : Object.prototype.toString.call(data);
}

/** Every event `on` reports, from now on, as `formatEvent` lines, appended to the returned list. */
export function recordEvents(
  on: <K extends keyof ConnectionEventMap>(type: K, listener: (payload: ConnectionEventMap[K]) => void) => unknown,
): string[] {
  const log: string[] = [];
  for (const type of Object.keys(EVENT_TYPES) as (keyof ConnectionEventMap)[]) {
    on(type, (payload) => log.push(formatEvent({ type, payload } as AppEvent)));
  }
  return log;
}

/** Every public event type, in the order `recordEvents` subscribes: a type added to the map and not here fails to compile. */
const EVENT_TYPES = {
  open: true,
  message: true,
  error: true,
  close: true,
  state: true,
  undelivered: true,
  reconnecting: true,
  giveup: true,
  backpressure: true,
  ready: true,
} as const satisfies Record<keyof ConnectionEventMap, true>;
