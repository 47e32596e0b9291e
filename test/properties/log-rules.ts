/**
 * The rules that hold over a log of what listeners heard, whatever the transport: the memory
 * properties and the real-socket ones both check them. Each fails with a sentence that says
 * what went wrong.
 */
import type { CloseInfo, CloseEventInfo, ConnectionEventMap, ConnectionStateName, UndeliveredReason } from '../../src/index.js';
import { READY_STATE_OF } from '../../src/testing/model/states.js';
import { quote } from './arbitraries.js';
import type { Entry } from './world.js';

/** A timeline entry of an event a listener heard. */
export type EventEntry = Extract<Entry, { kind: 'event' }>;
/** What a listener heard: the memory world's entries, or the real-socket world's. */
export type Heard = Pick<EventEntry, 'type' | 'payload' | 'readyState' | 'state'>;

/** Every reason an `undelivered` event may give. */
export const REASONS = new Set<UndeliveredReason>([
  'queue-full',
  'closed-before-open',
  'closing',
  'closed',
  'drain-timeout',
  'connection-lost',
]);
/** Reasons for a message a socket was handed but never wrote out; a queued message dropped is `closed-before-open`. */
export const UNSENT_REASONS = new Set<UndeliveredReason>(['closed', 'drain-timeout', 'connection-lost']);

/**
 * Whether a report is a refused `send()`'s rather than an accepted message's. `closed` is both:
 * a send once the connection ended, or a message still unsent at a clean close; the latter
 * are always reported before the connection ends, the former always after.
 */
export function isRefusal(reason: UndeliveredReason, afterEnd: boolean): boolean {
  return reason === 'queue-full' || reason === 'closing' || (reason === 'closed' && afterEnd);
}

/** Whether a heard event ends the connection: a close after which no reconnect follows, or the state `closed` or `gaveUp`. */
export function endsConnection({ type, payload }: Pick<Heard, 'type' | 'payload'>): boolean {
  if (type === 'close') return !(payload as CloseEventInfo).willReconnect;
  if (type !== 'state') return false;
  const { state } = payload as ConnectionEventMap['state'];
  return state === 'closed' || state === 'gaveUp';
}

/** Throws `message`: an invariant is broken. */
export function fail(message: string): never {
  throw new Error(message);
}

const ids = new WeakMap<object, number>();
let nextTag = 0;
/** A short name for a value, by identity for objects, so comparisons see a copy as different. */
export function tag(value: unknown): string {
  if (typeof value === 'string') return quote(value.length > 24 ? `${value.slice(0, 21)}...` : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (!ids.has(value)) ids.set(value, ++nextTag);
  return `${value.constructor.name}#${ids.get(value)}`;
}

/** The events listeners heard, in order. */
export function events(world: { readonly timeline: readonly Entry[] }): EventEntry[] {
  return world.timeline.filter((entry): entry is EventEntry => entry.kind === 'event');
}

/** A close event's `CloseInfo`, as `closed` and `giveup` carry it: without `willReconnect`. */
export function closeInfoOf({ willReconnect: _, ...info }: CloseEventInfo): CloseInfo {
  return info;
}

/** What `checkAttempts` learned of a log. */
export interface AttemptsSummary {
  /** The attempt the log ends in (the first is 1): the one a `reconnecting` event announced last. */
  readonly attempt: number;
  readonly closes: number;
  readonly lastClose: CloseEventInfo | undefined;
  /** A close said no reconnect follows. */
  readonly ended: boolean;
  readonly gaveUp: boolean;
}

/**
 * Per attempt: at most one `open` and one `error`, `message` only after `open`, and one `close`
 * that ends it, after an `error` when it never opened (the platform's error-then-close). A
 * close with `willReconnect` is followed by `reconnecting` for the next attempt before anything
 * else; one without it is the last: nothing follows but reports of refused sends, state
 * changes, and `giveup` right after it when the connection gave up.
 */
export function checkAttempts(log: readonly Pick<Heard, 'type' | 'payload'>[]): AttemptsSummary {
  let attempt = 1;
  let opened = false;
  let errors = 0;
  let lastLifecycle: string | undefined;
  let awaitingReconnect = false;
  let lastClose: CloseEventInfo | undefined;
  let closes = 0;
  let ended = false;
  let gaveUp = false;
  for (const { type, payload } of log) {
    if (type === 'state' || type === 'undelivered') continue;
    if (awaitingReconnect && type !== 'reconnecting')
      fail(`${type} between attempt ${attempt}'s close, which said a reconnect follows, and its reconnecting event`);
    if (ended) {
      if (type !== 'giveup' || gaveUp) fail(`${type} after the final close`);
      gaveUp = true;
      const { close } = payload as ConnectionEventMap['giveup'];
      if (JSON.stringify(close) !== JSON.stringify(closeInfoOf(lastClose!)))
        fail(`giveup reports ${JSON.stringify(close)}, not the last close ${JSON.stringify(lastClose)}`);
      continue;
    }
    switch (type) {
      case 'reconnecting': {
        if (!awaitingReconnect) fail(`reconnecting during attempt ${attempt}, which had not closed`);
        const next = (payload as ConnectionEventMap['reconnecting']).attempt;
        if (next !== attempt + 1) fail(`reconnecting announces attempt ${next} after attempt ${attempt}`);
        attempt = next;
        opened = false;
        errors = 0;
        lastLifecycle = undefined;
        awaitingReconnect = false;
        break;
      }
      case 'open':
        if (opened) fail(`a second open in attempt ${attempt}`);
        opened = true;
        break;
      case 'message':
        if (!opened) fail(`a message before attempt ${attempt} opened`);
        break;
      case 'error':
        if (++errors > 1) fail(`a second error in attempt ${attempt}`);
        break;
      case 'close': {
        // A failed connect is error, the undelivered reports, then close: never a bare close.
        if (!opened && lastLifecycle !== 'error') fail(`attempt ${attempt} never opened, yet closed without an error first`);
        lastClose = payload as CloseEventInfo;
        closes++;
        if (lastClose.willReconnect) awaitingReconnect = true;
        else ended = true;
        break;
      }
      case 'giveup':
        fail(`giveup during attempt ${attempt}, before its close`);
    }
    if (type === 'open' || type === 'error' || type === 'close') lastLifecycle = type;
  }
  return { attempt, closes, lastClose, ended, gaveUp };
}

/**
 * `readyState` only goes back to CONNECTING (0), while waiting to reconnect, and never leaves
 * CLOSED (3). `open` fires at OPEN; `close` at CLOSED, or while waiting to reconnect when it
 * says one follows; `error` once the attempt is over (never while connecting or open);
 * `reconnecting` and `giveup` in their states; a state event's two halves agree.
 */
export function checkReadyStates(
  observed: readonly { readonly state: ConnectionStateName; readonly readyState: number }[],
  log: readonly Heard[],
): void {
  observed.reduce(
    (previous, current) => {
      if (previous.readyState === 3 && current.readyState !== 3)
        fail(`readyState left CLOSED for ${current.readyState} (${current.state})`);
      if (current.readyState < previous.readyState && current.state !== 'reconnecting') {
        fail(`readyState went back from ${previous.readyState} to ${current.readyState} (${previous.state} to ${current.state})`);
      }
      return current;
    },
    observed[0] ?? { state: 'connecting', readyState: 0 },
  );
  for (const { type, payload, readyState, state } of log) {
    if (type === 'open' && readyState !== 1) fail(`open fired at readyState ${readyState}`);
    if (type === 'close' && (payload as CloseEventInfo).willReconnect && state !== 'reconnecting')
      fail(`a close that says a reconnect follows fired in ${state}`);
    if (type === 'close' && !(payload as CloseEventInfo).willReconnect && readyState !== 3)
      fail(`the final close fired at readyState ${readyState}`);
    if (type === 'error' && (state === 'connecting' || state === 'open')) fail(`error fired while ${state}`);
    if (type === 'reconnecting' && state !== 'reconnecting') fail(`reconnecting fired in ${state}`);
    if (type === 'giveup' && state !== 'gaveUp') fail(`giveup fired in ${state}`);
    if (type === 'state') {
      const change = payload as ConnectionEventMap['state'];
      if (change.readyState !== READY_STATE_OF[change.state]) fail(`a state event says ${change.state} is readyState ${change.readyState}`);
    }
  }
}
