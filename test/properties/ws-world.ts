/**
 * One generated run against a real `ws` server on loopback, through the fault-injecting proxy:
 * the proxy may reset or stall the connect, or drop, reset or blackhole the link after so many
 * bytes of either direction; the server may echo, close with a code, or drop the connection
 * after so many messages; the application sends before and after open and closes. Five in
 * six runs reconnect (`fc.option`'s default; a retry or two, short waits), so a fault is followed by new sockets through
 * the same faulty proxy. The proxy records which messages it read from the client and passed
 * on (`upstream-traffic.ts`), so a lost message is placed exactly. Time is the real clock with
 * short timeouts, counted so the run can prove no timer is left; nothing sleeps.
 *
 * The heartbeat, where a run has one, is armed but cannot fire: its interval is far longer than
 * any run (a few tens of ms; the stuck guard fails one at 5 s), so it never pings on a machine
 * that is merely busy. On 40–80 ms real timers it used to time out with no fault at all, and
 * whether a run lost messages then depended on the machine's load. Dead links are still found:
 * the close handshake's timeout ends a blackholed attempt, and `test/resilience/` runs the
 * heartbeat against blackholed links.
 */
import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import type { WebSocket as ServerSocket } from 'ws';
import {
  createConnection,
  type Clock,
  type Connection,
  type ConnectionEventMap,
  type ConnectionStateName,
  type OutgoingData,
  type WebSocketConstructor,
} from '../../src/index.js';
import { nextEvent } from '../support/harness.js';
import { cutAfter, startProxy, type Admission, type Cut, type UpstreamTraffic } from '../support/throttle-proxy.js';
import { startWsServer } from '../support/ws-server.js';
import { text, validClose, type CloseArgsSpec } from './arbitraries.js';
import type { Entry } from './world.js';

export const TIMEOUTS = { connectTimeout: 150, drainTimeout: 100, closeTimeout: 150 } as const;

/** A message carrying its number (text: `<id>:` first; binary: the first 4 bytes), so the server's log names it. */
export type WsPayload =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'binary'; readonly offset: number; readonly length: number };

export interface WsPlan {
  readonly admit: Admission;
  readonly upstream: Cut | undefined;
  readonly downstream: Cut | undefined;
  readonly echo: boolean;
  /** The server sends a message as soon as it accepts: it arrives with, or right after, the open. */
  readonly greet: boolean;
  /** What the server does once it has received `after` messages. */
  readonly serverEnd:
    | { readonly kind: 'none' }
    | { readonly kind: 'close'; readonly after: number; readonly code: number }
    | { readonly kind: 'terminate'; readonly after: number };
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly beforeOpen: readonly WsPayload[];
  readonly closeBeforeOpen: boolean;
  /** Sends after open, with event-loop turns between bursts so echoes and faults interleave with them. */
  readonly afterOpen: readonly (WsPayload | { readonly turns: number })[];
  readonly close: CloseArgsSpec;
  /** `reconnect` on, with these options; off when undefined. */
  readonly reconnect: ReconnectPlan | undefined;
}

/** How a real-socket run reconnects. */
export interface ReconnectPlan {
  readonly maxRetries: number;
  readonly minReconnectDelay: number;
  readonly maxReconnectDelay: number;
  /** 0: no heartbeat; the `ws` transport has protocol pings. */
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
}

/** A heartbeat interval and timeout no run reaches: see the file's comment. */
const UNREACHABLE_HEARTBEAT_MS = 10_000;

/** Short waits, since real time passes in these runs, so they stay within a few hundred ms; a heartbeat that is armed, or none. */
const reconnectPlan: fc.Arbitrary<ReconnectPlan> = fc.record({
  maxRetries: fc.integer({ min: 0, max: 2 }),
  minReconnectDelay: fc.integer({ min: 1, max: 20 }),
  maxReconnectDelay: fc.constant(40),
  heartbeatInterval: fc.constantFrom(0, UNREACHABLE_HEARTBEAT_MS),
  heartbeatTimeout: fc.constant(UNREACHABLE_HEARTBEAT_MS),
});

const wsPayload: fc.Arbitrary<WsPayload> = fc.oneof(
  text.map((t): WsPayload => ({ kind: 'text', text: t })),
  fc.record({ offset: fc.nat(8), length: fc.integer({ min: 4, max: 64 }) }).map((b): WsPayload => ({ kind: 'binary', ...b })),
);

const cut: fc.Arbitrary<Cut | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.record({ after: fc.nat(400), mode: fc.constantFrom('drop' as const, 'reset' as const, 'blackhole' as const) }),
  },
);

export const plans: fc.Arbitrary<WsPlan> = fc.record({
  admit: fc.oneof(
    { weight: 8, arbitrary: fc.constant('forward' as const) },
    { weight: 1, arbitrary: fc.constantFrom('reset' as const, 'stall' as const) },
  ),
  upstream: cut,
  downstream: cut,
  echo: fc.boolean(),
  greet: fc.boolean(),
  serverEnd: fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), after: fc.nat(6), code: fc.constantFrom(1000, 1001, 4000) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('terminate' as const), after: fc.nat(6) }) },
  ),
  maxQueuedMessages: fc.integer({ min: 1, max: 8 }),
  maxQueuedBytes: fc.oneof(fc.integer({ min: 16, max: 256 }), fc.constant(1 << 20)),
  beforeOpen: fc.array(wsPayload, { maxLength: 6 }),
  closeBeforeOpen: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  afterOpen: fc.array(
    fc.oneof({ weight: 3, arbitrary: wsPayload }, { weight: 1, arbitrary: fc.record({ turns: fc.integer({ min: 1, max: 8 }) }) }),
    { maxLength: 12 },
  ),
  close: validClose,
  reconnect: fc.option(reconnectPlan, { nil: undefined }),
});

/** What a run leaves for the checks. */
export interface WsOutcome {
  readonly plan: WsPlan;
  readonly connection: Connection;
  readonly timeline: Entry[];
  /** Every state observed, in order (after each call and inside every listener). */
  readonly states: { readonly state: ConnectionStateName; readonly readyState: number }[];
  /** Whether `send()`'s queue ever broke its bounds, as observed after each call and in each listener. */
  readonly queueViolations: string[];
  /** The message numbers the server received, in order. */
  readonly received: number[];
  /** What went up each link the proxy made, in order. */
  readonly upstream: readonly UpstreamTraffic[];
  /** The attempt each accepted message was handed to a socket on (queued ones: the attempt that flushed them). */
  readonly writtenOn: ReadonlyMap<number, number>;
  /** Whether the proxy cut a link (dropped, reset or blackholed it after its byte budget). */
  readonly cut: boolean;
  /** The ports (the proxy's, as the server saw them) of the server sockets whose closing handshake the server started. */
  readonly serverClosedFirst: ReadonlySet<number>;
  /** Timers still pending on the connection's clock once it closed. */
  readonly timersAfterClose: number;
  /** Events heard after the close and a few more event-loop turns. */
  readonly lateEvents: string[];
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The platform's timers, counted: how many are still pending. */
function countingClock() {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  const clock: Clock = {
    now: () => performance.now(),
    setTimeout: (callback, ms) => {
      const handle = setTimeout(() => {
        pending.delete(handle);
        callback();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as ReturnType<typeof setTimeout>);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
  return { clock, pending };
}

function build(payload: WsPayload, id: number): OutgoingData {
  if (payload.kind === 'text') return `${id}:${payload.text}`;
  const view = new Uint8Array(new ArrayBuffer(payload.offset + payload.length + 3), payload.offset, payload.length);
  view.fill(0xab);
  new DataView(view.buffer, view.byteOffset).setUint32(0, id);
  return view;
}

function idOf(data: Buffer, isBinary: boolean): number {
  return isBinary ? data.readUInt32BE(0) : Number(data.toString().split(':', 1)[0]);
}

/** `idOf` for the proxy's records, which read every client frame. */
function numberOf(payload: Buffer, isBinary: boolean): number | undefined {
  if (isBinary && payload.length < 4) return undefined;
  const id = idOf(payload, isBinary);
  return Number.isInteger(id) ? id : undefined;
}

/**
 * The connection's close, or a failure if it never comes: every path to it is bounded by a
 * timeout of at most a few hundred ms, so 5 s means a connection stuck open (a bug), not a slow one.
 */
async function closedOrStuck(connection: Connection): Promise<void> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error(`6. the connection never closed: still ${connection.state}`)), 5000);
  });
  try {
    await Promise.race([connection.closed, stuck]);
  } finally {
    clearTimeout(guard);
  }
}

/** `WebSocket`: a platform-shaped constructor for the native transport; the `ws` transport when absent. */
export async function runPlan(plan: WsPlan, WebSocket?: WebSocketConstructor): Promise<WsOutcome> {
  const server = await startWsServer();
  let cut = false;
  const received: number[] = [];
  const serverClosed: Promise<void>[] = [];
  const serverClosedFirst = new Set<number>();
  server.server.on('connection', (socket: ServerSocket, request: IncomingMessage) => {
    serverClosed.push(new Promise((resolve) => socket.on('close', () => resolve())));
    const end = plan.serverEnd;
    const endNow = (): void => {
      if (end.kind === 'close') {
        // Before the client's close frame, if one is coming: then this close starts the handshake.
        if (socket.readyState === socket.OPEN) serverClosedFirst.add(request.socket.remotePort!);
        socket.close(end.code, 'server ends');
      } else if (end.kind === 'terminate') socket.terminate();
    };
    if (plan.greet) socket.send('hello');
    if (end.kind !== 'none' && end.after === 0) endNow();
    socket.on('message', (data: Buffer, isBinary) => {
      received.push(idOf(data, isBinary));
      if (plan.echo && socket.readyState === socket.OPEN) socket.send(data, { binary: isBinary });
      if (end.kind !== 'none' && received.length === end.after) endNow();
    });
  });
  const onCut = () => (cut = true);
  const proxy = await startProxy({
    target: server.port,
    admit: plan.admit,
    identify: numberOf,
    ...(plan.upstream === undefined ? {} : { upstream: cutAfter(plan.upstream, onCut) }),
    ...(plan.downstream === undefined ? {} : { downstream: cutAfter(plan.downstream, onCut) }),
  });
  const timers = countingClock();
  const connection = createConnection(proxy.url, {
    clock: timers.clock,
    ...TIMEOUTS,
    ...(plan.reconnect === undefined ? { reconnect: false } : { reconnect: true, ...plan.reconnect }),
    environment: null,
    maxQueuedMessages: plan.maxQueuedMessages,
    maxQueuedBytes: plan.maxQueuedBytes,
    ...(WebSocket === undefined ? {} : { WebSocket }),
  });
  const timeline: Entry[] = [];
  const states: WsOutcome['states'] = [];
  const queueViolations: string[] = [];
  const observe = (): void => {
    states.push({ state: connection.state, readyState: connection.readyState });
    const queued = connection.queuedMessages;
    if (queued > plan.maxQueuedMessages) queueViolations.push(`${queued} messages queued (max ${plan.maxQueuedMessages})`);
    const queueing = connection.state === 'connecting' || connection.state === 'reconnecting';
    if (queueing && connection.bufferedAmount > plan.maxQueuedBytes) {
      queueViolations.push(`${connection.bufferedAmount} bytes queued (max ${plan.maxQueuedBytes})`);
    }
    if (queued > 0 && !queueing && connection.state !== 'closing.aborting')
      queueViolations.push(`${queued} messages queued in ${connection.state}`);
    if (connection.bufferedAmount < 0) queueViolations.push(`bufferedAmount ${connection.bufferedAmount}`);
  };
  for (const type of ['open', 'message', 'error', 'close', 'undelivered', 'state', 'reconnecting', 'giveup'] as const) {
    connection.on(type, (payload: ConnectionEventMap[typeof type]) => {
      timeline.push({ kind: 'event', type, payload, readyState: connection.readyState, state: connection.state, at: timers.clock.now() });
      observe();
    });
  }
  const writes = trackWrites(connection);
  let nextId = 0;
  const send = (payload: WsPayload): void => {
    const data = build(payload, nextId++);
    const entry: Entry & { kind: 'send' } = { kind: 'send', id: nextId - 1, data, accepted: undefined };
    timeline.push(entry);
    const open = connection.state === 'open';
    entry.accepted = connection.send(data);
    if (entry.accepted) writes.sent(entry.id, data, open);
    observe();
  };

  let proxyOpen = true;
  const closeProxy = async (): Promise<void> => {
    if (!proxyOpen) return;
    proxyOpen = false;
    await proxy.close();
  };
  try {
    for (const payload of plan.beforeOpen) send(payload);
    if (plan.closeBeforeOpen) void connection.close(plan.close.code, plan.close.reason);
    observe();
    const opened = await Promise.race([nextEvent(connection, 'open').then(() => true), connection.closed.then(() => false)]);
    if (opened) {
      for (const step of plan.afterOpen) {
        if ('turns' in step) for (let i = 0; i < step.turns; i++) await turn();
        else send(step);
      }
      if (connection.readyState < 2) void connection.close(plan.close.code, plan.close.reason);
      observe();
    }
    await closedOrStuck(connection);
    const heard = timeline.length;
    for (let i = 0; i < 5; i++) await turn();
    const timersAfterClose = timers.pending.size;
    await closeProxy(); // ends the server's side too, so its log of messages is final
    await Promise.all(serverClosed);
    for (let i = 0; i < 3; i++) await turn();
    const lateEvents = timeline.slice(heard).map((entry) => (entry.kind === 'event' ? entry.type : entry.kind));
    return {
      plan,
      connection,
      timeline,
      states,
      queueViolations,
      received,
      upstream: proxy.upstream,
      writtenOn: writes.writtenOn,
      cut,
      serverClosedFirst,
      timersAfterClose,
      lateEvents,
    };
  } finally {
    if (connection.readyState < 2) void connection.close();
    await closeProxy();
    await server.close();
  }
}

/**
 * On which attempt each accepted message was handed to a socket: at once while open; queued
 * ones when the next attempt opens (the queue is flushed before `open`), unless reported first.
 * Attempts count as the connection's events say: the first is 1, each `reconnecting` names the next.
 */
function trackWrites(connection: Connection): {
  readonly writtenOn: Map<number, number>;
  sent(id: number, data: OutgoingData, open: boolean): void;
} {
  const writtenOn = new Map<number, number>();
  const ids = new Map<OutgoingData, number>();
  let queued: number[] = [];
  let attempt = 1;
  connection.on('reconnecting', (info) => (attempt = info.attempt));
  connection.on('open', () => {
    for (const id of queued) writtenOn.set(id, attempt);
    queued = [];
  });
  connection.on('undelivered', ({ data }) => {
    const id = ids.get(data);
    queued = queued.filter((queuedId) => queuedId !== id);
  });
  return {
    writtenOn,
    sent(id, data, open) {
      ids.set(data, id);
      if (open) writtenOn.set(id, attempt);
      else queued.push(id);
    },
  };
}
