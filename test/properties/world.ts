/**
 * The world a memory property runs in: a `Connection` on the in-memory transport and a
 * simulated clock, with the oracle beside it. The test plays the application (send, close,
 * binaryType, an abort signal), the network (each attempt's `MemorySocket`: accept, refuse,
 * deliver, flush, pong, close, drop), the device (online, offline, visibility, sleep) and time,
 * one step at a time. Transport reports reach the shell when `fc.scheduler` says
 * (`held-transport.ts`); the oracle hears every fact just before the shell does.
 */
import type { Scheduler } from 'fast-check';
import {
  createConnection,
  type Clock,
  type Connection,
  type ConnectionEventMap,
  type ConnectionStateName,
  type OutgoingData,
} from '../../src/index.js';
import { createMemoryTransport, SimulatedClock, type MemorySocket, type MemoryTransport } from '../../src/testing/index.js';
import { build } from './arbitraries.js';
import { HeldTransport, type Report } from './held-transport.js';
import { TestEnvironment, TestSignal } from './listened-target.js';
import { modelMessage, Oracle } from './oracle.js';
import type { DeviceMove, Entry, Invariant } from './timeline.js';
import { cycle, policyOf, type WorldConfig } from './world-config.js';

export type { WorldConfig } from './world-config.js';
export type { DeviceMove, Entry, Invariant } from './timeline.js';

const URL_ = 'ws://example.test/chat';
/** Lets queued microtasks run (the memory socket reports a drain in one). */
async function tick(): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.resolve();
}

/** A connection on the held in-memory transport and a simulated clock, the oracle beside it, and everything they did, on one timeline. */
export class MemoryWorld {
  readonly clock = new SimulatedClock();
  readonly memory: MemoryTransport;
  readonly environment = new TestEnvironment();
  readonly signal = new TestSignal();
  readonly oracle: Oracle;
  readonly connection: Connection;
  readonly timeline: Entry[] = [];
  /** Every state observed, in order (after each step and inside every listener). */
  readonly states: { readonly state: ConnectionStateName; readonly readyState: number }[] = [];
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
  readonly #writtenSeen = new Map<MemorySocket, number>();
  #slept = 0;
  #violation: { error: unknown } | undefined;

  constructor(config: WorldConfig, scheduler: Scheduler, invariant: Invariant) {
    this.#config = config;
    this.#scheduler = scheduler;
    this.#invariant = invariant;
    this.memory = createMemoryTransport({ pings: config.pings });
    // A URL function gives each attempt its own URL, so the transport calls show it is asked once per attempt.
    const urlFor = (socket: number): string => (config.urlFunction ? `${URL_}?attempt=${socket + 1}` : URL_);
    let urlCalls = 0;
    this.oracle = new Oracle(config, () => this.now(), urlFor);
    this.held = new HeldTransport(this.memory, scheduler, config.eagerAbort, {
      beforeReport: (report, socket) => this.#tellOracle(report, socket),
      afterReport: () => this.observe(),
      currentSend: () => this.#sendId,
      called: (call, socket) => this.timeline.push({ kind: 'call', call, socket, at: this.now(), live: this.liveSockets() }),
    });
    const shouldReconnect = policyOf(config.policy);
    this.connection = createConnection(config.urlFunction ? () => urlFor(urlCalls++) : URL_, {
      transport: this.held.transport,
      clock: this.#clock(),
      binaryType: config.binaryType,
      maxQueuedMessages: config.maxQueuedMessages,
      maxQueuedBytes: config.maxQueuedBytes,
      connectTimeout: config.connectTimeout,
      drainTimeout: config.drainTimeout,
      closeTimeout: config.closeTimeout,
      reconnect: config.reconnect,
      maxRetries: config.maxRetries,
      resendUnconfirmed: config.resendUnconfirmed,
      minReconnectDelay: config.minReconnectDelay,
      maxReconnectDelay: config.maxReconnectDelay,
      reconnectFactor: config.reconnectFactor,
      reconnectJitter: config.reconnectJitter,
      random: cycle(config.randoms),
      minStableTime: config.minStableTime,
      heartbeatInterval: config.heartbeatInterval,
      heartbeatTimeout: config.heartbeatTimeout,
      environment: this.environment,
      signal: this.signal.asSignal,
      ...(shouldReconnect === undefined ? {} : { shouldReconnect }),
    });
    void this.connection.closed.then((info) => this.timeline.push({ kind: 'settled', info }));
    for (const type of ['open', 'message', 'error', 'close', 'undelivered', 'state', 'reconnecting', 'giveup'] as const) {
      this.connection.on(type, (payload) => this.#heard(type, payload));
    }
  }

  /** Lets the connection announce its initial state (a `state` event, in a microtask after creation), as the oracle expects before any step. */
  async start(): Promise<void> {
    await tick();
  }

  /** The newest socket: the current attempt's, or the last one's while waiting to reconnect. */
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

  /** Whether the connection is over for good. */
  get ended(): boolean {
    const state = this.connection.state;
    return state === 'closed' || state === 'gaveUp';
  }

  /** The time timers run on: the simulated clock's, without the time the device slept. */
  now(): number {
    return this.clock.now() - this.#slept;
  }

  /** Sockets neither closed nor terminated. */
  liveSockets(): number {
    return this.memory.sockets.filter((socket) => socket.phase !== 'closed' && socket.phase !== 'terminated').length;
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
    this.timeline.push({ kind: 'closeCalled', at: this.now() });
    this.oracle.apply({
      type: 'user.close',
      ...(normalized.code === undefined ? {} : { code: normalized.code }),
      ...(normalized.reason === undefined ? {} : { reason: normalized.reason }),
    });
    void this.connection.close(code, reason);
  }

  /** The application aborts the `signal` it gave: a `close()` without arguments. */
  abort(): void {
    if (this.signal.aborted) return;
    this.timeline.push({ kind: 'closeCalled', at: this.now() });
    this.oracle.apply({ type: 'user.close' });
    this.signal.abort();
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

  // --- the network, the device and time ---

  /** The newest socket writes out up to `budget` bytes, whole messages only; the oracle learns how many went. */
  flush(budget: number): void {
    const socket = this.socket;
    socket.flush(budget);
    const written = socket.written.slice(this.#writtenSeen.get(socket) ?? 0);
    this.#writtenSeen.set(socket, socket.written.length);
    this.oracle.written(written.length);
    const index = this.memory.sockets.length - 1;
    for (const { data, bytes } of written) this.timeline.push({ kind: 'written', data, bytes, socket: index });
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** The device goes offline or online, the page hidden or visible, or the device sleeps `ms`. */
  device(move: DeviceMove, ms = 0): void {
    this.timeline.push({ kind: 'device', move, at: this.now() });
    switch (move) {
      case 'online':
        this.oracle.apply({ type: 'env.wake', reason: 'online' });
        return void this.environment.dispatchEvent(new Event('online'));
      case 'offline':
        this.oracle.apply({ type: 'env.offline' });
        return void this.environment.dispatchEvent(new Event('offline'));
      case 'visible':
        this.oracle.apply({ type: 'env.wake', reason: 'visible' });
        {
          this.environment.show('visible');
          return;
        }
      case 'hidden': {
        this.environment.show('hidden');
        return;
      }
      case 'sleep':
        this.clock.sleep(ms);
        this.#slept += ms;
        {
          this.oracle.sleep(ms);
          return;
        }
    }
  }

  // --- checking ---

  /** Runs the invariant at a settled point; the first failure is kept and rethrown by `rethrow()`. */
  observe(): void {
    if (this.#inListener > 0 || this.#violation !== undefined) return;
    this.states.push({ state: this.connection.state, readyState: this.connection.readyState });
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
      await this.#scheduler.waitIdle();
    }
    throw new Error('The world did not settle');
  }

  // --- plumbing ---

  #fingerprint(): string {
    const c = this.connection;
    return `${c.state} buffered=${c.bufferedAmount} queued=${c.queuedMessages} events=${this.timeline.length} calls=${this.calls.length}`;
  }

  #heard(type: keyof ConnectionEventMap, payload: unknown): void {
    const { readyState, state } = this.connection;
    this.states.push({ state, readyState });
    this.timeline.push({ kind: 'event', type, payload, readyState, state, at: this.now() });
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
      monotonic: () => this.clock.monotonic(),
      setTimeout: (callback, delay) =>
        this.clock.setTimeout(() => {
          this.oracle.fireTimers(this.now());
          callback();
          this.observe();
        }, delay),
      clearTimeout: (handle) => this.clock.clearTimeout(handle),
    };
  }

  #tellOracle(report: Report, socket: number): void {
    const attempt = this.oracle.socketAttempts[socket]!;
    switch (report.type) {
      case 'open': {
        this.oracle.apply({ type: 'socket.open', attempt, protocol: report.protocol, extensions: report.extensions });
        return;
      }
      case 'message': {
        this.oracle.message(report.data, socket);
        return;
      }
      case 'error': {
        this.oracle.apply({ type: 'socket.error', attempt, failure: report.failure });
        return;
      }
      case 'close': {
        this.oracle.apply({ type: 'socket.close', attempt, code: report.code, reason: report.reason, wasClean: report.wasClean });
        return;
      }
      case 'drained': {
        this.oracle.apply({ type: 'socket.drained', attempt });
        return;
      }
      case 'pong': {
        this.oracle.apply({ type: 'socket.pong', attempt });
        return;
      }
    }
  }
}
