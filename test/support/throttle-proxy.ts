/**
 * A fault-injecting TCP proxy on 127.0.0.1, port 0, that sits between clients and a real
 * server and misbehaves as networks do, on demand:
 *
 * - at accept (`admit`): forward, reset at once (a connect that fails) or hold the client
 *   without ever answering (a stalled handshake); `refuse()` stops listening altogether, so
 *   connects are refused (ECONNREFUSED) until `listen()`;
 * - on a link, in either direction or both, switchable at any time and per link (`link.setFlow`)
 *   or for every link, new ones included (`proxy.setFlow`): pass, delay, throttle, blackhole
 *   (stop forwarding without closing; `link-flow.ts`);
 * - on a link, once: `drop()` (both sockets end without a closing handshake) or `reset()` (RST);
 * - static shapers fixed per link (`shapers.ts`: a byte-rate throttle, `cutAfter` so many bytes),
 *   for the suites that describe a whole run up front.
 *
 * The backend behind it can move (`retarget`), so a test restarts its server while clients keep
 * the proxy's address. Every accepted connection is timestamped, on the test's clock if given.
 * Every link's upstream is read message by message as it enters and leaves the proxy
 * (`upstream-traffic.ts`), and the record is kept once the link has closed (`proxy.upstream`),
 * so the accounting knows which messages the proxy swallowed and which it passed on.
 */
import net from 'node:net';

import { Pipe, PASS, type Flow } from './link-flow.js';
import { HOST, listenOnLoopback } from './loopback.js';
import { passThrough, throttle, type Shaper, type ThrottleOptions } from './shapers.js';
import { trackedNumber, UpstreamTraffic, type Identify } from './upstream-traffic.js';

export { BLACKHOLE, PASS, type Flow } from './link-flow.js';
export { cutAfter, passThrough, throttle, type Cut, type CutMode, type Shaper, type ThrottleOptions } from './shapers.js';
export type { Identify, UpstreamTraffic } from './upstream-traffic.js';

/** What the proxy does with a client it accepts. */
export type Admission =
  /** Connects to the target and forwards, through the shapers. */
  | 'forward'
  /** Resets the client at once, before any byte: a connect that fails. */
  | 'reset'
  /** Reads and discards what the client sends and never answers: an opening handshake that stalls. */
  | 'stall';

/** Client→server bytes, server→client bytes, or both. */
export type Direction = 'upstream' | 'downstream' | 'both';

export interface ProxyOptions {
  /** The port on 127.0.0.1 to forward to. */
  readonly target: number;
  /** A fixed shaper for client→server bytes; that direction then ignores flows. @default a switchable flow */
  readonly upstream?: Shaper;
  /** A fixed shaper for server→client bytes; that direction then ignores flows. @default a switchable flow */
  readonly downstream?: Shaper;
  /** What to do with each client accepted; `proxy.admit` changes it later. @default 'forward' */
  readonly admit?: Admission;
  /** The flow of both directions of new links, until `setFlow` changes it. @default PASS */
  readonly flow?: Flow;
  /** Where accept timestamps come from (a `SimulatedClock`'s `now`, say). @default performance.now */
  readonly now?: () => number;
  /** The number each client message carries, for the upstream records. @default the resilience tests' `${client}:${seq}` text */
  readonly identify?: Identify;
}

/** One accepted client and the connection the proxy opened to the target for it. */
export interface Link {
  readonly client: net.Socket;
  readonly server: net.Socket;
  /** The request target of the client's first line (`/?client=3`), once it has arrived. */
  readonly path: string | undefined;
  /** The messages this link read from the client and passed on to the server. */
  readonly upstream: UpstreamTraffic;
  /** Switches how this link forwards. Throws for a direction that has a fixed shaper. */
  setFlow(direction: Direction, flow: Flow): void;
  /** Ends both sockets at once, without a closing handshake: the client sees a 1006. */
  drop(): void;
  /** Resets both sockets (RST): each side sees ECONNRESET. */
  reset(): void;
}

export interface TestProxy {
  /** `ws://127.0.0.1:<port>/`, to connect through the proxy. */
  readonly url: string;
  readonly port: number;
  /** Links still open. */
  readonly links: ReadonlySet<Link>;
  /** When each client was accepted, by `now`, in order, including those reset or held. */
  readonly accepted: readonly number[];
  /** What went up each link ever made, in the order they were made, closed ones included. */
  readonly upstream: readonly UpstreamTraffic[];
  /** What happens to the next clients accepted. */
  admit: Admission;
  /** Sets the flow of every link open now and of every link made from now on. */
  setFlow(direction: Direction, flow: Flow): void;
  /** Forwards links made from now on to another port: the backend restarted elsewhere. */
  retarget(port: number): void;
  /** Stops listening, so connects are refused, until `listen()`. Links already made carry on. */
  refuse(): void;
  /** Listens again, on the same port. */
  listen(): Promise<void>;
  /** Destroys every link and held client, stops listening; resolves once every socket has closed. */
  close(): Promise<void>;
}

/** Starts a proxy to `target`; everything else is optional. */
export async function startProxy(options: ProxyOptions): Promise<TestProxy> {
  const now = options.now ?? (() => performance.now());
  let target = options.target;
  const flows = { upstream: options.flow ?? PASS, downstream: options.flow ?? PASS };
  const links = new Set<ProxyLink>();
  const accepted: number[] = [];
  const upstream: UpstreamTraffic[] = [];
  const identify = options.identify ?? trackedNumber;
  /** Every socket the proxy holds, to destroy and await on close. */
  const sockets = new Set<net.Socket>();
  const own = (socket: net.Socket): net.Socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    return socket;
  };
  /** Every listener ever started (`refuse()` closes one, `listen()` makes another), with its close. */
  const listeners = new Map<net.Server, Promise<void>>();
  /** The listener, listening or about to (`bound` settles once it is). */
  let listener: net.Server | undefined;
  let bound = Promise.resolve();

  const proxy = {
    admit: options.admit ?? 'forward',
    links: links as ReadonlySet<Link>,
    accepted,
    upstream,
    port: 0,
    url: '',
    setFlow(direction: Direction, flow: Flow) {
      if (direction !== 'downstream') flows.upstream = flow;
      if (direction !== 'upstream') flows.downstream = flow;
      for (const link of links) link.setFlow(direction, flow, true);
    },
    retarget(port: number) {
      target = port;
    },
    refuse() {
      const closing = listener;
      listener = undefined;
      // Closed while still binding, a server emits 'close' and then listens all the same.
      void bound.then(
        () => closing?.close(),
        () => {},
      );
    },
    listen() {
      if (listener !== undefined) return bound;
      const server = (listener = createListener());
      bound = listenAgain(server, proxy.port).catch((error: unknown) => {
        listeners.delete(server); // it never listened, so it will never emit 'close'
        if (listener === server) listener = undefined;
        throw error;
      });
      return bound;
    },
    async close() {
      proxy.refuse();
      await bound.catch(() => {});
      for (const link of links) link.stop();
      const closed = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of sockets) socket.destroy();
      await Promise.all([...closed, ...listeners.values()]);
    },
  };

  function createListener(): net.Server {
    const server = net.createServer((client) => {
      accepted.push(now());
      own(client).on('error', () => {});
      if (proxy.admit === 'reset') client.resetAndDestroy();
      // Read the upgrade request, and never answer it.
      else if (proxy.admit === 'stall') client.resume();
      else {
        const link = new ProxyLink(client, own(net.connect(target, HOST)), options, flows, identify, () => links.delete(link));
        links.add(link);
        upstream.push(link.upstream);
      }
    });
    listeners.set(server, new Promise((resolve) => server.once('close', resolve)));
    return server;
  }

  listener = createListener();
  proxy.port = await listenOnLoopback(listener);
  proxy.url = `ws://${HOST}:${proxy.port}/`;
  return proxy;
}

/** A proxy to `target` that forwards client→server bytes at `bytesPerSecond` and the rest untouched. */
export function startThrottleProxy(target: number, options: ThrottleOptions): Promise<TestProxy> {
  return startProxy({ target, upstream: throttle(options), downstream: passThrough });
}

class ProxyLink implements Link {
  readonly client: net.Socket;
  readonly server: net.Socket;
  readonly upstream: UpstreamTraffic;
  readonly #pipes: { upstream?: Pipe; downstream?: Pipe } = {};
  readonly #stops: (() => void)[] = [];

  constructor(
    client: net.Socket,
    server: net.Socket,
    shapers: Pick<ProxyOptions, 'upstream' | 'downstream'>,
    flows: { readonly upstream: Flow; readonly downstream: Flow },
    identify: Identify,
    onClosed: () => void,
  ) {
    this.client = client;
    this.server = server;
    // First, so that it reads each chunk before a shaper can pass it on.
    this.upstream = new UpstreamTraffic(client, server, identify);
    for (const [direction, from, to] of [
      ['upstream', client, server],
      ['downstream', server, client],
    ] as const) {
      const shaper = shapers[direction];
      if (shaper !== undefined) this.#stops.push(shaper(from, to));
      else {
        const pipe = new Pipe(from, to, flows[direction]);
        this.#pipes[direction] = pipe;
        this.#stops.push(() => pipe.stop());
      }
    }
    // An error on either side (a reset, most often) takes the whole link down, as a middlebox
    // losing one side would.
    const teardown = (): void => {
      this.stop();
      client.destroy();
      server.destroy();
    };
    client.on('error', teardown);
    server.on('error', teardown);
    let open = 2;
    const closed = (): void => {
      if (--open > 0) return;
      onClosed();
      teardown();
    };
    client.on('close', closed);
    server.on('close', closed);
  }

  get path(): string | undefined {
    return this.upstream.path;
  }

  /** `global`: set by `proxy.setFlow`, which skips directions with a fixed shaper instead of throwing. */
  setFlow(direction: Direction, flow: Flow, global = false): void {
    for (const name of direction === 'both' ? (['upstream', 'downstream'] as const) : [direction]) {
      const pipe = this.#pipes[name];
      if (pipe !== undefined) pipe.flow = flow;
      else if (!global) throw new Error(`The ${name} direction of this link has a fixed shaper`);
    }
  }

  drop(): void {
    this.stop();
    this.client.destroy();
    this.server.destroy();
  }

  reset(): void {
    this.stop();
    this.client.resetAndDestroy();
    this.server.resetAndDestroy();
  }

  /** Stops forwarding (timers included). */
  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }
}

/**
 * Listens on `port` again. The listener `refuse()` closed releases the port when its handle's
 * close callback runs, a loop turn or two later, so a bind that finds it still taken waits a turn.
 * Another process could take the port meanwhile; then this fails after a bounded number of turns.
 */
async function listenAgain(server: net.Server, port: number): Promise<void> {
  for (let turn = 0; ; turn++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, HOST, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || turn === 100) throw error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
