/**
 * Properties every run must have whatever the machine says, taken from the WHATWG WebSockets
 * Standard and the README's guarantees. The oracle compares the shell with the machine; these
 * catch a machine that is wrong in a way it agrees with itself about (a broken machine is its
 * own oracle, so only an independent check can reject it).
 *
 * - Flush before open: when `open` reaches listeners, nothing is queued any more and the socket
 *   already holds everything that was (so what a listener sends goes after it).
 * - Error, then close: at most one `error` and one `close`; a connection that never opened
 *   reports exactly one `error` before its `close` ("fail the WebSocket connection"); after
 *   `close`, only sends refused as `closed`.
 * - One fate per message: no message is reported twice or both written and reported; once
 *   closed, every message given to `send()` was either written out or reported undelivered.
 * - Drain before close: the closing handshake starts with nothing held, unless the socket
 *   failed or never opened.
 */
import type { OutgoingData } from '../byte-length.js';
import type { TapRecord } from './transport-tap.js';

export interface RunRecord {
  /** Every event the app saw, as `formatEvent` writes them. */
  readonly events: readonly string[];
  /** How many events had been seen at the end of each step (index 0: before the first step). */
  readonly eventsAfterStep: readonly number[];
  /** At each `open` event: what was still queued, what was buffered, and what was buffered just before the socket opened. */
  readonly atOpen: readonly { readonly queuedMessages: number; readonly bufferedAmount: number; readonly bufferedBefore: number }[];
  /** Everything given to `send()`, in order. */
  readonly sent: readonly OutgoingData[];
  readonly tap: TapRecord;
  readonly closed: boolean;
}

export function checkInvariants(run: RunRecord): string[] {
  return [...flushBeforeOpen(run), ...errorThenClose(run.events), ...oneFatePerMessage(run), ...drainBeforeClose(run)];
}

function flushBeforeOpen({ atOpen }: RunRecord): string[] {
  return atOpen.flatMap(({ queuedMessages, bufferedAmount, bufferedBefore }) =>
    queuedMessages === 0 && bufferedAmount === bufferedBefore
      ? []
      : [`flush before open: at the open event ${queuedMessages} messages were still queued and ${bufferedAmount} of ${bufferedBefore} bytes were buffered`],
  );
}

function errorThenClose(events: readonly string[]): string[] {
  const violations: string[] = [];
  const kinds = events.map((event) => event.split(' ')[0]);
  const count = (kind: string) => kinds.filter((k) => k === kind).length;
  for (const kind of ['open', 'error', 'close']) {
    if (count(kind) > 1) violations.push(`error then close: ${count(kind)} ${kind} events`);
  }
  const close = kinds.indexOf('close');
  if (close === -1) return violations;
  const opened = kinds.indexOf('open') !== -1 && kinds.indexOf('open') < close;
  if (!opened && kinds.slice(0, close).filter((k) => k === 'error').length !== 1) {
    violations.push('error then close: a connection that never opened closed without exactly one error before the close');
  }
  for (const late of events.slice(close + 1)) {
    if (late !== 'state closed' && !/^undelivered \S+ closed$/.test(late)) violations.push(`error then close: "${late}" came after the close`);
  }
  return violations;
}

function oneFatePerMessage({ events, sent, tap, closed }: RunRecord): string[] {
  const violations: string[] = [];
  for (const data of sent) {
    const label = typeof data === 'string' ? data : String(data);
    const reported = events.filter((event) => event.startsWith(`undelivered ${label} `)).length;
    const written = tap.handed.includes(data) && !tap.unsent.includes(data) ? 1 : 0;
    if (reported + written > 1) violations.push(`one fate: ${label} was ${written ? 'written and ' : ''}reported ${reported} times`);
    if (closed && reported + written === 0) violations.push(`one fate: ${label} was neither written out nor reported undelivered`);
  }
  return violations;
}

function drainBeforeClose({ events, eventsAfterStep, tap }: RunRecord): string[] {
  return tap.closes.flatMap(({ bufferedAmount, step }) => {
    const seen = events.slice(0, eventsAfterStep[step] ?? events.length);
    const excused = bufferedAmount === 0 || seen.some((event) => event.startsWith('error ')) || !seen.includes('open');
    return excused ? [] : [`drain before close: the closing handshake started with ${bufferedAmount} bytes still held`];
  });
}
