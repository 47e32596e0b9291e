/**
 * The invariants about data and conformance that the memory properties hold the connection
 * to, one per property: the fate of every message, `readyState`, `bufferedAmount`, the queue's
 * bounds, the fast path, and the machine's demands. Each looks at the world after every settled
 * step (`step`) and, some, once the connection has ended for good (`final`). The invariants
 * about attempts and the end of life are in `lifetime-invariants.ts`.
 */
import { expect } from 'vitest';
import type { ConnectionEventMap } from '../../src/index.js';
import { sameContent } from './arbitraries.js';
import { checkReadyStates, endsConnection, events, fail, isRefusal, REASONS, tag, UNSENT_REASONS, type EventEntry } from './log-rules.js';
import type { AppEvent, TransportCall } from './oracle.js';
import type { Entry, Invariant, MemoryWorld } from './world.js';

type SendEntry = Extract<Entry, { kind: 'send' }>;

/**
 * 1. Nothing is lost, across reconnects too: every message handed to `send()` gets exactly one
 * fate, written out once by some socket or reported undelivered once, with a reason. Accepted
 * messages go to sockets oldest first: what waited in the queue reaches the next socket to
 * open, in send order, before `open` fires and so before anything sent later; each socket
 * writes out what it was handed, in order. Fates come oldest first. Refused sends are
 * reported once each.
 */
export const nothingLost: Invariant = {
  step: (world) => checkFates(world, false),
  final: (world) => checkFates(world, true),
};

function checkFates(world: MemoryWorld, final: boolean): void {
  const unfated: SendEntry[] = []; // accepted, no fate yet, oldest first
  const handedTo: number[] = []; // the sockets the oldest of them were handed to: a prefix
  const refused: SendEntry[] = []; // refused, not yet reported
  let ended = false;
  let socket = 0; // the newest socket
  for (const entry of world.timeline) {
    if (entry.kind === 'send') (entry.accepted ? unfated : refused).push(entry);
    else if (entry.kind === 'call' && entry.call.kind === 'open') socket = entry.socket;
    else if (entry.kind === 'call' && entry.call.kind === 'send') {
      const { original } = entry.call;
      const next =
        unfated[handedTo.length] ??
        fail(`socket ${entry.socket + 1} was handed ${tag(original)}, but no accepted message was waiting for a socket`);
      if (!Object.is(next.data, original))
        fail(
          `socket ${entry.socket + 1} was handed ${tag(original)} where send #${next.id} (${tag(next.data)}) was the oldest waiting: out of order, or handed twice`,
        );
      handedTo.push(entry.socket);
    } else if (entry.kind === 'written') {
      const head = unfated[0];
      if (head === undefined || handedTo.length === 0)
        fail(`socket ${entry.socket + 1} wrote ${tag(entry.data)}, but it held no message (written twice, or never handed to it)`);
      if (handedTo[0] !== entry.socket)
        fail(
          `socket ${entry.socket + 1} wrote ${tag(entry.data)}, but send #${head.id}, handed to socket ${handedTo[0]! + 1}, had no fate yet`,
        );
      if (!sameContent(entry.data, head.data))
        fail(
          `socket ${entry.socket + 1} wrote ${tag(entry.data)} where send #${head.id} (${tag(head.data)}) was next: out of order or altered`,
        );
      unfated.shift();
      handedTo.shift();
    } else if (entry.kind === 'event') {
      if (entry.type === 'undelivered') {
        const { data, reason } = entry.payload as ConnectionEventMap['undelivered'];
        if (!REASONS.has(reason)) fail(`undelivered with an unknown reason ${reason}`);
        // Requeued oldest first, so what no longer fit is the newest of what the socket held: with
        // payloads alike, the last one that matches.
        const requeued =
          world.config.resendUnconfirmed && reason === 'queue-full'
            ? unfated.slice(0, handedTo.length).findLastIndex((entry) => Object.is(entry.data, data))
            : -1;
        if (isRefusal(reason, ended) && refused[0] !== undefined && Object.is(refused[0].data, data)) refused.shift();
        else if (requeued !== -1) {
          // Queued again after a drop (resendUnconfirmed), oldest first: what no longer fit is reported.
          unfated.splice(requeued, 1);
          handedTo.splice(requeued, 1);
        } else if (unfated[0] !== undefined && Object.is(unfated[0].data, data)) {
          const wasHanded = handedTo.length > 0;
          if (wasHanded !== UNSENT_REASONS.has(reason))
            fail(`send #${unfated[0].id} was reported ${reason}, but it ${wasHanded ? 'was held by a socket' : 'was still queued'}`);
          unfated.shift();
          handedTo.shift();
        } else
          fail(
            `reported ${tag(data)} undelivered (${reason}), but it was not the next message waiting for a fate (reported twice, written too, or out of order)`,
          );
      }
      if (entry.type === 'open' && handedTo.length < unfated.length) {
        fail(
          `socket ${socket + 1} opened with send #${unfated[handedTo.length]!.id} still queued: the queue must reach it before open fires`,
        );
      }
      if (entry.type === 'close' && world.config.resendUnconfirmed) {
        const close = entry.payload as ConnectionEventMap['close'];
        // What the dropped socket held waits in the queue again, ahead of later sends.
        if (close.willReconnect && !close.wasClean) handedTo.length = 0;
      }
      if (endsConnection(entry)) {
        if (unfated.length > 0)
          fail(`the connection ended (${entry.type}) while ${unfated.map((p) => `send #${p.id}`).join(', ')} still had no fate`);
        ended = true;
      }
    }
  }
  if (final && unfated.length + refused.length > 0) {
    fail(
      `once the connection ended, ${[...unfated, ...refused].map((p) => `send #${p.id} (${tag(p.data)})`).join(', ')} was neither written nor reported`,
    );
  }
}

/** 3. `readyState` is the machine's; it goes back only to wait for a reconnect, and never leaves CLOSED. */
export const readyStateFollowsMachine: Invariant = {
  step(world) {
    const { connection, oracle } = world;
    if (connection.state !== oracle.state) fail(`state is ${connection.state}; the machine, given the same facts, is in ${oracle.state}`);
    if (connection.readyState !== oracle.readyState)
      fail(`readyState is ${connection.readyState}; the machine's state ${oracle.state} is ${oracle.readyState}`);
    checkReadyStates(world.states, events(world));
  },
};

/** 4. `bufferedAmount` is never negative and is exactly the bytes queued plus the bytes handed to the socket and not yet written. */
export const bufferedAmountAccounts: Invariant = {
  step({ connection, oracle }) {
    const amount = connection.bufferedAmount;
    if (!Number.isSafeInteger(amount) || amount < 0) fail(`bufferedAmount is ${amount}`);
    if (amount !== oracle.bufferedBytes) {
      fail(
        `bufferedAmount is ${amount}; queued ${oracle.queuedBytes} + held by the socket ${oracle.bufferedBytes - oracle.queuedBytes} = ${oracle.bufferedBytes}`,
      );
    }
  },
};

/** States in which `send()` queues, and so the only ones a message may wait in the queue. */
const QUEUEING = new Set(['connecting', 'closing.aborting', 'reconnecting']);

/** 5. The queue never holds more than `maxQueuedMessages` messages or `maxQueuedBytes` bytes, and only before an open. */
export const queueWithinBounds: Invariant = {
  step({ connection, oracle, socket, config }) {
    const messages = connection.queuedMessages;
    const bytes = connection.bufferedAmount - socket.bufferedAmount;
    if (messages > config.maxQueuedMessages) fail(`${messages} messages queued; maxQueuedMessages is ${config.maxQueuedMessages}`);
    if (bytes > config.maxQueuedBytes) fail(`${bytes} bytes queued; maxQueuedBytes is ${config.maxQueuedBytes}`);
    if (messages !== oracle.queue.length || bytes !== oracle.queuedBytes) {
      fail(`the queue holds ${messages} messages, ${bytes} bytes; the model ${oracle.queue.length}, ${oracle.queuedBytes}`);
    }
    if (messages > 0 && !QUEUEING.has(connection.state)) fail(`${messages} messages still queued in ${connection.state}`);
  },
};

/**
 * 7. The open-state fast path, which writes without dispatching to the actor, does exactly what
 * the machine's `user.send` transition asks (`writeMessage`): the same data, bytes and order,
 * written inside the same `send()` call; and the queue's flush writes what `flushQueue` asks.
 */
export const fastPathIsTheMachine: Invariant = {
  step({ calls, oracle }) {
    const actual = calls.filter((call) => call.kind === 'send');
    const expected = oracle.calls.filter((call) => call.kind === 'send');
    expect(actual.map(describeCall)).toEqual(expected.map(describeCall));
    actual.forEach((call, i) => {
      const wanted = expected[i] as Extract<TransportCall, { kind: 'send' }>;
      if (!sameContent(call.data, wanted.original as never))
        fail(`write #${i} carried other bytes than send #${wanted.sendId ?? '(queued)'} was given`);
    });
  },
};

/**
 * 8. The shell emits exactly the events, makes exactly the transport calls (a socket per
 * attempt, at the URL of that attempt) and runs exactly the timers that the machine's
 * transitions ask for, and `closed` settles with what the machine settled it with.
 */
export const conformsToMachine: Invariant = {
  step(world) {
    const { oracle } = world;
    expect(world.notes).toEqual([]);
    expect(oracle.discrepancies).toEqual([]);
    expect(events(world).map(describeEvent)).toEqual(oracle.events.map(describeEvent));
    expect(world.calls.map(describeCall)).toEqual(oracle.calls.map(describeCall));
    // One clock timer serves the connection's timers, armed for the earliest the machine runs.
    const running = oracle.timers;
    const earliest = running.length === 0 ? undefined : Math.min(...running.map((timer) => timer.due));
    const armed = world.clock.nextDue === undefined ? undefined : world.now() + (world.clock.nextDue - world.clock.now());
    if (world.clock.pendingTimers !== (running.length === 0 ? 0 : 1) || (earliest !== undefined && Math.abs(armed! - earliest) > 1e-9)) {
      fail(
        `the clock runs ${world.clock.pendingTimers} timer(s), next at ${armed}; the machine runs ${running.map((t) => `${t.name}@${t.due}`).join(', ') || 'none'}`,
      );
    }
    if (oracle.settles > 1) fail(`the machine settled the connection ${oracle.settles} times`);
  },
  final(world) {
    conformsToMachine.step(world);
    const settled = world.timeline.filter((entry) => entry.kind === 'settled');
    expect(settled.map((entry) => entry.info)).toEqual([world.oracle.settled]);
  },
};

function describeEvent(event: AppEvent | EventEntry): string {
  const { type, payload } = event as { type: keyof ConnectionEventMap; payload: never };
  switch (type) {
    case 'message':
      return `message ${tag(payload)}`;
    case 'undelivered': {
      const { data, reason } = payload as ConnectionEventMap['undelivered'];
      return `undelivered ${tag(data)} ${reason}`;
    }
    default:
      return `${type} ${JSON.stringify(payload)}`;
  }
}

function describeCall(call: TransportCall): string {
  switch (call.kind) {
    case 'send':
      return `send ${tag(call.original)} ${call.bytes} bytes${call.sendId === undefined ? ' (flushed from the queue)' : ` in send #${call.sendId}`}`;
    case 'close':
      return `close ${call.code} ${JSON.stringify(call.reason)}`;
    case 'open':
      return `open ${call.url}`;
    default:
      return call.kind;
  }
}
