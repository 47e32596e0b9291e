/**
 * One session on the server: what the application sends and receives through it, with the same
 * guarantees as the client's (exactly once and in order across reconnects, or reported), on
 * whichever socket currently carries it.
 *
 * Its life, one state at a time: `attached` to a socket; `detached` when that socket closed
 * without a bye (the client will resume, or the session expires after `sessionTimeout`);
 * `closing` once this side said bye; `ending` once both sides have; `closed`. A resume attaches
 * it to the new socket (fencing off the old one, if it is still open) and each side replays what
 * the other missed.
 */
import type { IncomingMessage } from 'node:http';
import { Emitter } from '../emitter.js';
import { handledRejection, pending, type Pending } from '../pending.js';
import { OutboundLog } from '../reliable/outbound-log.js';
import {
  CLOSE_CODES,
  binaryFrame,
  controlFrame,
  isTextData,
  parseControl,
  readBinaryHeader,
  readTextHeader,
  textFrame,
  type ControlFrame,
  type DataHeader,
  type ProtocolCause,
} from '../reliable/protocol.js';
import { Arrival, Receiver } from '../reliable/receiver.js';
import { Timers, type Clock, type TimerOwner } from '../time.js';
import { describeValue } from '../validation.js';
import type { SessionStore } from './store.js';

/** What the server application receives: text as a string, binary as a `Buffer`. */
export type ServerIncomingData = string | Buffer;

/** What a server session sends: a string as text, anything binary as a binary message. */
export type ServerOutgoingData = string | ArrayBuffer | ArrayBufferView;

export type ServerSessionState = 'attached' | 'detached' | 'closing' | 'ending' | 'closed';

/** Why a server session ended. */
export type ServerSessionEndReason =
  /** The client ended it (its bye). */
  | 'client-closed'
  /** The application ended it (`close()`). */
  | 'server-closed'
  /** No client resumed it within `sessionTimeout`. */
  | 'expired'
  /** The client broke the protocol; its socket was closed with the code that says how. */
  | 'protocol-error'
  /** The store says another holder claimed it since (a shared store's fencing). */
  | 'superseded'
  /** The server shut down (`sessions.close()`). */
  | 'shutdown';

/** Why a message handed to a server session's `send()` has no other fate. */
export type ServerUndeliveredReason =
  /** Refused: the buffer of unacknowledged messages was at `maxUnackedMessages` or `maxUnackedBytes`. */
  | 'buffer-full'
  /** Sent after either side said bye. */
  | 'closing'
  /** Sent after the session ended. */
  | 'closed'
  /** Written, but the session ended before the client acknowledged it. */
  | 'unacknowledged'
  /** Held while no socket carried the session, and it ended before one did. */
  | 'unsent';

export interface ServerSessionEventMap {
  /** An application message from the client: exactly once, in order. */
  message: ServerIncomingData;
  undelivered: { readonly data: ServerOutgoingData; readonly reason: ServerUndeliveredReason };
  /** The socket closed without a bye: the session waits for the client to resume it, until it expires. */
  detach: { readonly code: number };
  /** The client resumed the session on a new socket; `epoch` is the store's new epoch for it. */
  resume: { readonly epoch: number };
  /** The session ended; every message it never saw acknowledged has been reported. */
  close: { readonly reason: ServerSessionEndReason };
}

/** One client's session, as the server application sees it. */
export interface ServerSession {
  readonly id: string;
  /** The store's epoch for the session on this server: 1 when created, one more at every claim of it (every resume, and every refused one). */
  readonly epoch: number;
  /** The session the client lost before it started this one (the server had restarted, or it had expired), if it said so. */
  readonly lostSession: string | undefined;
  readonly state: ServerSessionState;
  /** The upgrade request of the socket that carries the session now (or last did). */
  readonly request: IncomingMessage | undefined;
  /** Messages held until the client acknowledges them. */
  readonly unackedMessages: number;
  readonly unackedBytes: number;
  /** Resolves once `send()` has room (at once if it has); rejects once the session ended. */
  readonly ready: Promise<void>;
  /** Resolves once the session ended, with why. */
  readonly closed: Promise<ServerSessionEventMap['close']>;
  /**
   * Sends `data`: written at once while attached, held while detached, replayed after a resume.
   * Returns whether it was accepted; one that is not, or that the session ends without the
   * client acknowledging, is reported by exactly one `undelivered` event. Throws a `TypeError`
   * for data of another kind.
   */
  send(data: ServerOutgoingData): boolean;
  /** Ends the session: says bye and waits (up to `byeTimeout`) for the client's, which acknowledges what it received. */
  close(): Promise<ServerSessionEventMap['close']>;
  on<K extends keyof ServerSessionEventMap>(type: K, listener: (payload: ServerSessionEventMap[K]) => void): () => void;
}

/** The socket a session is attached to, as the session sees it. */
export interface SessionLink {
  readonly request: IncomingMessage | undefined;
  send(frame: string | Uint8Array): void;
  close(code: number, reason: string): void;
  terminate(): void;
  /** Stops routing the socket's input to its session: the session let go of it. */
  release(): void;
}

/** What a session needs from the server that holds it. */
export interface SessionHost {
  readonly options: ResolvedServerOptions;
  readonly store: SessionStore;
  /** The session ended: the server lets go of it. */
  forget(session: ServerSessionImpl): void;
}

export interface ResolvedServerOptions {
  readonly maxUnackedMessages: number;
  readonly maxUnackedBytes: number;
  readonly sessionTimeout: number;
  readonly ackDelay: number;
  readonly byeTimeout: number;
  readonly handshakeTimeout: number;
  readonly maxSessions: number;
  readonly clock: Clock;
}

type TimerName = 'ack' | 'expire' | 'close';
type Wire = string | Uint8Array;

export class ServerSessionImpl implements ServerSession, TimerOwner<TimerName> {
  readonly id: string;
  epoch: number;
  readonly lostSession: string | undefined;
  request: IncomingMessage | undefined;
  #state: ServerSessionState = 'detached';
  #link: SessionLink | undefined;
  /** Why the application asked to end the session, while its bye is answered. */
  #endReason: ServerSessionEndReason | undefined;
  /** How the session ended, once `close` is emitted. */
  #ended: ServerSessionEventMap['close'] | undefined;
  readonly #host: SessionHost;
  readonly #log = new OutboundLog<Wire>();
  readonly #receiver = new Receiver();
  readonly #events = new Emitter<ServerSessionEventMap>();
  readonly #timers: Timers<TimerName>;
  #written = 0;
  #everWritten = 0;
  #ackTimerRunning = false;
  // Stryker disable next-line ObjectLiteral,UnaryOperator: equivalent. A header reader writes all three fields before any is read (the initial values only fix the object's shape).
  readonly #header: DataHeader = { seq: 0, ack: -1, start: 0 };
  #readyWaiter: Pending | undefined;
  #closed: Promise<ServerSessionEventMap['close']> | undefined;
  #resolveClosed: ((end: ServerSessionEventMap['close']) => void) | undefined;

  constructor(host: SessionHost, id: string, epoch: number, lostSession: string | undefined) {
    this.#host = host;
    this.id = id;
    this.epoch = epoch;
    this.lostSession = lostSession;
    this.#timers = new Timers(host.options.clock, this);
  }

  get state(): ServerSessionState {
    return this.#state;
  }

  get unackedMessages(): number {
    return this.#log.length;
  }

  get unackedBytes(): number {
    return this.#log.bytes;
  }

  get ready(): Promise<void> {
    if (this.#state === 'closed') return closedReady;
    if (this.#hasRoom()) return resolvedReady;
    this.#readyWaiter ??= pending();
    return this.#readyWaiter.promise;
  }

  get closed(): Promise<ServerSessionEventMap['close']> {
    if (this.#closed === undefined) {
      this.#closed = this.#ended === undefined ? new Promise((resolve) => (this.#resolveClosed = resolve)) : Promise.resolve(this.#ended);
    }
    return this.#closed;
  }

  on<K extends keyof ServerSessionEventMap>(type: K, listener: (payload: ServerSessionEventMap[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  send(data: ServerOutgoingData): boolean {
    let wire: Wire;
    if (typeof data === 'string') wire = data;
    else if (ArrayBuffer.isView(data)) wire = Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else if (data instanceof ArrayBuffer) wire = Buffer.from(new Uint8Array(data));
    else throw new TypeError(`Expected data to be a string, an ArrayBuffer or an ArrayBufferView, got ${describeValue(data)}`);
    const state = this.#state;
    if (state !== 'attached' && state !== 'detached') {
      this.#events.emit('undelivered', { data, reason: state === 'closed' ? 'closed' : 'closing' });
      return false;
    }
    const bytes = Buffer.byteLength(wire); // UTF-8 bytes of text, the length of binary
    const log = this.#log;
    if (log.length + 1 > this.#host.options.maxUnackedMessages || log.bytes + bytes > this.#host.options.maxUnackedBytes) {
      this.#events.emit('undelivered', { data, reason: 'buffer-full' });
      return false;
    }
    log.push({ wire, original: data, bytes });
    if (state === 'attached') this.#writeHeld();
    return true;
  }

  close(): Promise<ServerSessionEventMap['close']> {
    if (this.#state === 'attached') {
      this.#sendBye();
      this.#state = 'closing';
      this.#endReason = 'server-closed';
      this.#startTimer('close');
    } else if (this.#state === 'detached') this.end('server-closed');
    return this.closed;
  }

  // --- the server's side ---

  /**
   * Attaches the session to `link` after a start (`seq` 0) or a resume (`seq`: the last message
   * the client received, which `resumeProblem` accepted); an older socket still attached is
   * fenced off. Replays, oldest first, what the client has not acknowledged.
   */
  attach(link: SessionLink, epoch: number, peer: { maxMessages: number; maxBytes: number }, seq: number, resumed: boolean): void {
    const old = this.#link;
    if (old !== undefined && old !== link) {
      old.release();
      old.close(CLOSE_CODES.superseded, 'superseded');
    }
    this.#timers.cancel('expire');
    this.#link = link;
    this.request = link.request;
    this.epoch = epoch;
    this.#state = 'attached';
    this.#receiver.peerLimits(peer.maxMessages, peer.maxBytes);
    link.send(controlFrame({ t: 'session', id: this.id, seq: this.#receiver.received, resumed }));
    this.#log.acknowledge(seq);
    this.#roomMade();
    this.#written = seq;
    this.#writeHeld();
    if (resumed) this.#events.emit('resume', { epoch });
  }

  /** Whether a resume that says the client received `seq` is one this session can answer; else why not. */
  resumeProblem(seq: number): string | undefined {
    if (this.#state !== 'attached' && this.#state !== 'detached') return 'the session is ending';
    if (seq < this.#log.acked || seq > this.#everWritten)
      return `a resume acknowledging ${seq}, where ${this.#log.acked} to ${this.#everWritten} was possible`;
    return undefined;
  }

  /** A message on `link`, the socket the session is attached to. */
  receive(data: Buffer, isBinary: boolean): void {
    const state = this.#state;
    if (state === 'closed' || state === 'detached') return;
    if (!isBinary && data[0] === 123 /* { */) {
      this.#readControl(data.toString());
      return;
    }
    const header = this.#header;
    const ok = isBinary ? readBinaryHeader(data, header) : isTextData(data) && readTextHeader(data, header);
    if (!ok) {
      this.#violation('protocol-error');
      return;
    }
    // Once this side said bye it delivers nothing more: the client reports what its bye did not acknowledge.
    if (state === 'closing') return;
    if (state === 'ending') {
      this.#violation('protocol-error');
      return;
    }
    if (header.ack >= 0 && !this.#acknowledge(header.ack)) return;
    const receiver = this.#receiver;
    const arrival = receiver.arrive(header.seq, data.length - header.start);
    if (arrival === Arrival.Duplicate) return;
    if (arrival === Arrival.Gap) {
      this.#violation('sequence-gap');
      return;
    }
    this.#events.emit('message', isBinary ? data.subarray(header.start) : data.toString('utf8', header.start));
    if (receiver.ackDue) this.#sendAck();
    else if (!this.#ackTimerRunning) {
      this.#ackTimerRunning = true;
      this.#startTimer('ack');
    }
  }

  /** The socket `link` closed with `code`. */
  socketClosed(link: SessionLink, code: number): void {
    if (link !== this.#link) return;
    this.#link = undefined;
    link.release();
    switch (this.#state) {
      case 'attached':
        this.#state = 'detached';
        this.#written = 0;
        this.#timers.cancel('ack');
        this.#ackTimerRunning = false;
        this.#startTimer('expire');
        this.#events.emit('detach', { code });
        return;
      case 'closing':
      case 'ending':
        this.end(this.#endReason ?? 'server-closed');
        return;
      default:
        return;
    }
  }

  timerFired(name: TimerName): void {
    switch (name) {
      case 'ack':
        this.#ackTimerRunning = false;
        this.#sendAck();
        return;
      case 'expire':
        if (this.#state === 'detached') this.end('expired');
        return;
      case 'close':
        this.#link?.terminate();
        this.end(this.#endReason ?? 'server-closed');
        return;
    }
  }

  /** Ends the session: what it holds is reported, the store releases it, and `close` is emitted. */
  end(reason: ServerSessionEndReason): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const name of ['ack', 'expire', 'close'] as const) this.#timers.cancel(name);
    const link = this.#link;
    this.#link = undefined;
    link?.release();
    this.#reportHeld();
    this.#readyWaiter?.reject(closedError);
    this.#readyWaiter = undefined;
    this.#host.forget(this);
    // The store's answer completes the reason: a holder whose epoch is no longer the session's was
    // fenced off by another's claim. A shared store may answer later; `close` waits for it, and
    // a store that fails leaves the reason as it was.
    const released = this.#host.store.release(this.id, this.epoch, reason === 'expired');
    if (released instanceof Promise)
      released.then(
        (own) => this.#announceEnd(own ? reason : 'superseded'),
        () => this.#announceEnd(reason),
      );
    else this.#announceEnd(released ? reason : 'superseded');
  }

  #announceEnd(reason: ServerSessionEndReason): void {
    const ended = (this.#ended = { reason });
    this.#events.emit('close', ended);
    this.#resolveClosed?.(ended);
  }

  // --- internals ---

  #readControl(text: string): void {
    const frame = parseControl(text);
    if (typeof frame === 'string') {
      this.#violation('protocol-error');
      return;
    }
    switch (frame.t) {
      case 'ack':
        // The client's bye was its last acknowledgement.
        if (this.#state === 'ending') this.#violation('protocol-error');
        else this.#acknowledge(frame.seq);
        return;
      case 'bye': {
        this.#bye(frame);
        return;
      }
      default: {
        this.#violation('protocol-error');
        return;
      }
    }
  }

  #bye(frame: Extract<ControlFrame, { t: 'bye' }>): void {
    const state = this.#state;
    if (state === 'ending') {
      this.#violation('protocol-error');
      return;
    }
    if (!this.#acknowledge(frame.seq)) return;
    // What the client's bye did not acknowledge it will never deliver: report it now.
    this.#reportHeld();
    if (state === 'attached') {
      this.#sendBye();
      this.#endReason = 'client-closed';
      this.#startTimer('close');
    }
    this.#state = 'ending';
  }

  #sendBye(): void {
    this.#link?.send(controlFrame({ t: 'bye', seq: this.#receiver.received }));
    this.#receiver.acknowledged();
  }

  #acknowledge(seq: number): boolean {
    const log = this.#log;
    if (seq < log.acked || seq > this.#everWritten) {
      this.#violation('bad-ack');
      return false;
    }
    if (seq > log.acked) {
      log.acknowledge(seq);
      this.#roomMade();
    }
    return true;
  }

  #violation(cause: ProtocolCause): void {
    this.#link?.close(CLOSE_CODES[cause], cause);
    this.end('protocol-error');
  }

  #sendAck(): void {
    const receiver = this.#receiver;
    if (!receiver.owesAck || this.#state !== 'attached') return;
    this.#link!.send(controlFrame({ t: 'ack', seq: receiver.received }));
    receiver.acknowledged();
  }

  #writeHeld(): void {
    const link = this.#link!;
    const log = this.#log;
    const receiver = this.#receiver;
    for (let seq = this.#written + 1; seq <= log.lastSeq; seq++) {
      const wire = log.get(seq)!.wire;
      let ack = -1;
      if (receiver.owesAck) {
        ack = receiver.received;
        receiver.acknowledged();
      }
      link.send(typeof wire === 'string' ? textFrame(seq, ack, wire) : binaryFrame(seq, ack, wire));
      this.#written = seq;
    }
    if (this.#written > this.#everWritten) this.#everWritten = this.#written;
  }

  #reportHeld(): void {
    const everWritten = this.#everWritten;
    for (const { seq, entry } of this.#log.takeAll()) {
      this.#events.emit('undelivered', {
        data: entry.original as ServerOutgoingData,
        reason: seq <= everWritten ? 'unacknowledged' : 'unsent',
      });
    }
    // Numbering would start again at 1: nothing more is sent in this session, so keep what was written.
    this.#written = 0;
  }

  #startTimer(name: TimerName): void {
    const { ackDelay, sessionTimeout, byeTimeout } = this.#host.options;
    this.#timers.start(name, name === 'ack' ? ackDelay : name === 'expire' ? sessionTimeout : byeTimeout, 0);
  }

  #hasRoom(): boolean {
    const { maxUnackedMessages, maxUnackedBytes } = this.#host.options;
    return this.#log.length < maxUnackedMessages && this.#log.bytes < maxUnackedBytes;
  }

  #roomMade(): void {
    if (this.#readyWaiter !== undefined && this.#hasRoom()) {
      this.#readyWaiter.resolve();
      this.#readyWaiter = undefined;
    }
  }
}

const resolvedReady = Promise.resolve();
const closedError = new Error('The session is closed: send() refuses every message');
const closedReady = handledRejection(closedError);
