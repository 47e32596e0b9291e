/**
 * The messages one side of a session sent (or holds to send) and the peer has not acknowledged,
 * numbered consecutively: the buffer a resume replays from, bounded by its owner in messages
 * and bytes. Shared by the client session and the server's.
 *
 * A `ByteQueue` (a ring of power-of-two capacity), created with the first message (an idle
 * session holds nothing), with O(1) push, acknowledgement of the oldest, and lookup by sequence
 * number.
 */
import { ByteQueue } from '../queue.js';

/** One held message: what goes on the wire, and what the application passed (reported back by identity). */
export interface LoggedMessage<Data> {
  readonly wire: Data;
  readonly original: unknown;
  readonly bytes: number;
}

export class OutboundLog<Data> {
  /** The held messages, oldest first; created with the first. */
  #held: ByteQueue<LoggedMessage<Data>> | undefined;
  /** The sequence number of the oldest held message (or of the next one, when none is held). */
  #first = 1;

  /** How many messages are held. */
  get length(): number {
    return this.#held?.length ?? 0;
  }

  /** Their bytes, as they were pushed. */
  get bytes(): number {
    return this.#held?.bytes ?? 0;
  }

  /** The highest sequence number pushed so far (0 before the first). */
  get lastSeq(): number {
    return this.#first + this.length - 1;
  }

  /** The highest sequence number the peer acknowledged: everything before the oldest held. */
  get acked(): number {
    return this.#first - 1;
  }

  /** Holds a message; returns its sequence number. */
  push(entry: LoggedMessage<Data>): number {
    (this.#held ??= new ByteQueue()).push(entry, entry.bytes);
    return this.lastSeq;
  }

  /** The held message numbered `seq`, or `undefined`. */
  get(seq: number): LoggedMessage<Data> | undefined {
    return this.#held?.at(seq - this.#first);
  }

  /**
   * The peer acknowledged everything up to `seq`: forgets those messages. The caller has
   * checked that `acked <= seq <= lastSeq`.
   */
  acknowledge(seq: number): void {
    const held = this.#held;
    // Stryker disable next-line OptionalChaining: equivalent. With nothing ever held, `acked` is `lastSeq` and the loop does not run.
    for (; this.#first <= seq; this.#first++) held?.shift();
    if (held !== undefined && held.length === 0) {
      // A session that drained its burst need not keep the ring it grew for it.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent. Only memory differs: an emptied ring, kept or dropped, holds and answers the same.
      if (held.capacity > 64) this.#held = undefined;
    }
  }

  /** Every held message, oldest first, with its sequence number; forgets them all and starts numbering again at 1. */
  takeAll(): { seq: number; entry: LoggedMessage<Data> }[] {
    const first = this.#first;
    const taken = (this.#held?.drain() ?? []).map((entry, i) => ({ seq: first + i, entry }));
    this.#held = undefined;
    this.#first = 1;
    return taken;
  }
}
