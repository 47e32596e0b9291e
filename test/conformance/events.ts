/**
 * Awaiting and recording events, for the conformance cases. Nothing here sleeps: every helper
 * waits for an event, and a timeout is only a bound after which the case fails.
 */
import { fail, show } from './assert.js';
import type { ConformanceEnv, SocketUnderTest } from './env.js';
import type { SinkRecord } from './server.js';

/** How long any single wait may take before the case fails (loopback answers in milliseconds). */
export const BOUND_MS = 5_000;

/** `CloseEvent`'s attributes, as the cases read them. */
export interface CloseEventLike extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** Resolves as `promise` does, or fails the case after `BOUND_MS`. */
export function within<T>(promise: Promise<T>, what: string, ms = BOUND_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** The next `type` event at `target`. */
export function nextEvent<E extends Event = Event>(target: EventTarget, type: string): Promise<E> {
  return within(
    new Promise<E>((resolve) => target.addEventListener(type, (event) => resolve(event as E), { once: true })),
    `waiting for a ${type} event`,
  );
}

/** The close event (the socket must not be closed yet). */
export function nextClose(ws: SocketUnderTest): Promise<CloseEventLike> {
  return nextEvent<CloseEventLike>(ws, 'close');
}

/** Resolves once `ws` is open; fails the case if it closes first. */
export function opened(ws: SocketUnderTest): Promise<SocketUnderTest> {
  if (ws.readyState === 1) return Promise.resolve(ws);
  return within(
    new Promise<SocketUnderTest>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(ws), { once: true });
      ws.addEventListener(
        'close',
        (event) => reject(new Error(`${ws.url} closed before it opened: ${describeClose(event as CloseEventLike)}`)),
        {
          once: true,
        },
      );
    }),
    `waiting for ${ws.url} to open`,
  );
}

/** The data of the next `count` messages; fails the case if the socket closes first. */
export function messages(ws: SocketUnderTest, count: number): Promise<unknown[]> {
  const data: unknown[] = [];
  return within(
    new Promise<unknown[]>((resolve, reject) => {
      const onMessage = (event: Event) => {
        data.push((event as MessageEvent).data);
        if (data.length < count) return;
        ws.removeEventListener('message', onMessage);
        ws.removeEventListener('close', onClose);
        resolve(data);
      };
      const onClose = (event: Event) =>
        reject(new Error(`closed after ${data.length} of ${count} messages (${show(data)}): ${describeClose(event as CloseEventLike)}`));
      ws.addEventListener('message', onMessage);
      ws.addEventListener('close', onClose, { once: true });
    }),
    `waiting for ${count} messages`,
  );
}

/** The next message, parsed as JSON. */
export async function nextJson<T>(ws: SocketUnderTest): Promise<T> {
  const [data] = await messages(ws, 1);
  if (typeof data !== 'string') fail(`expected a JSON text message, got ${show(data)}`);
  return JSON.parse(data) as T;
}

/** Every event of `types` at `ws`, as `type@readyState` with the readyState read during dispatch. */
export interface EventLog {
  readonly entries: string[];
  readonly events: Event[];
}

export function record(ws: SocketUnderTest, types: readonly string[] = ['open', 'message', 'error', 'close']): EventLog {
  const log: EventLog = { entries: [], events: [] };
  for (const type of types) {
    ws.addEventListener(type, (event) => {
      log.entries.push(`${type}@${ws.readyState}`);
      log.events.push(event);
    });
  }
  return log;
}

/** `code reason wasClean`, for messages. */
export function describeClose(event: CloseEventLike): string {
  return `code ${event.code}, reason ${show(event.reason)}, wasClean ${String(event.wasClean)}`;
}

/**
 * Lets whatever another socket still has queued be dispatched, by completing a whole session on
 * a fresh socket (open, echo, close): used to show that an event did *not* happen (a second close
 * event, a reconnection) without sleeping.
 */
export async function settle(env: ConformanceEnv): Promise<void> {
  const ws = env.create(env.url('/echo'));
  await opened(ws);
  ws.send('settle');
  await messages(ws, 1);
  const closed = nextClose(ws);
  ws.close();
  await closed;
}

/** The bytes of binary message data (an `ArrayBuffer` or a `Blob`). */
export async function bytesOf(data: unknown): Promise<number[]> {
  if (data instanceof ArrayBuffer) return [...new Uint8Array(data)];
  if (typeof Blob !== 'undefined' && data instanceof Blob) return [...new Uint8Array(await data.arrayBuffer())];
  return fail(`expected binary data, got ${show(data)}`);
}

let sinks = 0;

/**
 * Opens a `/sink` on the behaviour server (with `query`, such as `&drop`) and waits until it is
 * open; `report()` resolves with what the server received, once the sink has closed.
 */
export async function openSink(env: ConformanceEnv, query = ''): Promise<{ ws: SocketUnderTest; report: () => Promise<SinkRecord> }> {
  const id = `sink-${++sinks}-${Math.random().toString(36).slice(2)}`;
  const ws = await opened(env.create(env.url(`/sink?id=${id}${query}`)));
  return { ws, report: () => nextJson<SinkRecord>(env.create(env.url(`/report?id=${id}`))) };
}
