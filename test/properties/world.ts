/**
 * The world a memory property runs in: a `Connection` on the in-memory transport and a
 * simulated clock, with the oracle beside it. The test plays the application (send, close,
 * binaryType) and the network (the `MemorySocket`'s accept, refuse, deliver, flush, close, drop
 * and the clock), one step at a time. Transport reports reach the shell when `fc.scheduler`
 * says (`held-transport.ts`); the oracle hears every fact just before the shell does.
 */
import fc, { type Scheduler } from 'fast-check';
import { createConnection, type Clock, type Connection, type ConnectionEventMap, type OutgoingData } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock, type MemorySocket } from '../../src/testing/index.js';
import { build, payload, type PayloadSpec } from './arbitraries.js';
import { HeldTransport, type Report } from './held-transport.js';
import { modelMessage, Oracle } from './oracle.js';

export interface WorldConfig {
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly connectTimeout: number;
  readonly drainTimeout: number;
  readonly closeTimeout: number;
  readonly binaryType: 'arraybuffer' | 'blob';
  /** The transport fails a connecting socket synchronously inside `close()`, as undici's does. */
  readonly eagerAbort: boolean;
  /** What listeners do from inside events: call back into the connection mid-delivery. */
  readonly onOpen: 'nothing' | 'send' | 'close';
  readonly onMessage: 'nothing' | 'echo' | 'close';
  /** Send each reported message once more, as an app wanting at-least-once delivery does. */
  readonly resendUndelivered: boolean;
  readonly sendOnClose: boolean;
  readonly reactionPayload: PayloadSpec;
}

export const worldConfigs: fc.Arbitrary<WorldConfig> = fc.record({
  // Small bounds and timeouts, so queue-full and every timeout are reached often.
  maxQueuedMessages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 }), fc.constant(10_000)),
  maxQueuedBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 64 }), fc.constant(16 * 1024 * 1024)),
  connectTimeout: fc.integer({ min: 0, max: 400 }),
  drainTimeout: fc.integer({ min: 0, max: 400 }),
  closeTimeout: fc.integer({ min: 0, max: 400 }),
  binaryType: fc.constantFrom('arraybuffer' as const, 'blob' as const),
  eagerAbort: fc.boolean(),
  onOpen: fc.constantFrom('nothing' as const, 'send' as const, 'close' as const),
  onMessage: fc.constantFrom('nothing' as const, 'echo' as const, 'close' as const),
  resendUndelivered: fc.boolean(),
  sendOnClose: fc.boolean(),
  reactionPayload: payload,
});

/** A point on the world's timeline: what listeners heard, what `send()` was given, what the server got. */
export type Entry =
  | { readonly kind: 'event'; readonly type: keyof ConnectionEventMap; readonly payload: unknown; readonly readyState: number }
  /** Logged when `send()` is called, so what it reports comes after; `accepted` is filled in when it returns. */
  | { readonly kind: 'send'; readonly id: number; readonly data: OutgoingData; accepted: boolean | undefined }
  | { readonly kind: 'written'; readonly data: unknown; readonly bytes: number };

/** What a property asserts: after every step, and once the connection has finally closed. */
export interface Invariant {
  step(world: MemoryWorld): void;
  final?(world: MemoryWorld): void | Promise<void>;
}

const URL_ = 'ws://example.test/chat';
/** Lets queued microtasks run (the memory socket reports a drain in one). */
async function tick(): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.resolve();
}

export class MemoryWorld {
  readonly clock = new SimulatedClock();
  readonly memory = createMemoryTransport();
  readonly oracle: Oracle;
  readonly connection: Connection;
  readonly timeline: Entry[] = [];
  /** Every `readyState` observed, in order (after each step and inside every listener). */
  readonly readyStates: number[] = [];
  readonly held: HeldTransport;
  /** Problems found outside the event stream (a refused call that changed something...). */
  readonly notes: string[] = [];
  readonly #config: WorldConfig;
  readonly #scheduler: Scheduler;
  readonly #invariant: Invariant;
  #nextId = 0;
  readonly #resent = new Set<unknown>();
  #sendId: number | undefined;
  #inListener = 0;
  #writtenSeen = 0;
  #violation: { error: unknown } | undefined;

  constructor(config: WorldConfig, scheduler: Scheduler, invariant: Invariant) {
    this.#config = config;
    this.#scheduler = scheduler;
    this.#invariant = invariant;
    const timeouts = { connect: config.connectTimeout, drain: config.drainTimeout, close: config.closeTimeout };
    const input = { url: URL_, maxQueuedMessages: config.maxQueuedMessages, maxQueuedBytes: config.maxQueuedBytes };
    this.oracle = new Oracle(input, timeouts, () => this.clock.now());
    this.held = new HeldTransport(this.memory, scheduler, config.eagerAbort, {
      beforeReport: (report) => this.#tellOracle(report),
      afterReport: () => this.observe(),
      currentSend: () => this.#sendId,
    });
    this.connection = createConnection(URL_, {
      transport: this.held.transport,
      clock: this.#clock(),
      binaryType: config.binaryType,
      maxQueuedMessages: config.maxQueuedMessages,
      maxQueuedBytes: config.maxQueuedBytes,
      connectTimeout: config.connectTimeout,
      drainTimeout: config.drainTimeout,
      closeTimeout: config.closeTimeout,
    });
    this.connection.closed.catch(() => {});
    for (const type of ['open', 'message', 'error', 'close', 'undelivered', 'state'] as const) {
      this.connection.on(type, (payload) => this.#heard(type, payload));
    }
  }

  get socket(): MemorySocket {
    return this.memory.socket;
  }

  get config(): WorldConfig {
    return this.#config;
  }

  /** What the shell asked of its transport, in order. */
  get calls() {
    return this.held.calls;
  }

  // --- the application ---

  send(data: OutgoingData): boolean {
    const message = modelMessage(this.#nextId++, data);
    this.oracle.send(message);
    const outer = this.#sendId;
    this.#sendId = message.id;
    const entry: Entry & { kind: 'send' } = { kind: 'send', id: message.id, data, accepted: undefined };
    this.timeline.push(entry);
    try {
      entry.accepted = this.connection.send(data);
      return entry.accepted;
    } finally {
      this.#sendId = outer;
    }
  }

  /** A valid `close()`: `normalized` is what the standard turns the arguments into. */
  close(code: number | undefined, reason: string | undefined, normalized: { code: number | undefined; reason: string | undefined }): void {
    this.oracle.apply({
      type: 'user.close',
      ...(normalized.code === undefined ? {} : { code: normalized.code }),
      ...(normalized.reason === undefined ? {} : { reason: normalized.reason }),
    });
    void this.connection.close(code, reason);
  }

  /**
   * A call the API must refuse: it throws `expected` (a `DOMException` name, or `TypeError`)
   * and changes nothing. Deviations are noted for the conformance property.
   */
  misuse(call: () => unknown, expected: string): void {
    const before = this.#fingerprint();
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    const name = thrown instanceof DOMException || thrown instanceof TypeError ? thrown.name : String(thrown);
    if (name !== expected) this.note(`expected ${expected}, got ${name}`);
    if (this.#fingerprint() !== before) this.note(`a refused call changed the connection: ${before} -> ${this.#fingerprint()}`);
  }

  /** Something the API did that no machine effect explains. */
  note(problem: string): void {
    this.notes.push(problem);
  }

  // --- the network and time ---

  /** Writes out up to `budget` bytes, whole messages only; the oracle learns how many went. */
  flush(budget: number): void {
    this.socket.flush(budget);
    const written = this.socket.written.slice(this.#writtenSeen);
    this.#writtenSeen = this.socket.written.length;
    this.oracle.written(written.length);
    for (const { data, bytes } of written) this.timeline.push({ kind: 'written', data, bytes });
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  // --- checking ---

  /** Runs the invariant at a settled point; the first failure is kept and rethrown by `rethrow()`. */
  observe(): void {
    if (this.#inListener > 0 || this.#violation !== undefined) return;
    this.readyStates.push(this.connection.readyState);
    try {
      this.#invariant.step(this);
    } catch (error) {
      this.#violation = { error };
    }
  }

  rethrow(): void {
    if (this.#violation !== undefined) throw this.#violation.error;
  }

  /** Delivers every report still waiting, the scheduler's way, until nothing is left. */
  async settle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      await tick();
      if (this.held.pendingReports === 0 && this.#scheduler.count() === 0) return;
      await this.#scheduler.waitAll();
    }
    throw new Error('The world did not settle');
  }

  // --- plumbing ---

  #fingerprint(): string {
    const c = this.connection;
    return `${c.state} buffered=${c.bufferedAmount} queued=${c.queuedMessages} events=${this.timeline.length} calls=${this.calls.length}`;
  }

  #heard(type: keyof ConnectionEventMap, payload: unknown): void {
    const readyState = this.connection.readyState;
    this.readyStates.push(readyState);
    this.timeline.push({ kind: 'event', type, payload, readyState });
    this.#inListener++;
    try {
      const config = this.#config;
      if (type === 'open' && config.onOpen === 'send') this.send(build(config.reactionPayload));
      if (type === 'open' && config.onOpen === 'close') this.close(undefined, undefined, { code: undefined, reason: undefined });
      if (type === 'message' && config.onMessage === 'echo') this.send(payload as OutgoingData);
      if (type === 'message' && config.onMessage === 'close') this.close(4000, 'bye', { code: 4000, reason: 'bye' });
      if (type === 'undelivered' && config.resendUndelivered) {
        const { data } = payload as ConnectionEventMap['undelivered'];
        if (!this.#resent.has(data)) {
          this.#resent.add(data);
          this.send(data);
        }
      }
      if (type === 'close' && config.sendOnClose) this.send(build(config.reactionPayload));
    } finally {
      this.#inListener--;
    }
  }

  #clock(): Clock {
    return {
      now: () => this.clock.now(),
      setTimeout: (callback, delay) =>
        this.clock.setTimeout(() => {
          this.oracle.fireTimer(this.clock.now());
          callback();
          this.observe();
        }, delay),
      clearTimeout: (handle) => this.clock.clearTimeout(handle),
    };
  }

  #tellOracle(report: Report): void {
    const attempt = this.oracle.context.attempt;
    switch (report.type) {
      case 'open':
        return this.oracle.apply({ type: 'socket.open', attempt, protocol: report.protocol, extensions: report.extensions });
      case 'message':
        return this.oracle.message(report.data);
      case 'error':
        return this.oracle.apply({ type: 'socket.error', attempt, failure: report.failure });
      case 'close':
        return this.oracle.apply({ type: 'socket.close', attempt, code: report.code, reason: report.reason, wasClean: report.wasClean });
      case 'drained':
        return this.oracle.apply({ type: 'socket.drained', attempt });
    }
  }
}
