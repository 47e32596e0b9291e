/**
 * The messages one side of a session sent (or holds to send) and the peer has not acknowledged,
 * numbered consecutively: the buffer a resume replays from, bounded by its owner in messages
 * and bytes. Shared by the client session and the server's.
 *
 * A ring of power-of-two capacity, created with the first message (an idle session holds
 * nothing), with O(1) push, acknowledgement of the oldest, and lookup by sequence number.
 */

/** One held message: what goes on the wire, and what the application passed (reported back by identity). */
export interface LoggedMessage<Data> {
  readonly wire: Data;
  readonly original: unknown;
  readonly bytes: number;
}

export class OutboundLog<Data> {
  #entries: (LoggedMessage<Data> | undefined)[] | undefined;
  #head = 0;
  #length = 0;
  #bytes = 0;
  /** The sequence number of the oldest held message (or of the next one, when none is held). */
  #first = 1;

  /** How many messages are held. */
  get length(): number {
    return this.#length;
  }

  /** Their bytes, as they were pushed. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The sequence number the next message pushed gets. */
  get nextSeq(): number {
    return this.#first + this.#length;
  }

  /** The highest sequence number pushed so far (0 before the first). */
  get lastSeq(): number {
    return this.#first + this.#length - 1;
  }

  /** The highest sequence number the peer acknowledged: everything before the oldest held. */
  get acked(): number {
    return this.#first - 1;
  }

  /** Holds a message; returns its sequence number. */
  push(entry: LoggedMessage<Data>): number {
    let entries = this.#entries;
    if (entries === undefined) entries = this.#entries = new Array<LoggedMessage<Data> | undefined>(8);
    else if (this.#length === entries.length) entries = this.#grow(entries);
    entries[(this.#head + this.#length) & (entries.length - 1)] = entry;
    this.#length++;
    this.#bytes += entry.bytes;
    return this.#first + this.#length - 1;
  }

  /** The held message numbered `seq`, or `undefined`. */
  get(seq: number): LoggedMessage<Data> | undefined {
    const index = seq - this.#first;
    if (index < 0 || index >= this.#length) return undefined;
    const entries = this.#entries!;
    return entries[(this.#head + index) & (entries.length - 1)];
  }

  /**
   * The peer acknowledged everything up to `seq`: forgets those messages. The caller has
   * checked that `acked <= seq <= lastSeq`.
   */
  acknowledge(seq: number): void {
    const entries = this.#entries;
    if (entries === undefined) {
      this.#first = seq + 1;
      return;
    }
    const mask = entries.length - 1;
    while (this.#first <= seq) {
      this.#bytes -= entries[this.#head]!.bytes;
      entries[this.#head] = undefined;
      this.#head = (this.#head + 1) & mask;
      this.#length--;
      this.#first++;
    }
    // A session that drained its burst need not keep the ring it grew for it.
    if (this.#length === 0 && entries.length > 64) {
      this.#entries = undefined;
      this.#head = 0;
    }
  }

  /** Every held message, oldest first, with its sequence number; forgets them all and starts numbering again at 1. */
  takeAll(): { seq: number; entry: LoggedMessage<Data> }[] {
    const taken: { seq: number; entry: LoggedMessage<Data> }[] = [];
    for (let seq = this.#first; seq < this.#first + this.#length; seq++) taken.push({ seq, entry: this.get(seq)! });
    this.#entries = undefined;
    this.#head = 0;
    this.#length = 0;
    this.#bytes = 0;
    this.#first = 1;
    return taken;
  }

  #grow(entries: (LoggedMessage<Data> | undefined)[]): (LoggedMessage<Data> | undefined)[] {
    const grown = new Array<LoggedMessage<Data> | undefined>(entries.length * 2);
    for (let i = 0; i < this.#length; i++) grown[i] = entries[(this.#head + i) & (entries.length - 1)];
    this.#head = 0;
    return (this.#entries = grown);
  }
}
