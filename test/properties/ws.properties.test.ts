// Replay a failure: copy `seed` and `path` from the report, then run
// FC_SEED=<seed> FC_PATH=<path> npx vitest run test/properties/ws.properties.test.ts -t '<property name>'
/**
 * The invariants that hold on real sockets, against a real `ws` server on loopback behind a
 * fault-injecting TCP proxy (refused and stalled connects, links dropped, reset or blackholed
 * mid-stream, servers closing or vanishing), half the runs reconnecting through the same
 * faults. Fewer runs than the in-memory properties, each a few real round trips: per-attempt
 * order (2), readyState (3), queue bounds (5), nothing left behind (6), and the fates of
 * messages (1) in the at-least-once form docs/delivery-guarantees.md documents for real sockets.
 */
import fc from 'fast-check';
import { WebSocket as UndiciWebSocket } from 'undici';
import { describe, expect, it } from 'vitest';
import type { ConnectionEventMap, WebSocketConstructor } from '../../src/index.js';
import { checkAttempts, checkReadyStates, closeInfoOf, events, fail, isRefusal, REASONS, tag, endsConnection } from './log-rules.js';
import { assertOptions } from './replay.js';
import { plans, runPlan, type WsOutcome } from './ws-world.js';
import type { Entry } from './world.js';
import { WS_RUNS } from './runs.js';

/**
 * 1, at least once: every accepted message reaches the server or is reported (unless a fault
 * lost bytes the kernel had already taken: only an application's acknowledgement proves
 * receipt); the server gets accepted messages in send order, once each, over however many
 * sockets; reports name accepted messages in send order, once each, all before the connection
 * ends; a refused send is reported once. A message at a socket's last boundary may be both
 * received and reported: Node confirms writes in batches.
 */
function checkFates({ timeline, received, lossy, plan }: WsOutcome): void {
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
  const lost = ids.filter((id, index) => !received.includes(id) && !reported.includes(index));
  // A heartbeat timeout drops the socket as a fault does (a reset can discard bytes the kernel
  // had taken); on a loaded machine it may even fire with no fault injected.
  const dropped =
    lossy ||
    events({ timeline }).some(
      (entry) => entry.type === 'close' && (entry.payload as ConnectionEventMap['close']).cause === 'heartbeat-timeout',
    );
  if (!dropped && lost.length > 0) fail(`1. accepted messages ${lost.map((id) => `#${id}`).join(', ')} were neither received nor reported`);
  if (
    !lossy &&
    plan.serverEnd.kind === 'none' &&
    plan.admit === 'forward' &&
    lastClose(timeline)?.cause === 'normal' &&
    reported.length > 0
  ) {
    fail(`1. a clean close after a full drain reported ${reported.length} messages undelivered`);
  }
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
async function holdsOnRealSockets(outcome: WsOutcome): Promise<void> {
  const summary = checkAttempts(events(outcome));
  if (!summary.ended && !summary.lastClose?.willReconnect) fail('2. the connection ended without a final close');
  checkReadyStates(outcome.states, events(outcome));
  expect(outcome.queueViolations, '5. the queue stays within maxQueuedMessages and maxQueuedBytes').toEqual([]);
  await checkNothingLeft(outcome);
  checkFates(outcome);
}

describe(`Connection through a fault-injecting proxy to a ws server (${WS_RUNS} generated runs per transport)`, () => {
  it('keeps its per-attempt order, readyState, queue-bound, clean-up and at-least-once guarantees with the ws transport, reconnecting or not', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => holdsOnRealSockets(await runPlan(plan))),
      assertOptions(WS_RUNS),
    );
  }, 120_000);

  // The browser transport, through undici's WebSocket (Node's own global one): the same plans.
  it('keeps the same guarantees with the native transport over a platform WebSocket', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => holdsOnRealSockets(await runPlan(plan, UndiciWebSocket as unknown as WebSocketConstructor))),
      assertOptions(WS_RUNS),
    );
  }, 120_000);
});
