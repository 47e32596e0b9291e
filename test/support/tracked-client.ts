/**
 * A connection with the client's side of the resilience tests' bookkeeping: it numbers every
 * message it sends (`${client}:${seq}`), knows on which attempt each was written (at once when
 * open; queued ones when the next attempt opens, since the queue is flushed before `open`), and
 * hears everything the connection reports: opens, errors, closes, reconnect waits, message
 * acknowledgements (the ledger's server echoes each message) and undelivered reports.
 *
 * An attempt is what the connection's events say it is: the first is 1, each `reconnecting`
 * names the next, and the n-th `close` ends the n-th. The `url()` it gives the connection puts
 * `?client=N&attempt=K` on each upgrade request, K counting its own calls, so the server can
 * tell which socket is whose, and a socket the connection opened outside an attempt of its own
 * shows up there as a second socket.
 */
import {
  createConnection,
  type CloseEventInfo,
  type Connection,
  type ConnectionOptions,
  type ReconnectInfo,
  type UndeliveredReason,
} from '../../src/index.js';
import { messageText, seqOf } from './ledger.js';

export class TrackedClient {
  readonly id: number;
  readonly connection: Connection;
  /** Event types in the order they came: `open`, `error`, `close`, `reconnecting`, `giveup`. */
  readonly timeline: string[] = [];
  /** How each attempt ended: the n-th close ended attempt n. */
  readonly closes: CloseEventInfo[] = [];
  readonly reconnects: ReconnectInfo[] = [];
  /** The attempt each message was written on (queued ones once the attempt that flushed them opened). */
  readonly writtenOn = new Map<number, number>();
  /** Messages the server acknowledged. */
  readonly acked = new Set<number>();
  readonly reported = new Map<number, UndeliveredReason>();
  /**
   * Messages written on an attempt that then ended uncleanly, neither acknowledged nor reported by
   * its end: all the application can know is that they may be lost (docs/delivery-guarantees.md).
   */
  readonly unconfirmed = new Set<number>();
  /** Anything the client saw that breaks the connection's contract. */
  readonly violations: string[] = [];
  /** Messages handed to `send()` so far (their numbers are 0 to `sent - 1`). */
  sent = 0;
  /** The UTF-8 bytes of each message sent, by number: the accounting measures lost frames with them. */
  readonly bytes: number[] = [];
  urlCalls = 0;
  #attempt = 1;
  /** Accepted while not open, in order, and not yet written or reported. */
  #queued: number[] = [];
  #waiters: { readonly done: () => boolean; readonly resolve: () => void }[] = [];

  /** Connects to `base` (the proxy's URL) with `options`. */
  constructor(id: number, base: string, options: ConnectionOptions) {
    this.id = id;
    this.connection = createConnection(() => {
      this.urlCalls++;
      if (this.urlCalls !== this.#attempt) this.violations.push(`url() called for the ${this.urlCalls}th time in attempt ${this.#attempt}`);
      return `${base}?client=${id}&attempt=${this.urlCalls}`;
    }, options);
    const connection = this.connection;
    connection.on('open', () => {
      this.timeline.push('open');
      for (const seq of this.#queued) this.writtenOn.set(seq, this.#attempt);
      this.#queued = [];
    });
    connection.on('message', (data) => {
      const seq = seqOf(data as string);
      if (this.writtenOn.get(seq) !== this.#attempt) this.violations.push(`ack for ${seq}, not written on attempt ${this.#attempt}`);
      this.acked.add(seq);
    });
    connection.on('undelivered', ({ data, reason }) => {
      const seq = seqOf(data as string);
      if (this.reported.has(seq)) this.violations.push(`${seq} reported twice`);
      this.reported.set(seq, reason);
      this.#queued = this.#queued.filter((queued) => queued !== seq);
    });
    connection.on('error', () => this.timeline.push('error'));
    connection.on('close', (info) => {
      this.timeline.push('close');
      this.closes.push(info);
      if (this.closes.length !== this.#attempt) this.violations.push(`close #${this.closes.length} during attempt ${this.#attempt}`);
      if (info.wasClean) return;
      for (const [seq, attempt] of this.writtenOn) {
        if (attempt === this.#attempt && !this.acked.has(seq) && !this.reported.has(seq)) this.unconfirmed.add(seq);
      }
    });
    connection.on('reconnecting', (info) => {
      this.timeline.push('reconnecting');
      this.reconnects.push(info);
      if (info.attempt !== this.#attempt + 1 || this.closes.length !== this.#attempt) {
        this.violations.push(`reconnecting to attempt ${info.attempt} after attempt ${this.#attempt} (${this.closes.length} closes)`);
      }
      this.#attempt = info.attempt;
    });
    connection.on('giveup', () => this.timeline.push('giveup'));
    // Registered last, so waiters see what every listener above recorded.
    for (const type of ['open', 'message', 'undelivered', 'error', 'close', 'reconnecting', 'giveup'] as const) {
      connection.on(type, () => this.#check());
    }
  }

  /** The attempt the connection is on (or ended last). */
  get attempt(): number {
    return this.#attempt;
  }

  /** Whether the connection has not yet ended `attempt`: the socket it opened for it is still its own. */
  holds(attempt: number): boolean {
    return attempt > this.closes.length;
  }

  /** Sends the next numbered message, `padding` bytes longer than its number needs; returns its number. */
  send(padding = 0): number {
    const seq = this.sent++;
    const open = this.connection.state === 'open';
    const text = messageText(this.id, seq, padding);
    this.bytes.push(Buffer.byteLength(text));
    // A refused message is reported, synchronously or once the listener's event run is over.
    if (!this.connection.send(text)) return seq;
    if (open) this.writtenOn.set(seq, this.#attempt);
    else this.#queued.push(seq);
    return seq;
  }

  /** Sends `count` numbered messages (each `padding` bytes longer); returns their numbers. */
  sendMany(count: number, padding = 0): number[] {
    return Array.from({ length: count }, () => this.send(padding));
  }

  /**
   * Resolves once `done()` holds, checked now and after each event; rejects, naming `what` and
   * the connection's state, if it has not within `ms` (a bound for a hung test, not a sleep).
   */
  until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.done !== done);
        reject(
          new Error(
            `client ${this.id}: ${what} did not happen within ${ms} ms (state ${this.connection.state}, events ${this.timeline.slice(-12).join(' ')})`,
          ),
        );
      }, ms);
      this.#waiters.push({
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Resolves once the connection is open: now, or at its next `open`. */
  whenOpen(ms?: number): Promise<void> {
    return this.until(() => this.connection.state === 'open', 'open', ms);
  }

  /** Resolves once the server has acknowledged every message in `seqs`. */
  whenAcked(seqs: readonly number[], ms?: number): Promise<void> {
    return this.until(() => seqs.every((seq) => this.acked.has(seq)), `the acknowledgement of ${seqs.length} messages`, ms);
  }

  #check(): void {
    const ready = this.#waiters.filter((waiter) => waiter.done());
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }
}
