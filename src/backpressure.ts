/**
 * The outbound high watermark of a connection: a `backpressure` event when a send takes
 * `bufferedAmount` (the queue plus what the socket has not written out) from below
 * `highWaterMark` to at or above it, a `ready` event when it is back below, and the `ready`
 * promise, which settles when there is room. The shape follows `WritableStream`'s
 * `desiredSize` and `writer.ready` (WHATWG Streams Standard): there is room while the buffer is
 * below the watermark.
 *
 * Pay for what you use: a connection has none of this until its buffer first reaches the
 * watermark or someone reads `ready`. The send path adds the message's bytes to the queue's and
 * the socket's, which it measured anyway, and compares.
 *
 * Which states have room is the machine's to say, not this file's: `ready` resolves only where
 * the machine's `user.send` transitions accept a message (`acceptsSends`, read from its
 * definition), stays pending where they refuse one but the connection may still reconnect
 * (closing after an error), and rejects once it is over for good (`close()` recorded, or a
 * CLOSED state), as `writer.ready` rejects once its stream has errored.
 */
import type { ConnectionEngine } from './engine.js';
import type { TransportSocket } from './transports/transport.js';
import { handledRejection, pending, type Pending } from './pending.js';
import { domError } from './validation.js';

export class Backpressure {
  readonly #engine: ConnectionEngine;
  /** Whether `backpressure` was the last of the two events: the buffer reached the watermark and has not come back below it since. */
  #over = false;
  /** The pending `ready` promise, while someone holds one. */
  #waiting: Pending | undefined;
  /** The socket asked to say when it is below the watermark, so each is asked once per wait. */
  #watched: TransportSocket | undefined;

  constructor(engine: ConnectionEngine) {
    this.#engine = engine;
  }

  /** A send took the buffer to `bufferedAmount`, at or above the watermark. */
  reached(bufferedAmount: number): void {
    if (this.#over) return;
    this.#over = true;
    this.#engine.sequencer.post('backpressure', { bufferedAmount, highWaterMark: this.#engine.options.highWaterMark });
    this.#watch();
  }

  /** Settles when there is room; see the file's comment. */
  get ready(): Promise<void> {
    const engine = this.#engine;
    if (engine.endedForGood) return handledRejection(closedError());
    if (engine.acceptsSends && engine.bufferedAmount < engine.options.highWaterMark) return Promise.resolve();
    if (this.#waiting === undefined) {
      this.#waiting = pending();
      this.#watch();
    }
    return this.#waiting.promise;
  }

  /** A step of the machine, or a write the socket confirmed, may have moved the buffer or the state: settle what that decides. */
  update(): void {
    const engine = this.#engine;
    if (engine.endedForGood) {
      this.#settle(closedError());
      return;
    }
    // Refused here but perhaps not for long (closing after an error, before a reconnect): wait.
    if (!engine.acceptsSends) return;
    const bufferedAmount = engine.bufferedAmount;
    const highWaterMark = engine.options.highWaterMark;
    if (bufferedAmount >= highWaterMark) {
      this.#watch();
      return;
    }
    if (this.#over) {
      this.#over = false;
      engine.sequencer.post('ready', { bufferedAmount, highWaterMark });
    }
    this.#settle();
  }

  /**
   * Asks the socket to say when it holds less than the watermark, once the buffer is all in it
   * (while messages wait in the queue, only the machine's steps move them).
   */
  #watch(): void {
    const engine = this.#engine;
    const socket = engine.sockets.socket;
    if (socket === undefined || (engine.queue?.bytes ?? 0) > 0 || this.#watched === socket) return;
    this.#watched = socket;
    const below = (): void => {
      if (this.#watched === socket) this.#watched = undefined;
      engine.sequencer.fromOutside(() => engine.sequencer.transition(() => this.update()));
    };
    if (socket.whenBelow) socket.whenBelow(engine.options.highWaterMark, below);
    else socket.whenDrained(below);
  }

  #settle(error?: DOMException): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    this.#waiting = undefined;
    if (error === undefined) waiting.resolve();
    else waiting.reject(error);
  }
}

/** What `ready` rejects with once the connection is over for good. */
function closedError(): DOMException {
  return domError('InvalidStateError', 'The connection is closing or closed: send() accepts no more messages');
}
