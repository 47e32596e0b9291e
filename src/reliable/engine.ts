/**
 * The engine behind a `ReliableSession`: the session machine's state and what steps it, and the
 * per-message work the machine leaves to the shell (numbering, holding until acknowledged,
 * writing, replaying, receiving exactly once, acknowledging).
 *
 * It listens to one `Connection` through its public API and sends through `connection.send()`:
 * every frame goes out while the connection is open, never into its queue, so that after a
 * reconnect the `resume` frame is the first thing the server reads. What the connection reports
 * undelivered is a frame, not the application's message: the session holds every message until
 * the server acknowledges it and replays it after the next resume, so those reports concern
 * nobody (except in the plain fallback, where the connection alone carries the messages).
 */
import type { ExecutableActionObject } from 'xstate';
import { sessionMachine } from '../../machines/session.machine.js';
import type { SessionContext, SessionEvent, SessionTimerName } from '../../machines/session.types.js';
import { byteSizeOf, type OutgoingData } from '../byte-length.js';
import type { CloseEventInfo } from '../connection-events.js';
import { clock as clockKey } from '../connection-internals.js';
import type { Connection } from '../connection.js';
import type { CloseInfo } from '../../machines/connection.types.js';
import { QueuedMessage } from '../outgoing.js';
import { handledRejection, pending, type Pending } from '../pending.js';
import { Sequencer } from '../sequencer.js';
import { Timers, type TimerOwner } from '../time.js';
import type { IncomingData } from '../transports/transport.js';
import { effects, type EffectStep } from './effects.js';
import { topStateOf, type ReliableSessionEventMap, type SessionStateName } from './events.js';
import type { ResolvedSessionOptions } from './options.js';
import { OutboundLog } from './outbound-log.js';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  binaryFrame,
  causeOfCode,
  controlFrame,
  isTextData,
  parseControl,
  readBinaryHeader,
  readTextHeader,
  textFrame,
  type ControlFrame,
  type DataHeader,
  type ProtocolCause,
} from './protocol.js';
import { Arrival, Receiver } from './receiver.js';
import { compileSendPlans, initialSession, leafOf, stepSession, type SendCandidate, type SessionSnapshot } from './runner.js';

/** The shell's timers: the machine's, and the idle acknowledgement. */
type TimerName = SessionTimerName | 'ack';

/** What a held message keeps: what goes on the wire (binary copied at `send()`, as the platform copies it), and the original. */
type Wire = string | Uint8Array | Blob;

export class SessionEngine implements TimerOwner<TimerName> {
  readonly connection: Connection;
  readonly options: ResolvedSessionOptions;
  readonly sequencer = new Sequencer<ReliableSessionEventMap>();
  /** Messages sent (or held to send) that the server has not acknowledged, numbered. */
  readonly log = new OutboundLog<Wire>();
  readonly receiver = new Receiver();
  readonly timers: Timers<TimerName>;
  snapshot: SessionSnapshot;
  /** The dotted leaf state, and its send plan. */
  #leaf = 'negotiating.connecting';
  #plan: readonly SendCandidate[];
  /** The highest sequence number handed to the current socket. */
  written = 0;
  /** The highest sequence number ever handed to a socket, in this session: below it, a held message may have arrived. */
  everWritten = 0;
  /** Whether the connection refused a frame on this socket: nothing more is written on it, so the server never sees a gap. */
  #blocked = false;
  #ackTimerRunning = false;
  // Stryker disable next-line ObjectLiteral,UnaryOperator: equivalent. A header reader writes all three fields before any is read (the initial values only fix the object's shape).
  readonly #header: DataHeader = { seq: 0, ack: -1, start: 0 };
  #readyWaiter: Pending | undefined;
  #closed: Promise<CloseInfo> | undefined;
  #resolveClosed: ((info: CloseInfo) => void) | undefined;
  #settled = false;

  constructor(connection: Connection, options: ResolvedSessionOptions) {
    this.connection = connection;
    this.options = options;
    this.timers = new Timers(connection[clockKey](), this);
    this.#plan = plans.get(this.#leaf)!;
    this.snapshot = undefined as unknown as SessionSnapshot; // set by the first step, below
    this.sequencer.transition(() => {
      this.snapshot = initialSession(
        sessionMachine,
        { maxUnackedMessages: options.maxUnackedMessages, maxUnackedBytes: options.maxUnackedBytes },
        this,
      );
    });
    this.#leaf = leafOf(this.snapshot);
    this.#plan = plans.get(this.#leaf)!;
    this.sequencer.announce('state', { state: topStateOf(this.#leaf) });
    connection.on('open', () => this.hear({ type: 'connection.open' }));
    connection.on('message', (data) => this.#receive(data));
    connection.on('close', (close) => this.#connectionClosed(close));
    connection.on('undelivered', (report) => {
      // Frames are the session's business (it replays them); in the fallback, messages are the
      // connection's. Held while a step runs, so that the fallback's own hand-over is heard as plain.
      this.sequencer.fromOutside(() => {
        if (this.#leaf === 'plain') this.sequencer.deliverNow('undelivered', report);
      });
    });
  }

  get context(): SessionContext {
    return this.snapshot.context;
  }

  get state(): SessionStateName {
    return topStateOf(this.#leaf);
  }

  /** The dotted leaf state (`resuming.awaitingHello`), for tests and the model. */
  get leaf(): string {
    return this.#leaf;
  }

  /** Whether one more message fits the buffer. */
  get hasRoom(): boolean {
    return this.log.length < this.options.maxUnackedMessages && this.log.bytes < this.options.maxUnackedBytes;
  }

  get ready(): Promise<void> {
    if (this.#settled) return closedReady;
    if (this.hasRoom) return resolvedReady;
    this.#readyWaiter ??= pending();
    return this.#readyWaiter.promise;
  }

  get closed(): Promise<CloseInfo> {
    return (this.#closed ??= new Promise((resolve) => (this.#resolveClosed = resolve)));
  }

  /** `send()`: the machine's `user.send` transition for the state, performed without stepping. */
  send(data: OutgoingData): boolean {
    const bytes = byteSizeOf(data);
    const args = {
      context: this.snapshot.context,
      event: { type: 'user.send', bytes, unackedMessages: this.log.length, unackedBytes: this.log.bytes } as const,
    };
    const outer = this.sequencer.enter();
    try {
      const plan = this.#plan;
      for (let i = 0; i < plan.length; i++) {
        const { guard, effects: list } = plan[i]!;
        if (guard !== undefined && !guard(args)) continue;
        let accepted = true;
        for (let j = 0; j < list.length; j++) {
          const { type, params } = list[j]!;
          const value = typeof params === 'function' ? (params as (a: typeof args) => unknown)(args) : params;
          const result = (effects[type as keyof typeof effects] as SendEffect)(this, value, args, data);
          if (result === false) accepted = false;
        }
        return accepted;
      }
      return false;
    } finally {
      this.sequencer.leave(outer);
    }
  }

  /** Steps the machine with `event`, then delivers what the step posted. */
  dispatch(event: SessionEvent): void {
    this.sequencer.transition(() => {
      this.snapshot = stepSession(this.snapshot, event, this);
      const leaf = leafOf(this.snapshot);
      if (leaf === this.#leaf) return;
      const before = topStateOf(this.#leaf);
      this.#leaf = leaf;
      this.#plan = plans.get(leaf)!;
      const after = topStateOf(leaf);
      if (after !== before) this.sequencer.post('state', { state: after });
    });
  }

  /** A fact from the connection, a frame or a timer: now, or once the step under way is over. */
  hear(event: SessionEvent): void {
    this.sequencer.fromOutside(() => this.dispatch(event));
  }

  perform(action: ExecutableActionObject): void {
    const effect = effects[action.type as keyof typeof effects] as ((...args: unknown[]) => unknown) | undefined;
    if (effect === undefined) throw new Error(`The session machine asked for ${action.type}, which the shell does not implement`);
    effect(this, action.params, action.info, undefined);
  }

  timerFired(name: TimerName): void {
    if (name === 'ack') {
      this.#ackTimerRunning = false;
      this.sequencer.fromOutside(() => {
        this.sendAck();
        this.writeHeld(); // a socket that refused a frame may take it now
      });
    } else this.hear({ type: `timer.${name}` });
  }

  // --- what the effects use ---

  /** Numbers and holds `data`; returns its sequence number. */
  hold(data: OutgoingData, bytes: number): number {
    const wire = typeof data === 'string' ? data : toWire(QueuedMessage.of(data).wire);
    return this.log.push({ wire, original: data, bytes });
  }

  /** Writes every held message this socket has not carried yet, oldest first, until the connection refuses one. */
  writeHeld(): void {
    const log = this.log;
    for (let seq = this.written + 1; seq <= log.lastSeq && !this.#blocked; seq++) {
      if (!this.sendFrame(this.#dataFrame(seq, log.get(seq)!.wire))) this.#blocked = true;
      else {
        this.written = seq;
        if (seq > this.everWritten) this.everWritten = seq;
      }
    }
  }

  /** A new socket carries the session from what the server acknowledged (`seq`). */
  replayFrom(seq: number): void {
    this.log.acknowledge(seq);
    this.written = seq;
    this.#blocked = false;
    this.#roomMade();
    this.writeHeld();
  }

  /** Sends a frame if the connection is open; returns whether it took it. */
  sendFrame(frame: string | Uint8Array | Blob): boolean {
    return this.connection.readyState === 1 && this.connection.send(frame);
  }

  sendControl(frame: ControlFrame): void {
    this.sendFrame(controlFrame(frame));
  }

  /** An acknowledgement on its own, if one is owed. */
  sendAck(): void {
    const receiver = this.receiver;
    if (!receiver.owesAck || (this.#leaf !== 'live' && this.#leaf !== 'closing')) return;
    if (this.sendFrame(controlFrame({ t: 'ack', seq: receiver.received }))) receiver.acknowledged();
  }

  startTimer(name: TimerName): void {
    const { helloTimeout, byeTimeout, ackDelay } = this.options;
    this.timers.start(name, name === 'hello' ? helloTimeout : name === 'close' ? byeTimeout : ackDelay, 0);
  }

  /** Every held message, oldest first, as `lost` or `undelivered` reports it; numbering starts again. */
  takeHeld(): { data: OutgoingData; written: boolean }[] {
    const everWritten = this.everWritten;
    this.written = 0;
    this.everWritten = 0;
    const taken = this.log.takeAll().map(({ seq, entry }) => ({ data: entry.original as OutgoingData, written: seq <= everWritten }));
    this.#roomMade();
    return taken;
  }

  /** The session is over: no timer runs, `ready` rejects, and `closed` settles with how the connection ended. */
  settle(): void {
    this.#settled = true;
    for (const name of ['hello', 'close', 'ack'] as const) this.timers.cancel(name);
    this.#readyWaiter?.reject(closedError);
    this.#readyWaiter = undefined;
    void this.connection.closed.then((info) => {
      this.#closed ??= Promise.resolve(info);
      this.#resolveClosed?.(info);
    });
  }

  // --- receiving ---

  #receive(data: IncomingData): void {
    if (this.sequencer.mustHold()) this.sequencer.fromOutside(() => this.#read(data));
    else this.#read(data);
  }

  #read(data: IncomingData): void {
    const leaf = this.#leaf;
    if (leaf === 'plain') {
      this.sequencer.deliverNow('message', data);
      return;
    }
    if (leaf === 'closed') return;
    if (typeof data === 'string') {
      if (isTextData(data)) this.#readTextData(data);
      else if (data.charCodeAt(0) === 123 /* { */) this.#readControl(data);
      else this.#notSession(data);
    } else if (data instanceof ArrayBuffer) this.#readBinaryData(data);
    else this.#notSession(data);
  }

  /** Something no session frame looks like: a plain server's first message, or a broken protocol. */
  #notSession(data: IncomingData): void {
    if (!this.#leaf.endsWith('awaitingHello')) {
      this.#violation('protocol-error');
      return;
    }
    this.dispatch({ type: 'server.plain' });
    if (this.#leaf === 'plain') this.sequencer.deliverNow('message', data);
  }

  #readTextData(text: string): void {
    if (!readTextHeader(text, this.#header)) {
      this.#notSession(text);
      return;
    }
    const start = this.#header.start;
    this.#readData(text, text.length - start, () => text.slice(start));
  }

  #readBinaryData(buffer: ArrayBuffer): void {
    if (!readBinaryHeader(buffer, this.#header)) {
      this.#notSession(buffer);
      return;
    }
    const start = this.#header.start;
    this.#readData(buffer, buffer.byteLength - start, () => {
      const payload = buffer.slice(start);
      return this.options.binaryType === 'blob' ? new Blob([payload]) : payload;
    });
  }

  /** A data frame whose header `#header` holds now: its acknowledgement, then its message of `bytes`, decoded by `payload` if new. */
  #readData(frame: IncomingData, bytes: number, payload: () => IncomingData): void {
    if (!this.#carriesData()) {
      this.#notSession(frame);
      return;
    }
    const { seq, ack } = this.#header;
    if (ack >= 0 && !this.#acknowledge(ack)) return;
    this.#arrive(seq, bytes, payload);
  }

  #carriesData(): boolean {
    return this.#leaf === 'live' || this.#leaf === 'closing';
  }

  #arrive(seq: number, bytes: number, payload: () => IncomingData): void {
    const receiver = this.receiver;
    const arrival = receiver.arrive(seq, bytes);
    if (arrival === Arrival.Duplicate) return;
    if (arrival === Arrival.Gap) {
      this.#violation('sequence-gap');
      return;
    }
    this.sequencer.deliverNow('message', payload());
    if (receiver.ackDue) this.sendAck();
    else if (!this.#ackTimerRunning) {
      this.#ackTimerRunning = true;
      this.startTimer('ack');
    }
  }

  /** Applies an acknowledgement from the server; closes the session if it is beyond what was written or behind one given. */
  #acknowledge(seq: number): boolean {
    const log = this.log;
    if (seq < log.acked || seq > this.everWritten) {
      this.#violation('bad-ack');
      return false;
    }
    if (seq > log.acked) {
      log.acknowledge(seq);
      this.#roomMade();
      if (this.#blocked) {
        this.#blocked = false;
        this.writeHeld();
      }
    }
    return true;
  }

  #readControl(text: string): void {
    const frame = parseControl(text);
    if (typeof frame === 'string') {
      this.#notSession(text);
      return;
    }
    const leaf = this.#leaf;
    switch (frame.t) {
      case 'hello':
        if (!leaf.endsWith('awaitingHello')) {
          this.#violation('protocol-error');
          return;
        }
        if (frame.v !== PROTOCOL_VERSION) {
          this.#violation('protocol-error');
          return;
        }
        this.receiver.peerLimits(frame.maxMessages, frame.maxBytes);
        {
          this.dispatch({ type: 'server.hello' });
          return;
        }
      case 'session': {
        this.#granted(frame);
        return;
      }
      case 'ack':
        if (!this.#carriesData()) {
          this.#violation('protocol-error');
          return;
        }
        this.#acknowledge(frame.seq);
        return;
      case 'bye':
        if (!this.#carriesData()) {
          this.#violation('protocol-error');
          return;
        }
        if (this.#acknowledge(frame.seq)) this.dispatch({ type: 'server.bye' });
        return;
      default: {
        this.#violation('protocol-error');
        return;
      }
    }
  }

  #granted(frame: Extract<ControlFrame, { t: 'session' }>): void {
    const leaf = this.#leaf;
    if (leaf === 'negotiating.awaitingSession') {
      if (frame.resumed || frame.seq !== 0) {
        this.#violation('protocol-error');
        return;
      }
    } else if (leaf === 'resuming.awaitingSession') {
      if (!frame.resumed || frame.id !== this.context.sessionId) {
        this.#violation('protocol-error');
        return;
      }
      if (frame.seq < this.log.acked || frame.seq > this.everWritten) {
        this.#violation('bad-ack');
        return;
      }
    } else {
      this.#violation('protocol-error');
      return;
    }
    this.dispatch({ type: 'server.session', id: frame.id, resumed: frame.resumed, seq: frame.seq });
  }

  /** The server broke the protocol: the connection closes with the code for `cause`, and `cause` as the reason. */
  #violation(cause: ProtocolCause): void {
    this.dispatch({ type: 'server.violation', code: CLOSE_CODES[cause], reason: cause });
  }

  #connectionClosed(close: CloseEventInfo): void {
    const cause = causeOfCode(close.code);
    if (cause === 'unknown-session' || cause === 'expired-session') this.hear({ type: 'server.lost', reason: cause });
    else if (cause !== undefined) this.hear({ type: 'server.refuse', code: close.code, reason: close.reason });
    // The socket is gone whatever the code said: a state that had no use for the code (a lost
    // session while negotiating one) must still wait for the next socket.
    this.hear(close.willReconnect ? { type: 'connection.drop' } : { type: 'connection.end' });
  }

  #dataFrame(seq: number, wire: Wire): string | Uint8Array | Blob {
    const receiver = this.receiver;
    let ack = -1;
    if (receiver.owesAck) {
      ack = receiver.received;
      receiver.acknowledged();
    }
    if (typeof wire === 'string') return textFrame(seq, ack, wire);
    if (wire instanceof Uint8Array) return binaryFrame(seq, ack, wire);
    return new Blob([binaryFrame(seq, ack, new Uint8Array(0)), wire]);
  }

  #roomMade(): void {
    if (this.#readyWaiter !== undefined && this.hasRoom) {
      this.#readyWaiter.resolve();
      this.#readyWaiter = undefined;
    }
  }
}

type SendEffect = (engine: SessionEngine, params: unknown, step: EffectStep, message: OutgoingData) => boolean | undefined;

/** Binary data as bytes to frame: a view over what `QueuedMessage` copied, or the Blob itself. */
function toWire(data: OutgoingData): Wire {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data;
  return new Uint8Array(data as ArrayBufferLike);
}

const plans = compileSendPlans(sessionMachine, new Set(Object.keys(effects)));

const resolvedReady = Promise.resolve();
const closedError = new Error('The session is closed: send() refuses every message');
const closedReady = handledRejection(closedError);
