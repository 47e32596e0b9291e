/**
 * One direction of a proxied TCP link whose behaviour a test can switch at any moment: pass
 * bytes through, hold each chunk for a while (latency), forward a few bytes per tick (a slow
 * path) or stop forwarding without closing anything (a blackhole). The flow only ever changes
 * how and when bytes move, never their order; switching back to `pass` forwards whatever was
 * held, as TCP would retransmit it once a path that dropped packets recovers.
 *
 * Reading follows the flow too: a blackhole stops reading at once and the other flows stop
 * while the pipe holds more than a little, so what the sender writes piles up in its own
 * buffers (the kernel's, then `ws`'s), as it would behind a real congested or dead path.
 */
import type net from 'node:net';

/** How one direction of a link forwards bytes. */
export type Flow =
  /** Everything, as it comes. */
  | { readonly kind: 'pass' }
  /** Each chunk `ms` after it arrived: latency, with the order kept. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** At most `bytesPerTick` every `tickMs` (default 10 ms). */
  | { readonly kind: 'throttle'; readonly bytesPerTick: number; readonly tickMs?: number }
  /** Nothing: bytes are held (and reading stops) until the flow changes; no socket is closed. */
  | { readonly kind: 'blackhole' };

export const PASS: Flow = { kind: 'pass' };
export const BLACKHOLE: Flow = { kind: 'blackhole' };

/** What a pass or delay flow holds before it stops reading: enough not to throttle loopback. */
const HIGH_WATER_MARK = 1024 * 1024;
/** The most Node hands a `data` listener of a TCP socket at once (libuv reads into 64 KiB). */
const READ_CHUNK = 64 * 1024;

/**
 * The most a pipe holds in memory, read and not yet handed on: its high-water mark and the chunk
 * read past it (a throttle holds twice its bytes per tick, far less in every test). It also covers
 * what the socket it writes to buffers (its own 16 KiB mark and the piece written past it).
 */
export const MOST_HELD_BYTES = HIGH_WATER_MARK + READ_CHUNK;

interface Held {
  chunk: Buffer;
  readonly arrived: number;
}

/** Moves bytes from `from` to `to` as its current flow says, and ends `to` once `from` has ended and everything was forwarded. */
export class Pipe {
  readonly #from: net.Socket;
  readonly #to: net.Socket;
  #flow: Flow;
  readonly #held: Held[] = [];
  #heldBytes = 0;
  #ended = false;
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(from: net.Socket, to: net.Socket, flow: Flow) {
    this.#from = from;
    this.#to = to;
    this.#flow = flow;
    from.on('data', this.#onData);
    from.on('end', this.#onEnd);
    to.on('drain', this.#pump);
    this.#pump();
  }

  get flow(): Flow {
    return this.#flow;
  }

  set flow(flow: Flow) {
    this.#flow = flow;
    this.#pump();
  }

  /** Stops forwarding for good (timers included); what is held is dropped, as a link torn down drops it. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#from.off('data', this.#onData);
    this.#from.off('end', this.#onEnd);
    this.#to.off('drain', this.#pump);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#held.push({ chunk, arrived: performance.now() });
    this.#heldBytes += chunk.length;
    this.#pump();
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#pump();
  };

  readonly #pump = (): void => {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const flow = this.#flow;
    if (flow.kind !== 'blackhole') this.#forward(flow);
    const limit = flow.kind === 'blackhole' ? -1 : flow.kind === 'throttle' ? 2 * flow.bytesPerTick : HIGH_WATER_MARK;
    if (this.#heldBytes > limit || this.#to.writableNeedDrain) this.#from.pause();
    else this.#from.resume();
  };

  #forward(flow: Exclude<Flow, { kind: 'blackhole' }>): void {
    const to = this.#to;
    const now = performance.now();
    let budget = flow.kind === 'throttle' ? flow.bytesPerTick : Infinity;
    while (this.#held.length > 0 && budget > 0 && !to.writableNeedDrain && !to.destroyed) {
      const head = this.#held[0]!;
      if (flow.kind === 'delay' && head.arrived + flow.ms > now) break;
      const piece = head.chunk.length <= budget ? head.chunk : head.chunk.subarray(0, budget);
      if (piece === head.chunk) this.#held.shift();
      else head.chunk = head.chunk.subarray(budget);
      to.write(piece);
      this.#heldBytes -= piece.length;
      budget -= piece.length;
    }
    if (this.#held.length === 0) {
      if (this.#ended && !to.writableEnded) to.end();
      return;
    }
    // More is held: come back when the next piece may go ('drain' calls back on its own).
    if (to.writableNeedDrain || to.destroyed) return;
    const wait = flow.kind === 'throttle' ? (flow.tickMs ?? 10) : flow.kind === 'delay' ? this.#held[0]!.arrived + flow.ms - now : 0;
    this.#timer = setTimeout(this.#pump, Math.max(0, wait));
  }
}
