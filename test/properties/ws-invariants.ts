/**
 * The invariants that hold on real sockets (`ws.properties.test.ts`), as one check of a run's
 * outcome; each failure message is numbered as the list in CONTRIBUTING.md, and
 * `ws-mutants.test.ts` plants a broken connection for each to show that it can fail.
 */
import { expect } from 'vitest';
import type { ConnectionEventMap, OutgoingData } from '../../src/index.js';
import { addLoss, lossViolations, placeLoss, whatLinksHold, type HopLoss } from '../support/accounting.js';
import { checkAttempts, checkReadyStates, closeInfoOf, events, fail, isRefusal, REASONS, tag, endsConnection } from './log-rules.js';
import type { WsOutcome } from './ws-world.js';
import type { Entry } from './world.js';

/**
 * 1, at least once: every accepted message reaches the server or is reported, or was lost where
 * only the network had it (`checkLosses`); the server gets accepted messages in send order, once
 * each, over however many sockets; reports name accepted messages in send order, once each, all
 * before the connection ends; a refused send is reported once. A message at a socket's last
 * boundary may be both received and reported: Node confirms writes in batches.
 */
function checkFates(outcome: WsOutcome): void {
  const { timeline, received, cut, plan } = outcome;
  const sends = timeline.filter((entry): entry is Extract<Entry, { kind: 'send' }> => entry.kind === 'send');
  const accepted = sends.filter((entry) => entry.accepted);
  const refused = sends.filter((entry) => !entry.accepted);
  const reported: number[] = [];
  let ended = false;
  for (const entry of events({ timeline })) {
    if (entry.type === 'undelivered') {
      const { data, reason } = entry.payload as ConnectionEventMap['undelivered'];
      if (!REASONS.has(reason)) fail(`1. undelivered with an unknown reason ${reason}`);
      if (isRefusal(reason, ended) && refused[0] !== undefined && Object.is(refused[0].data, data)) refused.shift();
      else {
        const index = accepted.findIndex((send) => Object.is(send.data, data));
        if (index < 0) fail(`1. reported ${tag(data)} (${reason}), which was never accepted or was reported already`);
        if (reported.includes(index)) fail(`1. reported accepted message #${index} twice`);
        if (ended) fail(`1. reported accepted message #${index} after the connection ended`);
        if (index < (reported.at(-1) ?? -1)) fail(`1. reported accepted message #${index} after #${reported.at(-1)}: out of send order`);
        reported.push(index);
      }
    }
    if (endsConnection(entry)) ended = true;
  }
  if (refused.length > 0) fail(`1. ${refused.length} refused sends were never reported`);
  const ids = accepted.map((send) => send.id);
  received.forEach((id, i) => {
    if (!ids.includes(id)) fail(`1. the server received #${id}, which was never accepted`);
    if (i > 0 && id <= received[i - 1]!) fail(`1. the server received #${id} after #${received[i - 1]}: out of order, or twice`);
  });
  checkLosses(
    outcome,
    accepted.filter((send, index) => !received.includes(send.id) && !reported.includes(index)),
  );
  if (
    !cut &&
    plan.serverEnd.kind === 'none' &&
    plan.admit === 'forward' &&
    lastClose(timeline)?.cause === 'normal' &&
    reported.length > 0
  ) {
    fail(`1. a clean close after a full drain reported ${reported.length} messages undelivered`);
  }
}

/**
 * 1, what was lost: a message neither received nor reported was handed to a socket whose attempt
 * then ended in a way that told the client it may be lost: uncleanly, or on a closing handshake
 * the server started (the client's close frame then only answers it, and what the client wrote
 * before it may have been in flight when the link failed). The proxy's records place each loss:
 * swallowed by the proxy, or lost before or after it, and no hop of a link may lose more frame
 * bytes than it can hold. Checked in every run, whatever the faults; and whatever the server
 * received, the proxy must have passed on.
 */
function checkLosses(
  { timeline, received, upstream, writtenOn, serverClosedFirst }: WsOutcome,
  lost: readonly Extract<Entry, { kind: 'send' }>[],
): void {
  for (const link of upstream) for (const problem of link.problems) fail(`1. the proxy misread the client's stream: ${problem}`);
  for (const id of received)
    if (!upstream.some((link) => link.forwarded.has(id))) fail(`1. the server received #${id}, which the proxy never passed on`);
  // Attempts never overlap (the next starts once the last has closed), so the proxy's n-th link
  // is attempt n's; what each link read confirms the pairing.
  upstream.forEach((link, index) => {
    for (const id of link.received.keys())
      if (writtenOn.get(id) !== index + 1) fail(`1. the proxy read #${id} on link ${index + 1}, written on attempt ${writtenOn.get(id)}`);
  });
  const closes = events({ timeline })
    .filter((entry) => entry.type === 'close')
    .map((entry) => entry.payload as ConnectionEventMap['close']);
  const losses = new Map<string, HopLoss>();
  for (const { id, data } of lost) {
    const attempt = writtenOn.get(id) ?? fail(`1. accepted message #${id} was neither received nor reported, and never handed to a socket`);
    const link =
      upstream[attempt - 1] ?? fail(`1. accepted message #${id} was written on attempt ${attempt}, which the proxy has no link for`);
    const close = closes[attempt - 1];
    const serverClosed = link.serverPort !== undefined && serverClosedFirst.has(link.serverPort);
    if (close === undefined || (close.wasClean && !serverClosed)) {
      fail(
        `1. accepted message #${id} was neither received nor reported, though attempt ${attempt}, which wrote it, ${close === undefined ? 'never ended' : 'ended cleanly on a close the client started'}`,
      );
    }
    addLoss(losses, `attempt ${attempt}`, id, placeLoss(link, id, byteLengthOf(data)));
  }
  const violations = lossViolations([...losses.values()], whatLinksHold());
  if (violations.length > 0) fail(`1. ${violations.join('; ')}`);
}

function byteLengthOf(data: OutgoingData): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return fail(`1. a payload this world never sends: ${tag(data)}`);
}

function lastClose(timeline: readonly Entry[]): ConnectionEventMap['close'] | undefined {
  return events({ timeline }).findLast((entry) => entry.type === 'close')?.payload as ConnectionEventMap['close'] | undefined;
}

/** 6: no timer, nothing buffered, `closed` settled with the last close, then silence. */
async function checkNothingLeft({ connection, timeline, timersAfterClose, lateEvents }: WsOutcome): Promise<void> {
  if (timersAfterClose !== 0) fail(`6. ${timersAfterClose} timers pending once the connection ended`);
  if (connection.bufferedAmount !== 0 || connection.queuedMessages !== 0)
    fail(`6. ${connection.bufferedAmount} bytes still buffered once ended`);
  const last = lastClose(timeline) ?? fail('6. no close event');
  expect(await connection.closed).toEqual(closeInfoOf(last));
  if (lateEvents.length > 0) fail(`6. events once the connection ended: ${lateEvents.join(', ')}`);
}

/** Every invariant that holds on real sockets, each failure message numbered as the list in CONTRIBUTING.md. */
export async function holdsOnRealSockets(outcome: WsOutcome): Promise<void> {
  const summary = checkAttempts(events(outcome));
  if (!summary.ended && !summary.lastClose?.willReconnect) fail('2. the connection ended without a final close');
  checkReadyStates(outcome.states, events(outcome));
  expect(outcome.queueViolations, '5. the queue stays within maxQueuedMessages and maxQueuedBytes').toEqual([]);
  await checkNothingLeft(outcome);
  checkFates(outcome);
}
