/**
 * Static shapers for one direction of a proxied link, fixed when the link is made: a throttle
 * (so that a drain really takes time) and `cutAfter` (drop, reset or blackhole the link after
 * so many bytes). `link-flow.ts` has the flows a test switches at run time instead.
 */
import type net from 'node:net';
import { resetSocket } from './loopback.js';

/**
 * Moves the bytes of one direction of a link from `from` to `to`, and ends `to` once `from` has
 * ended and everything was forwarded. Returns a function that stops it (timers included).
 */
export type Shaper = (from: net.Socket, to: net.Socket) => () => void;

/** Forwards everything as it comes. */
export const passThrough: Shaper = (from, to) => {
  from.pipe(to);
  return () => from.unpipe(to);
};

export interface ThrottleOptions {
  /** The rate bytes are forwarded at. */
  readonly bytesPerSecond: number;
  /** How often the pump runs, in ms. @default 10 */
  readonly tickMs?: number;
}

/**
 * Forwards at most `bytesPerSecond`, in one burst per tick. Reading from `from` is paused while
 * more than two ticks' worth is waiting, so the proxy never holds much itself: the rest stays
 * in the sender's buffers, where backpressure belongs.
 */
export function throttle({ bytesPerSecond, tickMs = 10 }: ThrottleOptions): Shaper {
  const bytesPerTick = Math.max(1, Math.round((bytesPerSecond * tickMs) / 1000));
  const highWaterMark = 2 * bytesPerTick;
  return (from, to) => {
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    let ended = false;

    from.on('data', (chunk: Buffer) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= highWaterMark) from.pause();
    });
    from.on('end', () => (ended = true));

    const pump = setInterval(() => {
      // Respect the target's backpressure too: on loopback it is rare, but a paused server
      // would otherwise make the proxy buffer without bound.
      if (to.writableNeedDrain || to.destroyed) return;
      let budget = bytesPerTick;
      while (budget > 0 && pending.length > 0) {
        const head = pending[0]!;
        const piece = head.length <= budget ? head : head.subarray(0, budget);
        if (piece === head) pending.shift();
        else pending[0] = head.subarray(budget);
        to.write(piece);
        pendingBytes -= piece.length;
        budget -= piece.length;
      }
      if (pendingBytes < highWaterMark && from.isPaused()) from.resume();
      if (ended && pending.length === 0) {
        clearInterval(pump);
        to.end();
      }
    }, tickMs);
    return () => clearInterval(pump);
  };
}

/** How a fault ends a link once its byte budget is spent. */
export type CutMode =
  /** Both sockets destroyed: the client sees the connection end without a closing handshake. */
  | 'drop'
  /** Both sockets reset (RST): the client sees `ECONNRESET`. */
  | 'reset'
  /** This direction stops (nothing more is read or forwarded) and both sockets stay open: a peer that vanished, or a path that dropped every packet. */
  | 'blackhole';

export interface Cut {
  /** Bytes forwarded before the fault: 0 fails the link on its first byte. */
  readonly after: number;
  readonly mode: CutMode;
}

/**
 * Forwards the first `after` bytes of one direction, then fails the link as `mode` says: drop
 * and reset take down both sockets, blackhole silences this direction. `onCut` runs when it
 * fires, so a test knows that bytes the sender's kernel had already taken may have been lost.
 */
export function cutAfter({ after, mode }: Cut, onCut: () => void = () => {}): Shaper {
  return (from, to) => {
    let budget = after;
    let cut = false;
    const onData = (chunk: Buffer): void => {
      if (cut) return; // a blackhole swallows whatever was already on its way
      if (chunk.length < budget) {
        budget -= chunk.length;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
        return;
      }
      cut = true;
      const piece = chunk.subarray(0, budget);
      onCut();
      if (mode === 'blackhole') {
        to.write(piece);
        from.pause(); // stop reading: what the sender writes from now on stays in its own buffers
      } else if (mode === 'drop') {
        to.end(piece);
        from.destroy();
      } else {
        to.write(piece, () => resetSocket(to));
        resetSocket(from);
      }
    };
    from.on('data', onData);
    from.on('end', () => {
      if (!cut) to.end();
    });
    return () => from.off('data', onData);
  };
}
