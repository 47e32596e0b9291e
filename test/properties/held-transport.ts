/**
 * The in-memory transport as the memory properties use it: every call the shell makes on it is
 * recorded, and every report its `MemorySocket` makes is held in a first-in first-out queue
 * whose next entry `fc.scheduler` delivers when it chooses, between any two user calls, as a
 * real socket's events arrive in later tasks. Reports keep their order (an error before its
 * close), and none is delivered after `terminate()`, as the transport contract requires.
 *
 * With `eagerAbort`, `close()` on a connecting socket completes the abort synchronously and
 * reports from inside the call (undici's `WebSocket` does): the shell must hold such reports
 * until its transition is over.
 */
import type { Scheduler } from 'fast-check';
import type { IncomingData, Transport, TransportFailure, TransportHandlers, TransportSocket } from '../../src/index.js';
import type { MemorySocket, MemoryTransport } from '../../src/testing/index.js';
import type { TransportCall } from './oracle.js';

export type Report =
  | { readonly type: 'open'; readonly protocol: string; readonly extensions: string }
  | { readonly type: 'message'; readonly data: IncomingData }
  | { readonly type: 'error'; readonly failure: TransportFailure }
  | { readonly type: 'close'; readonly code: number; readonly reason: string; readonly wasClean: boolean }
  | { readonly type: 'drained'; readonly callback: () => void };

export interface HeldTransportHooks {
  /** Called just before the shell hears `report`, so the oracle is never behind the shell. */
  beforeReport(report: Report): void;
  /** Called once the shell has heard a report: a settled point. */
  afterReport(): void;
  /** The `send()` call in progress, which a write made now belongs to. */
  currentSend(): number | undefined;
}

export class HeldTransport {
  /** What the shell asked of its transport, in order. */
  readonly calls: TransportCall[] = [];
  /** The handlers the shell gave its transport, to show after the end that they are inert. */
  shellHandlers: TransportHandlers | undefined;
  /** Every callback the shell handed to `whenDrained()`. */
  readonly drainCallbacks: (() => void)[] = [];
  readonly #memory: MemoryTransport;
  readonly #scheduler: Scheduler;
  readonly #eagerAbort: boolean;
  readonly #hooks: HeldTransportHooks;
  #reports: Report[] = [];
  #deliveryScheduled = false;
  #terminated = false;
  #batch: Report[] | undefined;

  constructor(memory: MemoryTransport, scheduler: Scheduler, eagerAbort: boolean, hooks: HeldTransportHooks) {
    this.#memory = memory;
    this.#scheduler = scheduler;
    this.#eagerAbort = eagerAbort;
    this.#hooks = hooks;
  }

  get pendingReports(): number {
    return this.#reports.length;
  }

  readonly transport: Transport = (request, handlers) => {
    this.calls.push({ kind: 'open' });
    this.shellHandlers = handlers;
    const inner = this.#memory.transport(request, {
      open: (protocol, extensions) => this.#report({ type: 'open', protocol, extensions }),
      message: (data) => this.#report({ type: 'message', data }),
      error: (failure) => this.#report({ type: 'error', failure }),
      close: (code, reason, wasClean) => this.#report({ type: 'close', code, reason, wasClean }),
    }) as MemorySocket;
    return this.#wrap(inner);
  };

  #wrap(inner: MemorySocket): TransportSocket {
    const held = this;
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
      send(data, bytes, original) {
        held.calls.push({ kind: 'send', data, bytes, original, sendId: held.#hooks.currentSend() });
        inner.send(data, bytes, original);
      },
      close(code, reason) {
        held.calls.push({ kind: 'close', code, reason });
        inner.close(code, reason);
        // Only with nothing else waiting: a socket's reports never overtake each other.
        if (held.#eagerAbort && inner.phase === 'connecting' && held.#reports.length === 0) held.#abortEagerly(inner);
      },
      terminate() {
        held.calls.push({ kind: 'terminate' });
        inner.terminate();
        held.#terminated = true;
        held.#reports = [];
      },
      whenDrained(callback) {
        held.calls.push({ kind: 'whenDrained' });
        held.drainCallbacks.push(callback);
        inner.whenDrained(() => held.#report({ type: 'drained', callback }));
      },
      takeUnsent: () => inner.takeUnsent(),
    };
  }

  /**
   * Completes the abort inside `close()`, reporting to the shell from inside its transition. The
   * oracle hears the reports in a microtask queued before the shell's own replay of them, so at
   * every settled point both have heard them, or neither.
   */
  #abortEagerly(inner: MemorySocket): void {
    const batch: Report[] = [];
    this.#batch = batch;
    try {
      inner.completeAbort();
    } finally {
      this.#batch = undefined;
    }
    queueMicrotask(() => batch.forEach((report) => this.#hooks.beforeReport(report)));
    for (const report of batch) this.#tellShell(report);
    queueMicrotask(() => this.#hooks.afterReport());
  }

  #report(report: Report): void {
    if (this.#terminated) return;
    if (this.#batch !== undefined) {
      this.#batch.push(report);
      return;
    }
    this.#reports.push(report);
    this.#scheduleDelivery();
  }

  /** One scheduled task at a time, for the oldest report: the scheduler picks when it runs. */
  #scheduleDelivery(): void {
    if (this.#deliveryScheduled || this.#reports.length === 0) return;
    this.#deliveryScheduled = true;
    const head = this.#reports[0]!;
    const label = `socket reports ${head.type}${head.type === 'close' ? ` ${head.code}` : head.type === 'error' ? ` ${head.failure.cause}` : ''}`;
    void this.#scheduler.schedule(Promise.resolve(), label).then(() => {
      this.#deliveryScheduled = false;
      const report = this.#reports.shift();
      if (report !== undefined) {
        this.#hooks.beforeReport(report);
        this.#tellShell(report);
        this.#hooks.afterReport();
      }
      this.#scheduleDelivery();
    });
  }

  #tellShell(report: Report): void {
    const handlers = this.shellHandlers!;
    switch (report.type) {
      case 'open':
        return handlers.open(report.protocol, report.extensions);
      case 'message':
        return handlers.message(report.data);
      case 'error':
        return handlers.error(report.failure);
      case 'close':
        return handlers.close(report.code, report.reason, report.wasClean);
      case 'drained':
        return report.callback();
    }
  }
}
