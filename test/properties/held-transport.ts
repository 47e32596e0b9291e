/**
 * The in-memory transport as the memory properties use it: every call the shell makes on it is
 * recorded, and every report its `MemorySocket`s make is held in a first-in first-out queue
 * whose next entry `fc.scheduler` delivers when it chooses, between any two user calls, as a
 * real socket's events arrive in later tasks. Reports keep their order (an error before its
 * close), and none of a socket is delivered after its `terminate()`, as the transport contract
 * requires. Each reconnect opens a new socket; reports and calls name the socket (0-based).
 *
 * With `eagerAbort`, `close()` on a connecting socket completes the abort synchronously and
 * reports from inside the call (undici's `WebSocket` does): the shell must hold such reports
 * until its transition is over.
 */
import type { Scheduler } from 'fast-check';
import type { IncomingData, Transport, TransportFailure, TransportHandlers, TransportSocket } from '../../src/index.js';
import type { MemorySocket, MemoryTransport } from '../../src/testing/index.js';
import type { TransportCall } from './oracle.js';

/** A fact a memory socket reports, held until the scheduler delivers it. */
export type Report =
  | { readonly type: 'open'; readonly protocol: string; readonly extensions: string }
  | { readonly type: 'message'; readonly data: IncomingData }
  | { readonly type: 'error'; readonly failure: TransportFailure }
  | { readonly type: 'close'; readonly code: number; readonly reason: string; readonly wasClean: boolean }
  | { readonly type: 'drained'; readonly callback: () => void }
  | { readonly type: 'pong' };

/** A report, and the socket (0-based, in creation order) that made it. */
interface Held {
  readonly socket: number;
  readonly report: Report;
}

/** How the world hears of what goes through the held transport. */
export interface HeldTransportHooks {
  /** Called just before the shell hears `report` from socket `socket`, so the oracle is never behind the shell. */
  beforeReport(report: Report, socket: number): void;
  /** Called once the shell has heard a report: a settled point. */
  afterReport(): void;
  /** The `send()` call in progress, which a write made now belongs to. */
  currentSend(): number | undefined;
  /** Called for each call on the transport as it is made (an `open` before its socket exists). */
  called(call: TransportCall, socket: number): void;
}

/** The in-memory transport with its reports held for `fc.scheduler` and its calls recorded. */
export class HeldTransport {
  /** What the shell asked of its transport, in order. */
  readonly calls: TransportCall[] = [];
  /** The handlers the shell gave each socket, to show after the end that they are inert. */
  readonly shellHandlers: TransportHandlers[] = [];
  /** Every callback the shell handed to `whenDrained()`. */
  readonly drainCallbacks: (() => void)[] = [];
  readonly transport: Transport;
  readonly #memory: MemoryTransport;
  readonly #scheduler: Scheduler;
  readonly #eagerAbort: boolean;
  readonly #hooks: HeldTransportHooks;
  #reports: Held[] = [];
  #deliveryScheduled = false;
  readonly #terminated = new Set<number>();
  #batch: Held[] | undefined;

  constructor(memory: MemoryTransport, scheduler: Scheduler, eagerAbort: boolean, hooks: HeldTransportHooks) {
    this.#memory = memory;
    this.#scheduler = scheduler;
    this.#eagerAbort = eagerAbort;
    this.#hooks = hooks;
    this.transport = Object.assign((request: Parameters<Transport>[0], handlers: TransportHandlers) => this.#open(request, handlers), {
      pings: memory.transport.pings === true,
    });
  }

  get pendingReports(): number {
    return this.#reports.length;
  }

  #open(request: Parameters<Transport>[0], handlers: TransportHandlers): TransportSocket {
    const socket = this.shellHandlers.length;
    this.#call({ kind: 'open', url: request.url.href }, socket);
    this.shellHandlers.push(handlers);
    const report = (held: Report): void => this.#report({ socket, report: held });
    const inner = this.#memory.transport(request, {
      open: (protocol, extensions) => report({ type: 'open', protocol, extensions }),
      message: (data) => report({ type: 'message', data }),
      error: (failure) => report({ type: 'error', failure }),
      close: (code, reason, wasClean) => report({ type: 'close', code, reason, wasClean }),
      pong: () => report({ type: 'pong' }),
    });
    return this.#wrap(inner, socket);
  }

  #call(call: TransportCall, socket: number): void {
    this.calls.push(call);
    this.#hooks.called(call, socket);
  }

  #wrap(inner: MemorySocket, socket: number): TransportSocket {
    return {
      get bufferedAmount() {
        return inner.bufferedAmount;
      },
      get binaryType() {
        return inner.binaryType;
      },
      set binaryType(type) {
        inner.binaryType = type;
      },
      send: (data, bytes, original) => {
        this.#call({ kind: 'send', data, bytes, original, sendId: this.#hooks.currentSend() }, socket);
        inner.send(data, bytes, original);
      },
      close: (code, reason) => {
        this.#call({ kind: 'close', code, reason }, socket);
        inner.close(code, reason);
        // Only with nothing else waiting: a socket's reports never overtake each other.
        if (this.#eagerAbort && inner.phase === 'connecting' && !this.#reports.some((r) => r.socket === socket)) this.#abortEagerly(inner);
      },
      terminate: () => {
        this.#call({ kind: 'terminate' }, socket);
        inner.terminate();
        this.#terminated.add(socket);
        this.#reports = this.#reports.filter((r) => r.socket !== socket);
      },
      whenDrained: (callback) => {
        this.#call({ kind: 'whenDrained' }, socket);
        this.drainCallbacks.push(callback);
        inner.whenDrained(() => this.#report({ socket, report: { type: 'drained', callback } }));
      },
      takeUnsent: () => inner.takeUnsent(),
      ping: () => {
        this.#call({ kind: 'ping' }, socket);
        inner.ping();
      },
    };
  }

  /**
   * Completes the abort inside `close()`, reporting to the shell from inside its transition. The
   * oracle hears the reports in a microtask queued before the shell's own replay of them, so at
   * every settled point both have heard them, or neither.
   */
  #abortEagerly(inner: MemorySocket): void {
    const batch: Held[] = [];
    this.#batch = batch;
    try {
      inner.completeAbort();
    } finally {
      this.#batch = undefined;
    }
    queueMicrotask(() => batch.forEach(({ socket, report }) => this.#hooks.beforeReport(report, socket)));
    for (const held of batch) this.#tellShell(held);
    queueMicrotask(() => this.#hooks.afterReport());
  }

  #report(held: Held): void {
    if (this.#terminated.has(held.socket)) return;
    if (this.#batch !== undefined) {
      this.#batch.push(held);
      return;
    }
    this.#reports.push(held);
    this.#scheduleDelivery();
  }

  /** One scheduled task at a time, for the oldest report: the scheduler picks when it runs. */
  #scheduleDelivery(): void {
    if (this.#deliveryScheduled || this.#reports.length === 0) return;
    this.#deliveryScheduled = true;
    const { socket, report: head } = this.#reports[0]!;
    const detail = head.type === 'close' ? ` ${head.code}` : head.type === 'error' ? ` ${head.failure.cause}` : '';
    void this.#scheduler.schedule(Promise.resolve(), `socket ${socket + 1} reports ${head.type}${detail}`).then(() => {
      this.#deliveryScheduled = false;
      const held = this.#reports.shift();
      if (held !== undefined) {
        this.#hooks.beforeReport(held.report, held.socket);
        this.#tellShell(held);
        this.#hooks.afterReport();
      }
      this.#scheduleDelivery();
    });
  }

  #tellShell({ socket, report }: Held): void {
    const handlers = this.shellHandlers[socket]!;
    switch (report.type) {
      case 'open': {
        handlers.open(report.protocol, report.extensions);
        return;
      }
      case 'message': {
        handlers.message(report.data);
        return;
      }
      case 'error': {
        handlers.error(report.failure);
        return;
      }
      case 'close': {
        handlers.close(report.code, report.reason, report.wasClean);
        return;
      }
      case 'drained': {
        report.callback();
        return;
      }
      case 'pong': {
        handlers.pong();
        return;
      }
    }
  }
}
