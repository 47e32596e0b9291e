// Replay a failure: copy `seed` and `path` from the report, then run
// FC_SEED=<seed> FC_PATH=<path> npx vitest run test/properties/ws.properties.test.ts -t '<property name>'
/**
 * The invariants that hold on real sockets, against a real `ws` server on loopback behind a
 * fault-injecting TCP proxy (refused and stalled connects, links dropped, reset or blackholed
 * mid-stream, servers closing or vanishing). Fewer runs than the in-memory properties, each a
 * few real round trips: ordering (2), readyState (3), queue bounds (5), nothing left behind (6),
 * and the fates of messages (1) in the at-least-once form the README documents for real sockets.
 */
import fc from 'fast-check';
import { WebSocket as UndiciWebSocket } from 'undici';
import { describe, expect, it } from 'vitest';
import type { ConnectionEventMap, WebSocketConstructor } from '../../src/index.js';
import { checkEventOrder, checkReadyStates, events, fail, isRefusal, REASONS, tag } from './invariants.js';
import { assertOptions } from './replay.js';
import { plans, runPlan, type WsOutcome } from './ws-world.js';
import type { Entry } from './world.js';

const RUNS = 50;

/**
 * 1, at least once: every accepted message reaches the server or is reported (unless a fault
 * lost bytes the kernel had already taken: only an application's acknowledgement proves
 * receipt); the server gets a prefix of them, in order, once each; reports name a suffix, in
 * order, once each, all before `close`; a refused send is reported once. A message at the
 * boundary may be both received and reported: Node confirms writes in batches.
 */
function checkFates({ timeline, received, lossy, plan }: WsOutcome): void {
  const sends = timeline.filter((entry): entry is Extract<Entry, { kind: 'send' }> => entry.kind === 'send');
  const accepted = sends.filter((entry) => entry.accepted);
  const refused = sends.filter((entry) => !entry.accepted);
  const reported: number[] = [];
  let closed = false;
  for (const entry of events({ timeline })) {
    if (entry.type === 'close') closed = true;
    if (entry.type !== 'undelivered') continue;
    const { data, reason } = entry.payload as ConnectionEventMap['undelivered'];
    if (!REASONS.has(reason)) fail(`1. undelivered with an unknown reason ${reason}`);
    if (isRefusal(reason, closed) && refused[0] !== undefined && Object.is(refused[0].data, data)) {
      refused.shift();
      continue;
    }
    const index = accepted.findIndex((send) => Object.is(send.data, data));
    if (index < 0) fail(`1. reported ${tag(data)} (${reason}), which was never accepted or was reported already`);
    if (reported.includes(index)) fail(`1. reported accepted message #${index} twice`);
    if (closed) fail(`1. reported accepted message #${index} after close`);
    reported.push(index);
  }
  if (refused.length > 0) fail(`1. ${refused.length} refused sends were never reported`);
  const first = reported[0] ?? accepted.length;
  expect(reported, '1. reports name a suffix of the accepted messages, in order').toEqual(accepted.slice(first).map((_, i) => first + i));
  const ids = accepted.map((send) => send.id);
  expect(received, '1. the server received a prefix of the accepted messages, in order, once each').toEqual(ids.slice(0, received.length));
  if (!lossy && first > received.length) fail(`1. accepted messages #${received.length}..#${first - 1} were neither received nor reported`);
  if (!lossy && plan.serverEnd.kind === 'none' && plan.admit === 'forward' && closeCause(timeline) === 'normal' && reported.length > 0) {
    fail(`1. a clean close after a full drain reported ${reported.length} messages undelivered`);
  }
}

function closeCause(timeline: readonly Entry[]): string | undefined {
  const close = events({ timeline }).find((entry) => entry.type === 'close');
  return (close?.payload as ConnectionEventMap['close'] | undefined)?.cause;
}

/** 6: no timer, nothing buffered, one close that the `closed` promise carries, then silence. */
async function checkNothingLeft({ connection, timeline, timersAfterClose, lateEvents }: WsOutcome): Promise<void> {
  if (timersAfterClose !== 0) fail(`6. ${timersAfterClose} timers pending after the final close`);
  if (connection.bufferedAmount !== 0 || connection.queuedMessages !== 0) fail(`6. ${connection.bufferedAmount} bytes still buffered after close`);
  const closes = events({ timeline }).filter((entry) => entry.type === 'close');
  if (closes.length !== 1) fail(`6. ${closes.length} close events`);
  expect(await connection.closed).toBe(closes[0]!.payload);
  if (lateEvents.length > 0) fail(`6. events after the final close: ${lateEvents.join(', ')}`);
}

/** Every invariant that holds on real sockets, each failure message numbered as the README's list. */
async function holdsOnRealSockets(outcome: WsOutcome): Promise<void> {
  checkEventOrder(events(outcome));
  checkReadyStates(outcome.readyStates, events(outcome));
  expect(outcome.queueViolations, '5. the queue stays within maxQueuedMessages and maxQueuedBytes').toEqual([]);
  await checkNothingLeft(outcome);
  checkFates(outcome);
}

describe(`Connection through a fault-injecting proxy to a ws server (${RUNS} generated runs per transport)`, () => {
  it('keeps its ordering, readyState, queue-bound, clean-up and at-least-once guarantees with the ws transport', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => holdsOnRealSockets(await runPlan(plan))),
      assertOptions(RUNS),
    );
  }, 120_000);

  // The browser transport, through undici's WebSocket (Node's own global one): the same plans.
  it('keeps the same guarantees with the native transport over a platform WebSocket', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => holdsOnRealSockets(await runPlan(plan, UndiciWebSocket as unknown as WebSocketConstructor))),
      assertOptions(RUNS),
    );
  }, 120_000);
});
