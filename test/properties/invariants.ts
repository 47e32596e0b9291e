/**
 * The invariants the memory properties hold the connection to, one per property. Each looks at
 * the world after every settled step (`step`) and, some, once the connection has finally
 * closed (`final`). They fail with a sentence that says what went wrong.
 */
import { expect } from 'vitest';
import type { ConnectionEventMap, UndeliveredReason } from '../../src/index.js';
import { quote, sameContent } from './arbitraries.js';
import { readyStateOfName } from '../../src/connection-events.js';
import type { AppEvent, TransportCall } from './oracle.js';
import type { Entry, Invariant, MemoryWorld } from './world.js';

type SendEntry = Extract<Entry, { kind: 'send' }>;
export type EventEntry = Extract<Entry, { kind: 'event' }>;

export const REASONS = new Set<UndeliveredReason>(['queue-full', 'closed-before-open', 'closing', 'closed', 'drain-timeout', 'connection-lost']);
/**
 * Whether a report is a refused `send()`'s rather than an accepted message's. `closed` is both:
 * a send after the close, or a message still unsent at a clean close; the latter are always
 * reported before the `close` event, the former always after it.
 */
export function isRefusal(reason: UndeliveredReason, afterClose: boolean): boolean {
  return reason === 'queue-full' || reason === 'closing' || (reason === 'closed' && afterClose);
}

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

export function events(world: { readonly timeline: readonly Entry[] }): EventEntry[] {
  return world.timeline.filter((entry): entry is EventEntry => entry.kind === 'event');
}

/**
 * 1. Every message handed to `send()` gets exactly one fate. Accepted messages leave, oldest
 * first, either written out by the socket (same content) or reported undelivered (the same
 * object); refused ones are reported once each. So: in order, never both, never neither.
 */
export const exactlyOneFate: Invariant = {
  step: (world) => checkFates(world, false),
  final: (world) => checkFates(world, true),
};

function checkFates(world: MemoryWorld, final: boolean): void {
  const pending: SendEntry[] = []; // accepted, no fate yet, oldest first
  const refused: SendEntry[] = []; // refused, not yet reported
  let closed = false;
  for (const entry of world.timeline) {
    if (entry.kind === 'send') {
      (entry.accepted ? pending : refused).push(entry);
    } else if (entry.kind === 'written') {
      const head = pending.shift() ?? fail(`the socket wrote ${tag(entry.data)}, but no accepted message was waiting (written twice, or never sent)`);
      if (!sameContent(entry.data, head.data)) fail(`the socket wrote ${tag(entry.data)} where send #${head.id} (${tag(head.data)}) was next: out of order or altered`);
    } else if (entry.type === 'undelivered') {
      const { data, reason } = entry.payload as ConnectionEventMap['undelivered'];
      if (!REASONS.has(reason)) fail(`undelivered with an unknown reason ${reason}`);
      if (isRefusal(reason, closed) && refused[0] !== undefined && Object.is(refused[0].data, data)) refused.shift();
      else if (pending[0] !== undefined && Object.is(pending[0].data, data)) pending.shift();
      else fail(`reported ${tag(data)} undelivered (${reason}), but it was not the next message waiting for a fate (reported twice, written too, or out of order)`);
    } else if (entry.type === 'close') {
      closed = true;
      if (pending.length > 0) fail(`close fired while ${pending.map((p) => `send #${p.id}`).join(', ')} still had no fate`);
    }
  }
  if (final && pending.length + refused.length > 0) {
    fail(`after the final close, ${[...pending, ...refused].map((p) => `send #${p.id} (${tag(p.data)})`).join(', ')} was neither written nor reported`);
  }
}

/** 2. `error` never after `close`, at most one `close` (and one `error`), no `open` or `message` after `close`. */
export const eventOrder: Invariant = {
  step: (world) => checkEventOrder(events(world)),
};

/** The order rules of invariant 2 over a log of events, for any transport. */
export function checkEventOrder(log: readonly { readonly type: string }[]): void {
  let closed = false;
  let opened = false;
  let errors = 0;
  let lastLifecycle: string | undefined;
  for (const { type } of log) {
    if (closed && (type === 'error' || type === 'open' || type === 'message' || type === 'close')) fail(`${type} after close`);
    if (type === 'message' && !opened) fail('message before open');
    if (type === 'error' && ++errors > 1) fail('a second error in one attempt');
    // A failed connect is error, the undelivered reports, then close: never a bare close.
    if (type === 'close' && !opened && lastLifecycle !== 'error') fail('a connect that never opened closed without an error first');
    if (type === 'open') opened = true;
    if (type === 'close') closed = true;
    if (type === 'open' || type === 'error' || type === 'close') lastLifecycle = type;
  }
}

/** 3. `readyState` is the machine's, and only moves forward (the attempt is the connection's only one). */
export const readyStateFollowsMachine: Invariant = {
  step(world) {
    const { connection, oracle } = world;
    if (connection.state !== oracle.state) fail(`state is ${connection.state}; the machine, given the same facts, is in ${oracle.state}`);
    if (connection.readyState !== oracle.readyState) fail(`readyState is ${connection.readyState}; the machine's state ${oracle.state} is ${oracle.readyState}`);
    checkReadyStates(world.readyStates, events(world));
  },
};

/**
 * The `readyState` rules of invariant 3 that need no oracle: it never goes back; `open` fires at
 * OPEN, `close` at CLOSED, `error` at CLOSING or later; a state event's two halves agree.
 */
export function checkReadyStates(observed: readonly number[], log: readonly EventEntry[]): void {
  observed.reduce((previous, current) => (current < previous ? fail(`readyState went back from ${previous} to ${current}`) : current), 0);
  for (const entry of log) {
    if (entry.type === 'open' && entry.readyState !== 1) fail(`open fired at readyState ${entry.readyState}`);
    if (entry.type === 'close' && entry.readyState !== 3) fail(`close fired at readyState ${entry.readyState}`);
    if (entry.type === 'error' && entry.readyState < 2) fail(`error fired at readyState ${entry.readyState}`);
    if (entry.type === 'state') {
      const { state, readyState } = entry.payload as ConnectionEventMap['state'];
      if (readyState !== readyStateOfName(state)) fail(`a state event says ${state} is readyState ${readyState}`);
    }
  }
}

/** 4. `bufferedAmount` is never negative and is exactly the bytes queued plus the bytes handed to the socket and not yet written. */
export const bufferedAmountAccounts: Invariant = {
  step({ connection, oracle }) {
    const amount = connection.bufferedAmount;
    if (!Number.isSafeInteger(amount) || amount < 0) fail(`bufferedAmount is ${amount}`);
    if (amount !== oracle.bufferedBytes) {
      fail(`bufferedAmount is ${amount}; queued ${oracle.queuedBytes} + held by the socket ${oracle.bufferedBytes - oracle.queuedBytes} = ${oracle.bufferedBytes}`);
    }
  },
};

/** 5. The queue never holds more than `maxQueuedMessages` messages or `maxQueuedBytes` bytes, and only before open. */
export const queueWithinBounds: Invariant = {
  step({ connection, oracle, socket, config }) {
    const messages = connection.queuedMessages;
    const bytes = connection.bufferedAmount - socket.bufferedAmount;
    if (messages > config.maxQueuedMessages) fail(`${messages} messages queued; maxQueuedMessages is ${config.maxQueuedMessages}`);
    if (bytes > config.maxQueuedBytes) fail(`${bytes} bytes queued; maxQueuedBytes is ${config.maxQueuedBytes}`);
    if (messages !== oracle.queue.length || bytes !== oracle.queuedBytes) {
      fail(`the queue holds ${messages} messages, ${bytes} bytes; the model ${oracle.queue.length}, ${oracle.queuedBytes}`);
    }
    if (messages > 0 && connection.state !== 'connecting' && connection.state !== 'closing.aborting') fail(`${messages} messages still queued in ${connection.state}`);
  },
};

/** 6. After the final close: no timer, no socket, nothing buffered, the `closed` promise settled, and nothing more is heard. */
export const nothingLeftBehind: Invariant = {
  step: () => {},
  async final(world) {
    const { connection, clock, socket } = world;
    if (connection.state !== 'closed') fail(`the connection ended in ${connection.state}`);
    if (clock.pendingTimers !== 0) fail(`${clock.pendingTimers} timers still pending after the final close`);
    if (socket.phase !== 'closed' && socket.phase !== 'terminated') fail(`the socket is still ${socket.phase}`);
    if (connection.bufferedAmount !== 0 || connection.queuedMessages !== 0) fail(`${connection.bufferedAmount} bytes still buffered after the final close`);
    const closes = events(world).filter((entry) => entry.type === 'close');
    if (closes.length !== 1) fail(`${closes.length} close events`);
    expect(await connection.closed).toBe(closes[0]!.payload);

    // Whatever the transport or the clock does now (even reports a transport must not make
    // after terminate()), the connection stays closed, silent, and touches nothing.
    const heard = world.timeline.length;
    const calls = world.calls.length;
    const handlers = world.held.shellHandlers!;
    handlers.open('late', '');
    handlers.message('late');
    handlers.error({ cause: 'transport-error', message: 'late' });
    handlers.close(1000, 'late', true);
    for (const callback of world.held.drainCallbacks) callback();
    clock.advance(2 ** 31);
    await new Promise((resolve) => setImmediate(resolve));
    const late = world.timeline.slice(heard).map((entry) => (entry.kind === 'event' ? entry.type : entry.kind));
    if (late.length > 0) fail(`after the final close, stray reports still produced ${late.join(', ')}`);
    if (world.calls.length !== calls) fail(`after the final close, the connection still called its transport: ${world.calls.slice(calls).map((c) => c.kind).join(', ')}`);
    if (connection.state !== 'closed' || clock.pendingTimers !== 0) fail('a stray report revived the connection');
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
      if (!sameContent(call.data, wanted.original as never)) fail(`write #${i} carried other bytes than send #${wanted.sendId ?? '(queued)'} was given`);
    });
  },
};

/** The shell emits exactly the events, and makes exactly the transport calls, that the machine's transitions ask for. */
export const conformsToMachine: Invariant = {
  step(world) {
    const { oracle } = world;
    expect(world.notes).toEqual([]);
    expect(oracle.discrepancies).toEqual([]);
    expect(events(world).map(describeEvent)).toEqual(oracle.events.map(describeEvent));
    expect(world.calls.map(describeCall)).toEqual(oracle.calls.map(describeCall));
    const clockTimers = world.clock.pendingTimers;
    if (clockTimers !== oracle.timers.length) fail(`${clockTimers} timers pending; the machine runs ${oracle.timers.map((t) => t.name).join(', ') || 'none'}`);
  },
  final(world) {
    conformsToMachine.step(world);
  },
};

function describeEvent(event: AppEvent | EventEntry): string {
  const { type, payload } = event as { type: keyof ConnectionEventMap; payload: never };
  switch (type) {
    case 'open':
      return `open ${JSON.stringify(payload)}`;
    case 'message':
      return `message ${tag(payload)}`;
    case 'error':
    case 'close':
    case 'state':
      return `${type} ${JSON.stringify(payload)}`;
    case 'undelivered': {
      const { data, reason } = payload as ConnectionEventMap['undelivered'];
      return `undelivered ${tag(data)} ${reason}`;
    }
  }
}

function describeCall(call: TransportCall): string {
  switch (call.kind) {
    case 'send':
      return `send ${tag(call.original)} ${call.bytes} bytes${call.sendId === undefined ? ' (flushed from the queue)' : ` in send #${call.sendId}`}`;
    case 'close':
      return `close ${call.code} ${JSON.stringify(call.reason)}`;
    default:
      return call.kind;
  }
}
