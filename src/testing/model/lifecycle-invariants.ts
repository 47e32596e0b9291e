/**
 * Properties every run must have whatever the machine says, taken from the WHATWG WebSockets
 * Standard and the guarantees in docs/. The oracle compares the shell with the machine; these
 * catch a machine that is wrong in a way it agrees with itself about (a broken machine is its
 * own oracle, so only an independent check can reject it).
 *
 * - Flush before open: when `open` reaches listeners, nothing is queued any more and the socket
 *   already holds everything that was (so what a listener sends goes after it).
 * - Error, then close, per attempt: each attempt (the events up to and including its `close`)
 *   has at most one `open` and one `error`; one that never opened reports exactly one `error`
 *   before its `close` ("fail the WebSocket connection").
 * - One end: a `close` that says another attempt follows is followed at once by `reconnecting`;
 *   one that does not is the last close, and after it come only its `giveup`, the state it
 *   leads to and sends refused as `closed`; once `closed` or `gaveUp`, only such sends.
 * - `close()` is final: no `reconnecting` after the app called it.
 * - The queue survives reconnects: a queued message is reported `closed-before-open` only
 *   when no attempt follows, so never before a `reconnecting`.
 * - Retries count failures in a row: each `reconnecting` says the retry it is, one more than
 *   the reconnects since the connection last stayed open `minStableTime`, and never past
 *   `maxRetries`; `giveup max-retries` comes only once `maxRetries` of them are used up.
 * - One fate per message: no message is reported twice or both written and reported; once
 *   closed, every message given to `send()` was either written out or reported undelivered.
 * - In order: messages reach the sockets in the order they were sent, across reconnects.
 * - Drain before close: the closing handshake starts with nothing held, unless the socket
 *   failed or never opened.
 */
import type { OutgoingData } from '../../byte-length.js';
import { describeData } from './event-log.js';
import { WILL_RECONNECT } from './lifecycle-oracle.js';
import type { TapRecord } from './transport-tap.js';

export interface RunRecord {
  /** Every event the app saw, as `formatEvent` writes them. */
  readonly events: readonly string[];
  /** When each event came, in ms, on the time timers run on (a device's sleep excluded). */
  readonly times: readonly number[];
  /** How many events had been seen when the app first called `close()`, if it did. */
  readonly closeCalled: number | undefined;
  /** How many events had been seen at the end of each step (index 0: before the first step). */
  readonly eventsAfterStep: readonly number[];
  /** At each `open` event: what was still queued, what was buffered, and what was buffered just before the socket opened. */
  readonly atOpen: readonly { readonly queuedMessages: number; readonly bufferedAmount: number; readonly bufferedBefore: number }[];
  /** Everything given to `send()`, in order. */
  readonly sent: readonly OutgoingData[];
  readonly tap: TapRecord;
  readonly closed: boolean;
  /** The connection's `maxRetries` and `minStableTime` options. */
  readonly maxRetries: number;
  readonly minStableTime: number;
}

export function checkInvariants(run: RunRecord): string[] {
  return [
    ...flushBeforeOpen(run),
    ...errorThenClose(run.events),
    ...oneEnd(run.events),
    ...closeIsFinal(run),
    ...queueSurvivesReconnects(run.events),
    ...retriesInARow(run),
    ...oneFatePerMessage(run),
    ...inOrder(run),
    ...drainBeforeClose(run),
  ];
}

/** Whether a `close` event says another attempt follows. */
function reconnects(event: string): boolean {
  return event.startsWith('close ') && event.endsWith(` ${WILL_RECONNECT}`);
}

/** The events of each attempt: up to and including its `close`, the last one possibly unfinished. */
function attempts(events: readonly string[]): string[][] {
  const split: string[][] = [[]];
  for (const event of events) {
    split.at(-1)!.push(event);
    if (event.startsWith('close ')) split.push([]);
  }
  return split;
}

function flushBeforeOpen({ atOpen }: RunRecord): string[] {
  return atOpen.flatMap(({ queuedMessages, bufferedAmount, bufferedBefore }) =>
    queuedMessages === 0 && bufferedAmount === bufferedBefore
      ? []
      : [
          `flush before open: at the open event ${queuedMessages} messages were still queued and ${bufferedAmount} of ${bufferedBefore} bytes were buffered`,
        ],
  );
}

function errorThenClose(events: readonly string[]): string[] {
  return attempts(events).flatMap((attempt, index) => {
    const violations: string[] = [];
    const kinds = attempt.map((event) => event.split(' ')[0]);
    for (const kind of ['open', 'error']) {
      const count = kinds.filter((k) => k === kind).length;
      if (count > 1) violations.push(`error then close: ${count} ${kind} events in attempt ${index + 1}`);
    }
    const close = kinds.indexOf('close');
    if (close !== -1 && !kinds.includes('open') && kinds.filter((k) => k === 'error').length !== 1) {
      violations.push(`error then close: attempt ${index + 1} never opened and closed without exactly one error before the close`);
    }
    return violations;
  });
}

function oneEnd(events: readonly string[]): string[] {
  const violations: string[] = [];
  events.forEach((event, i) => {
    if (reconnects(event) && !events[i + 1]?.startsWith('reconnecting '))
      violations.push(`one end: "${event}" is not followed by a reconnecting event`);
  });
  const last = events.findIndex((event) => event.startsWith('close ') && !reconnects(event));
  const over = events.findIndex((event) => event === 'state closed' || event === 'state gaveUp');
  const refused = (event: string) => /^undelivered \S+ closed$/.test(event);
  if (last !== -1) {
    const after = events.slice(last + 1);
    const ending = after.findIndex((event) => !event.startsWith('giveup ') && !event.startsWith('state '));
    for (const late of ending === -1 ? [] : after.slice(ending))
      if (!refused(late)) violations.push(`one end: "${late}" came after the last close`);
    if (after.filter((event) => event.startsWith('giveup ')).length > 1) violations.push('one end: more than one giveup');
  }
  for (const late of over === -1 ? [] : events.slice(over + 1))
    if (!refused(late)) violations.push(`one end: "${late}" came after "${events[over]}"`);
  if (events.some((event) => event.startsWith('giveup ')) && last === -1) violations.push('one end: giveup without a last close');
  return violations;
}

function closeIsFinal({ events, closeCalled }: RunRecord): string[] {
  const late = closeCalled === undefined ? undefined : events.slice(closeCalled).find((event) => event.startsWith('reconnecting '));
  return late === undefined ? [] : [`close() is final: "${late}" came after close() was called`];
}

function queueSurvivesReconnects(events: readonly string[]): string[] {
  const dropped = events.findIndex((event) => /^undelivered \S+ closed-before-open$/.test(event));
  const later = dropped === -1 ? undefined : events.slice(dropped).find((event) => event.startsWith('reconnecting '));
  return later === undefined ? [] : [`queue survives reconnects: "${events[dropped]}" came before "${later}"`];
}

function retriesInARow({ events, times, maxRetries, minStableTime }: RunRecord): string[] {
  const violations: string[] = [];
  let inARow = 0;
  let openedAt: number | undefined;
  events.forEach((event, i) => {
    if (event === 'open') openedAt = times[i];
    else if (openedAt !== undefined && (event.startsWith('close ') || (event.startsWith('state ') && event !== 'state open'))) {
      // It left `open`: after `minStableTime` there, it proved itself and the count starts again.
      if (times[i]! - openedAt >= minStableTime) inARow = 0;
      openedAt = undefined;
    } else if (event.startsWith('reconnecting ')) {
      const retry = Number(/ retry (\d+) /.exec(event)?.[1]);
      if (retry !== inARow + 1 || retry > maxRetries)
        violations.push(`retries: "${event}" after ${inARow} reconnects in a row, with maxRetries ${maxRetries}`);
      inARow = retry;
    } else if (event.startsWith('giveup max-retries') && inARow < maxRetries) {
      violations.push(`retries: "${event}" after ${inARow} reconnects in a row, with maxRetries ${maxRetries}`);
    }
  });
  return violations;
}

function oneFatePerMessage({ events, sent, tap, closed }: RunRecord): string[] {
  const violations: string[] = [];
  for (const data of sent) {
    const label = describeData(data);
    const reported = events.filter((event) => event.startsWith(`undelivered ${label} `)).length;
    const written = tap.handed.includes(data) && !tap.unsent.includes(data) ? 1 : 0;
    if (reported + written > 1) violations.push(`one fate: ${label} was ${written ? 'written and ' : ''}reported ${reported} times`);
    if (closed && reported + written === 0) violations.push(`one fate: ${label} was neither written out nor reported undelivered`);
  }
  return violations;
}

function inOrder({ sent, tap }: RunRecord): string[] {
  const positions = tap.handed.map((data) => sent.indexOf(data));
  return positions.some((position, i) => i > 0 && position <= positions[i - 1]!)
    ? [`in order: the sockets were handed ${tap.handed.map(String).join(', ')}, sent as ${sent.map(String).join(', ')}`]
    : [];
}

function drainBeforeClose({ events, eventsAfterStep, tap }: RunRecord): string[] {
  return tap.closes.flatMap(({ bufferedAmount, step }) => {
    // The attempt the close belongs to: the events since the last close before it.
    const seen = attempts(events.slice(0, eventsAfterStep[step] ?? events.length)).at(-1)!;
    const excused = bufferedAmount === 0 || seen.some((event) => event.startsWith('error ')) || !seen.includes('open');
    return excused ? [] : [`drain before close: the closing handshake started with ${bufferedAmount} bytes still held`];
  });
}
