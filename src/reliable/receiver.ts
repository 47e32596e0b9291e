/**
 * The receiving half of a session, on either side: which numbered message comes next, whether
 * one that arrives is it, a duplicate of one already delivered (a replay overlapping what
 * arrived before the drop), or past a gap (a protocol error); and when the peer is owed an
 * acknowledgement.
 *
 * Acknowledgements are cumulative and mean "delivered to the application". One is owed as soon
 * as a message is delivered; it goes out piggybacked on the next data frame, or on its own once
 * half the peer's buffer is used (so a sender with a small buffer never waits on the timer), or
 * when the owner's idle timer fires.
 */

/** What became of an arriving message. */
export const Arrival = {
  /** The next one: deliver it. */
  Next: 0,
  /** Already delivered: drop it. */
  Duplicate: 1,
  /** Past a gap: the peer skipped a number. */
  Gap: 2,
} as const;

export type Arrival = (typeof Arrival)[keyof typeof Arrival];

/** Acknowledge at least every this many messages, whatever the peer's buffer. */
const ACK_EVERY_AT_MOST = 256;

export class Receiver {
  /** The highest sequence number delivered to the application. */
  received = 0;
  /** The highest sequence number acknowledged to the peer. */
  acked = 0;
  #bytesSinceAck = 0;
  #ackEveryMessages = 1;
  #ackEveryBytes = 1;

  /** Sets the peer's buffer bounds, which decide how often it must hear an acknowledgement. */
  peerLimits(maxMessages: number, maxBytes: number): void {
    this.#ackEveryMessages = Math.max(1, Math.min(ACK_EVERY_AT_MOST, Math.floor(maxMessages / 2)));
    this.#ackEveryBytes = Math.max(1, Math.floor(maxBytes / 2));
  }

  /** Classifies message `seq` of `bytes` bytes, and counts it delivered if it is the next one. */
  arrive(seq: number, bytes: number): Arrival {
    if (seq <= this.received) return Arrival.Duplicate;
    if (seq !== this.received + 1) return Arrival.Gap;
    this.received = seq;
    this.#bytesSinceAck += bytes;
    return Arrival.Next;
  }

  /** Whether an acknowledgement is owed. */
  get owesAck(): boolean {
    return this.received > this.acked;
  }

  /** Whether one is owed now rather than on the idle timer: half the peer's buffer is waiting on it. */
  get ackDue(): boolean {
    return this.received - this.acked >= this.#ackEveryMessages || this.#bytesSinceAck >= this.#ackEveryBytes;
  }

  /** Records that everything delivered has been acknowledged. */
  acknowledged(): void {
    this.acked = this.received;
    this.#bytesSinceAck = 0;
  }

  /** A new session: numbering starts again. */
  reset(): void {
    this.received = 0;
    this.acked = 0;
    this.#bytesSinceAck = 0;
  }
}
