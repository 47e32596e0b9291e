/**
 * The workloads `npm run bench` measures, and a compression bomb. Each runs one implementation once and returns its metrics;
 * `run.ts` decides the rounds and the order. Every workload runs the same code for every
 * implementation: only the adapter changes.
 *
 * Client CPU is `process.cpuUsage()` (user + system, this process only: the server is another
 * process) from just before the work starts until its last effect is observed. Each measured
 * run starts after a full GC, so one implementation's garbage is not collected on another's time.
 */
import { fork } from 'node:child_process';
import { setImmediate as nextTask } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Adapter, ClientHandle } from './clients/adapter.js';
import { benchUrl, nowNs, type ServerMode } from './protocol.js';
import { withTimeout, type ServerHandle } from './server-handle.js';
import type { ServerSessionFigures } from './report.js';

/** A 64-byte text message, the size the issue names. */
export const PAYLOAD = 'm'.repeat(64);

export type Metrics = Record<string, number>;

export interface Context {
  readonly server: ServerHandle;
  readonly gc: () => void;
}

let lastId = 0;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** User-mode CPU alone: the JavaScript side, without the kernel's share of loopback TCP (which is charged to the sender). */
function userMicros(): number {
  return process.cpuUsage().user;
}

interface Open {
  readonly id: number;
  readonly handle: ClientHandle;
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
  /** What the workload does with each message; swapped per workload phase. */
  onMessage: (data: unknown) => void;
}

function connect(adapter: Adapter, ctx: Context, mode: ServerMode, expect = 0, id = ++lastId, queueMany = false): Open {
  let opened!: () => void;
  let closed!: () => void;
  const open: Open = {
    id,
    handle: undefined as unknown as ClientHandle,
    opened: new Promise((resolve) => (opened = resolve)),
    closed: new Promise((resolve) => (closed = resolve)),
    onMessage: () => {},
  };
  (open as { handle: ClientHandle }).handle = adapter.connect(
    benchUrl(ctx.server.port, id, mode, expect),
    {
      open: () => opened(),
      message: (data) => open.onMessage(data),
      close: () => closed(),
    },
    { queueMany },
  );
  return open;
}

/** What a run that never completed reports: no figure, and a count the report shows. */
const FAILED: Metrics = { failed: 1 };

/**
 * The server's delivery report, or `undefined` if the client saw its connection close first
 * (a library that gave up, say on its connect timeout): a failed run, not a 5-minute hang.
 */
async function deliveredOrClosed(open: Open, delivered: Promise<{ at: number }>): Promise<number | undefined> {
  const closedFirst = open.closed.then(() => undefined);
  const result = await Promise.race([delivered.then(({ at }) => at), closedFirst]);
  delivered.catch(() => {}); // once the connection is gone, nobody waits for this any more
  return result;
}

/** Resolves once `open`'s listener has seen `count` messages; `onEarlier` runs for each one before the last. */
function receiveAll(open: Open, count: number, onEarlier?: () => void): Promise<void> {
  let received = 0;
  return new Promise((resolve) => {
    open.onMessage = () => {
      if (++received === count) resolve();
      else onEarlier?.();
    };
  });
}

async function closeAndWait(open: Open): Promise<void> {
  open.handle.close();
  await withTimeout(open.closed, 60_000, `close of connection ${open.id}`);
}

/** 1. 100,000 messages of 64 bytes on an open connection, timed to the server's receipt of the last. */
export function burst(adapter: Adapter, ctx: Context, count: number): Promise<Metrics> {
  return burstOf(PAYLOAD, adapter, ctx, count);
}

/** 1b. The burst with larger messages (1 KiB, 64 KiB): where coalescing saves less and must cost nothing. */
export function burstSized(bytes: number): (adapter: Adapter, ctx: Context, count: number) => Promise<Metrics> {
  const payload = 'm'.repeat(bytes);
  return (adapter, ctx, count) => burstOf(payload, adapter, ctx, count);
}

async function burstOf(payload: string, adapter: Adapter, ctx: Context, count: number): Promise<Metrics> {
  const open = connect(adapter, ctx, 'sink', count);
  await withTimeout(open.opened, 30_000, 'open');
  const delivered = ctx.server.delivered(open.id);
  ctx.gc();
  const cpu0 = cpuMicros();
  const user0 = userMicros();
  const t0 = nowNs();
  for (let i = 0; i < count; i++) open.handle.send(payload);
  const at = await deliveredOrClosed(open, delivered);
  if (at === undefined) return FAILED;
  await nextTask(); // write callbacks still due run on this side of the measurement
  const cpu = cpuMicros() - cpu0;
  const user = userMicros() - user0;
  await closeAndWait(open);
  return { cpuNsPerMessage: (cpu * 1000) / count, userNsPerMessage: (user * 1000) / count, wallNsPerMessage: (at - t0) / count };
}

/**
 * 2. The same messages sent before open (raw `ws` cannot: it sends them from its `open`
 * listener, i.e. its burst rate right after open). Timed from the constructor to the
 * server's receipt of the last message, so both include the same opening handshake.
 */
export async function queued(adapter: Adapter, ctx: Context, count: number): Promise<Metrics> {
  const id = ++lastId;
  const delivered = ctx.server.delivered(id); // waiting before the first byte can land

  ctx.gc();
  const cpu0 = cpuMicros();
  const t0 = nowNs();
  const open = connect(adapter, ctx, 'sink', count, id, true);
  const sendAll = () => {
    for (let i = 0; i < count; i++) open.handle.send(PAYLOAD);
  };
  if (adapter.queuesBeforeOpen) sendAll();
  else void open.opened.then(sendAll);
  const at = await deliveredOrClosed(open, delivered);
  if (at === undefined) return FAILED;
  await nextTask();
  const cpu = cpuMicros() - cpu0;
  await closeAndWait(open);
  return { wallNsPerMessage: (at - t0) / count, cpuNsPerMessage: (cpu * 1000) / count };
}

/** 3. The server sends `count` messages of 64 bytes; timed until the client's listener has seen the last. */
export async function inbound(adapter: Adapter, ctx: Context, count: number): Promise<Metrics> {
  const open = connect(adapter, ctx, 'sink');
  await withTimeout(open.opened, 30_000, 'open');
  const all = receiveAll(open, count);
  ctx.gc();
  const cpu0 = cpuMicros();
  const user0 = userMicros();
  const t0 = nowNs();
  ctx.server.flood(open.id, count, PAYLOAD.length);
  await withTimeout(all, 120_000, 'inbound flood');
  const wall = nowNs() - t0;
  const cpu = cpuMicros() - cpu0;
  const user = userMicros() - user0;
  await closeAndWait(open);
  return { cpuNsPerMessage: (cpu * 1000) / count, userNsPerMessage: (user * 1000) / count, wallNsPerMessage: wall / count };
}

/**
 * Round trips a fresh connection makes before the timed ones, after the full GC (not before it,
 * as the other workloads collect). A full GC deoptimizes the compiled code that refers to objects
 * it frees (V8's "weak objects" deoptimization: the previous slice's sockets and closures), and
 * for thousands of round trips after it every implementation runs slower, raw `ws` included and
 * the more so the more JavaScript is on its path. Measured here, this library against raw `ws`
 * with the round trips timed 200, 2,000 and 5,000 after a forced GC: 1.41x, 1.13x, 1.04x; with
 * no GC, 1.01–1.03x. Timed sooner, each slice would measure recompilation, which a long-lived
 * connection meets only after a major GC has freed what its code was compiled against, rather
 * than the round trip. (The first round trips on a new connection are slower too: TCP's warm-up.)
 */
const ECHO_WARM_UP = 5_000;

/** 4. Sequential echo round trips: the next message goes out when the previous one came back. */
export async function echo(adapter: Adapter, ctx: Context, count: number): Promise<Metrics> {
  const open = connect(adapter, ctx, 'echo');
  await withTimeout(open.opened, 30_000, 'open');
  ctx.gc();
  const warm = receiveAll(open, ECHO_WARM_UP, () => open.handle.send(PAYLOAD));
  open.handle.send(PAYLOAD);
  await withTimeout(warm, 120_000, 'echo warm-up');
  const all = receiveAll(open, count, () => open.handle.send(PAYLOAD));
  const cpu0 = cpuMicros();
  const t0 = nowNs();
  open.handle.send(PAYLOAD);
  await withTimeout(all, 120_000, 'echo round trips');
  const wall = nowNs() - t0;
  const cpu = cpuMicros() - cpu0;
  await closeAndWait(open);
  return { usPerRoundTrip: wall / count / 1000, cpuNsPerRoundTrip: (cpu * 1000) / count };
}

/** The producer's watermark and chunk: 256 KiB and 64 KiB. */
export const PRODUCER_HIGH_WATER_MARK = 256 * 1024;
export const PRODUCER_CHUNK = 64 * 1024;

/**
 * 4b. A producer writing `totalBytes` in 64 KiB chunks through a link throttled to 10 MB/s (the
 * server reads no faster), waiting for room below a 256 KiB watermark its implementation's way
 * (statesock: the `statesock/streams` writable; raw `ws`: polling `bufferedAmount`).
 * `bufferedAmount` is sampled at every chunk and every 5 ms; the figure is its peak, over the
 * bound the issue sets (watermark plus the largest message): at most 1 is within it.
 */
export async function producer(adapter: Adapter, ctx: Context, totalBytes: number): Promise<Metrics> {
  const count = Math.ceil(totalBytes / PRODUCER_CHUNK);
  const chunk = new Uint8Array(PRODUCER_CHUNK).fill(7);
  const id = ++lastId;
  let opened!: () => void;
  let closed!: () => void;
  const open = {
    opened: new Promise<void>((resolve) => (opened = resolve)),
    closed: new Promise<void>((resolve) => (closed = resolve)),
  };
  const handle = adapter.connect(
    benchUrl(ctx.server.port, id, 'throttle', count),
    { open: () => opened(), message: () => {}, close: () => closed() },
    { highWaterMark: PRODUCER_HIGH_WATER_MARK },
  );
  await withTimeout(open.opened, 30_000, 'open');
  const delivered = ctx.server.delivered(id);
  ctx.gc();
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, handle.bufferedAmount)), 5);
  const t0 = nowNs();
  await handle.produce(chunk, count, PRODUCER_HIGH_WATER_MARK, () => (peak = Math.max(peak, handle.bufferedAmount)));
  peak = Math.max(peak, handle.bufferedAmount);
  clearInterval(sample);
  const result = await Promise.race([delivered.then(({ at }) => at), open.closed.then(() => undefined)]);
  delivered.catch(() => {});
  if (result === undefined) return FAILED;
  handle.close();
  await withTimeout(open.closed, 60_000, `close of connection ${id}`);
  const seconds = (result - t0) / 1e9;
  return {
    peakOverBound: peak / (PRODUCER_HIGH_WATER_MARK + PRODUCER_CHUNK),
    peakBufferedKiB: peak / 1024,
    megabytesPerSecond: totalBytes / 1e6 / seconds,
  };
}

/**
 * 5. `count` connections open at once, each implementation with its defaults (statesock:
 * reconnection and the heartbeat on): heap (JS heap plus external memory, after a full GC)
 * and RSS, per connection, each measured in a fresh child process (see `memory-client.ts`).
 * Waits until the server has let go of every connection, so the next run has the file
 * descriptors back.
 */
export async function connections(adapter: Adapter, ctx: Context, count: number): Promise<Metrics> {
  const metrics = await inFreshProcess(
    './memory-client.ts',
    [adapter.name, String(count), String(ctx.server.port)],
    300_000,
    `${count} connections of ${adapter.name}`,
  );
  await ctx.server.settle();
  return { heapBytesPerConnection: metrics['heapBytesPerConnection']!, rssBytesPerConnection: metrics['rssBytesPerConnection']! };
}

/**
 * 6. `close()` right after handing over 10 MB (64 KiB binary messages): the time until the
 * close event, and whether (and when) every byte reached the server.
 */
export async function closeAfterSend(adapter: Adapter, ctx: Context, totalBytes: number): Promise<Metrics> {
  const CHUNK = 64 * 1024;
  const chunk = new Uint8Array(CHUNK).fill(7);
  const messages = Math.ceil(totalBytes / CHUNK);
  const open = connect(adapter, ctx, 'sink');
  await withTimeout(open.opened, 30_000, 'open');
  const serverClosed = ctx.server.closed(open.id);
  ctx.gc();
  const t0 = nowNs();
  for (let i = 0; i < messages; i++) open.handle.send(chunk);
  open.handle.close();
  await withTimeout(open.closed, 60_000, 'close event');
  const closeAt = nowNs();
  const report = await serverClosed;
  const all = report.bytes === messages * CHUNK;
  return {
    msToCloseEvent: (closeAt - t0) / 1e6,
    // The honest finish line: the close event has fired AND the last byte has arrived.
    msToCloseAndDelivery: all ? (Math.max(closeAt, report.lastAt) - t0) / 1e6 : Number.NaN,
    deliveredBeforeCloseEvent: all && report.lastAt <= closeAt ? 1 : 0,
    bytesDeliveredFraction: report.bytes / (messages * CHUNK),
  };
}

/**
 * 7. A compression bomb: the server sends one text message of `bytes` of one repeated byte with
 * permessage-deflate (a thousandfold smaller on the wire). How far the client process's peak
 * RSS rises above its resting use, in a fresh process (see `bomb-client.ts`); whether the
 * message was delivered (in MiB) or refused with 1009 (0).
 */
export function bomb(adapter: Adapter, ctx: Context, bytes: number): Promise<Metrics> {
  return inFreshProcess(
    './bomb-client.ts',
    [adapter.name, String(bytes), String(ctx.server.bombPort)],
    180_000,
    `the bomb for ${adapter.name}`,
  );
}

/**
 * 8. The server's heap per idle reliable session, apart from its `ws` socket: `count` sessions
 * on in-memory sockets in a fresh process (see `server-session-memory.ts`).
 */
export async function serverSessionMemory(count: number): Promise<ServerSessionFigures> {
  const { sessions, heapBytesPerSession } = await inFreshProcess('./server-session-memory.ts', [String(count)], 120_000, 'server sessions');
  return { sessions: sessions!, heapBytesPerSession: heapBytesPerSession! };
}

/** Runs `script` (next to this file) in a fresh process with `--expose-gc`, and resolves with what it reports over IPC once it has exited. */
async function inFreshProcess(script: string, args: readonly string[], timeoutMs: number, what: string): Promise<Metrics> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [...args], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: 'inherit',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const report = new Promise<Metrics>((resolve, reject) => {
    child.once('message', (message: Metrics) => resolve(message));
    void exited.then((code) => reject(new Error(`${script} (${what}) exited with ${code} before reporting`)));
  });
  const metrics = await withTimeout(report, timeoutMs, what);
  await exited;
  return metrics;
}
