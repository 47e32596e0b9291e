/**
 * A TCP proxy on 127.0.0.1, port 0, in front of a target port, that shapes the bytes going each
 * way. For now it only throttles (client→server at a limited rate, server→client untouched), so
 * that a drain really takes time: the proxy stops reading from the client while its own buffer
 * is full, so backpressure reaches the kernel buffers between client and proxy, then the
 * client's socket, then `ws`'s write buffer, which is what `bufferedAmount` counts.
 *
 * Faults are `Shaper`s too (`cutAfter`: drop, reset or blackhole a link after so many bytes of
 * one direction), plus what the proxy does with a client it accepts (`admit`: forward it, reset
 * it at once, or hold it without ever answering, a stalled handshake); the proxy itself only
 * accepts, connects and tracks.
 */
import { once } from 'node:events';
import net from 'node:net';

import { HOST, listenOnLoopback } from './loopback.js';

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
        to.write(piece, () => to.resetAndDestroy());
        from.resetAndDestroy();
      }
    };
    from.on('data', onData);
    from.on('end', () => {
      if (!cut) to.end();
    });
    return () => from.off('data', onData);
  };
}

/** What the proxy does with a client it accepts. */
export type Admission =
  /** Connects to the target and forwards, through the shapers. */
  | 'forward'
  /** Resets the client at once, before any byte: a connect that fails. */
  | 'reset'
  /** Reads and discards what the client sends and never answers: an opening handshake that stalls. */
  | 'stall';

export interface ProxyOptions {
  /** The port on 127.0.0.1 to forward to. */
  readonly target: number;
  /** Client→server bytes. @default passThrough */
  readonly upstream?: Shaper;
  /** Server→client bytes. @default passThrough */
  readonly downstream?: Shaper;
  /** What to do with each client accepted. @default 'forward' */
  readonly admit?: Admission;
}

/** One accepted client and the connection the proxy opened to the target for it. */
export interface Link {
  readonly client: net.Socket;
  readonly server: net.Socket;
}

export interface TestProxy {
  /** `ws://127.0.0.1:<port>/`, to connect through the proxy. */
  readonly url: string;
  readonly port: number;
  /** Links still open. */
  readonly links: ReadonlySet<Link>;
  /** Destroys every link and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy to `target`, shaping each direction as asked. */
export async function startProxy({ target, upstream = passThrough, downstream = passThrough, admit = 'forward' }: ProxyOptions): Promise<TestProxy> {
  const links = new Set<Link>();
  const stops = new Set<() => void>();
  /** Clients held by `admit: 'stall'` (they have no link: nothing was connected for them). */
  const held = new Set<net.Socket>();

  const server = net.createServer((client) => {
    if (admit !== 'forward') {
      client.on('error', () => {});
      if (admit === 'reset') {
        client.resetAndDestroy();
        return;
      }
      held.add(client);
      client.on('close', () => held.delete(client));
      client.resume(); // read the upgrade request, and never answer it
      return;
    }
    const link: Link = { client, server: net.connect(target, HOST) };
    links.add(link);
    const stop = [upstream(link.client, link.server), downstream(link.server, link.client)];
    stops.add(stop[0]!).add(stop[1]!);
    // An error on either side (a reset, most often) takes the whole link down, as a
    // middlebox losing one side would.
    const teardown = (): void => {
      for (const s of stop) {
        s();
        stops.delete(s);
      }
      link.client.destroy();
      link.server.destroy();
    };
    link.client.on('error', teardown);
    link.server.on('error', teardown);
    let open = 2;
    const closed = (): void => {
      if (--open === 0) {
        links.delete(link);
        teardown();
      }
    };
    link.client.on('close', closed);
    link.server.on('close', closed);
  });

  const port = await listenOnLoopback(server);

  return {
    url: `ws://${HOST}:${port}/`,
    port,
    links,
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const stop of stops) stop();
      for (const { client, server: upstreamSocket } of links) {
        client.destroy();
        upstreamSocket.destroy();
      }
      for (const client of held) client.destroy();
      await closed;
    },
  };
}

/** A proxy to `target` that forwards client→server bytes at `bytesPerSecond` and the rest untouched. */
export function startThrottleProxy(target: number, options: ThrottleOptions): Promise<TestProxy> {
  return startProxy({ target, upstream: throttle(options) });
}
