/**
 * The server side of reliable sessions over `ws`: it takes every socket whose client offered
 * the session subprotocol, greets it with a hello (the in-band proof a client waits for: a
 * plain `ws` server accepts any subprotocol offered, so the handshake alone proves nothing),
 * and starts or resumes a session on it; every other socket is left to the application.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { Emitter } from '../emitter.js';
import { CLOSE_CODES, PROTOCOL_VERSION, SESSION_PROTOCOL, controlFrame, parseControl, type ControlFrame } from '../reliable/protocol.js';
import { Timers, systemClock, type Clock, type TimerOwner } from '../time.js';
import { describeValue, integerOption } from '../validation.js';
import { ServerSessionImpl, type ResolvedServerOptions, type ServerSession, type SessionHost, type SessionLink } from './server-session.js';
import { memorySessionStore, type MaybePromise, type SessionStore } from './store.js';

export interface SessionServerOptions {
  /** Where sessions are recorded. @default memorySessionStore() */
  readonly store?: SessionStore;
  /** How long a session whose socket closed without a bye waits for the client to resume it, in ms, before it expires. @default 60000 */
  readonly sessionTimeout?: number;
  /** The most messages a session holds until the client acknowledges them; `send()` refuses more (`buffer-full`). @default 1000 */
  readonly maxUnackedMessages?: number;
  /** The most bytes a session holds until acknowledged. @default 1048576 (1 MiB) */
  readonly maxUnackedBytes?: number;
  /** How long a received message may wait for its acknowledgement to ride on an outgoing one, in ms. @default 100 */
  readonly ackDelay?: number;
  /** How long a closing session waits for the client's bye and close, in ms, before dropping the socket. @default 5000 */
  readonly byeTimeout?: number;
  /** How long a client may take to answer the hello with `start` or `resume`, in ms, before its socket is closed (`protocol-error`). @default 10000 */
  readonly handshakeTimeout?: number;
  /**
   * The most sessions held at once (attached or waiting to be resumed): a `start` beyond it is
   * answered with a close 1013 (try again later), which clients retry after their backoff, so
   * that the memory sessions take is bounded in count as each one's is in messages and bytes.
   * @default 10000
   */
  readonly maxSessions?: number;
  /** The source of time for every timer. @default the platform's timers */
  readonly clock?: Clock;
}

/** Every server option's default (`store` aside: a new in-memory store per server). */
export const SERVER_DEFAULTS = {
  sessionTimeout: 60_000,
  maxUnackedMessages: 1_000,
  maxUnackedBytes: 1024 * 1024,
  ackDelay: 100,
  byeTimeout: 5_000,
  handshakeTimeout: 10_000,
  maxSessions: 10_000,
} as const;

export interface SessionServerEventMap {
  /** A new session began (`session.lostSession` names the one the client lost, if any): listen to it here, before its first message. */
  session: ServerSession;
}

export interface SessionServer {
  /** The sessions this server holds, attached or waiting to be resumed, by id. */
  readonly sessions: ReadonlyMap<string, ServerSession>;
  on<K extends keyof SessionServerEventMap>(type: K, listener: (payload: SessionServerEventMap[K]) => void): () => void;
  /**
   * Takes `socket` if its client offered the session subprotocol (for servers that route
   * upgrades themselves, with `noServer`); returns whether it did. `attachSessions` calls it for
   * every connection of its `WebSocketServer`.
   */
  handle(socket: WebSocket, request: IncomingMessage): boolean;
  /** Stops taking sockets and ends every session (`shutdown`), closing their sockets with 1001. */
  close(): void;
}

/** Whether the client that sent `request` offered the session subprotocol. */
export function offersSession(request: IncomingMessage): boolean {
  const header = request.headers['sec-websocket-protocol'];
  return typeof header === 'string' && header.split(',').some((protocol) => protocol.trim() === SESSION_PROTOCOL);
}

/**
 * Serves reliable sessions on `server`: every socket whose client offered the session
 * subprotocol becomes (part of) a session, announced by the `session` event; other sockets are
 * the application's, which should skip session ones in its own `connection` listener
 * (`if (offersSession(request)) return;`).
 */
export function attachSessions(server: WebSocketServer, options?: SessionServerOptions): SessionServer {
  const sessions = createSessionServer(options, () => server.off('connection', onConnection));
  const onConnection = (socket: WebSocket, request: IncomingMessage): void => void sessions.handle(socket, request);
  server.on('connection', onConnection);
  return sessions;
}

/** A session server that takes sockets through `handle()` only. */
export function createSessionServer(options: SessionServerOptions = {}, onClose: () => void = () => {}): SessionServer {
  return createHub(options, onClose);
}

/** The session server as its class, with `accept` for sockets that are not `ws` ones (the tests' in-memory sockets). */
export function createHub(options: SessionServerOptions = {}, onClose: () => void = () => {}): Hub {
  return new Hub(resolveServerOptions(options), options.store ?? memorySessionStore(), onClose);
}

function resolveServerOptions(options: SessionServerOptions): ResolvedServerOptions {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) throw new TypeError(`Expected options to be an object, got ${describeValue(options)}`);
  const store: unknown = options.store;
  if (store !== undefined && (typeof store !== 'object' || store === null || typeof (store as SessionStore).claim !== 'function')) {
    throw new TypeError(`Expected \`store\` to be a SessionStore (create, claim, release), got ${describeValue(store)}`);
  }
  const integer = (name: keyof typeof SERVER_DEFAULTS, min: number): number =>
    integerOption(name, options[name], SERVER_DEFAULTS[name], min);
  return {
    sessionTimeout: integer('sessionTimeout', 0),
    maxUnackedMessages: integer('maxUnackedMessages', 1),
    maxUnackedBytes: integer('maxUnackedBytes', 1),
    ackDelay: integer('ackDelay', 0),
    byeTimeout: integer('byeTimeout', 1),
    handshakeTimeout: integer('handshakeTimeout', 1),
    maxSessions: integer('maxSessions', 1),
    clock: options.clock ?? systemClock,
  };
}

/** The session server; `createSessionServer` returns it as a `SessionServer` (tests use `accept` for in-memory sockets). */
export class Hub implements SessionServer, SessionHost {
  readonly options: ResolvedServerOptions;
  readonly store: SessionStore;
  readonly #sessions = new Map<string, ServerSessionImpl>();
  readonly #events = new Emitter<SessionServerEventMap>();
  readonly #links = new Set<Link>();
  readonly #onClose: () => void;
  #closed = false;

  constructor(options: ResolvedServerOptions, store: SessionStore, onClose: () => void) {
    this.options = options;
    this.store = store;
    this.#onClose = onClose;
  }

  get sessions(): ReadonlyMap<string, ServerSession> {
    return this.#sessions;
  }

  on<K extends keyof SessionServerEventMap>(type: K, listener: (payload: SessionServerEventMap[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  handle(socket: WebSocket, request: IncomingMessage): boolean {
    if (this.#closed || !offersSession(request)) return false;
    socket.binaryType = 'nodebuffer';
    const link = new Link(this, wsSocket(socket), request);
    this.#links.add(link);
    socket.on('message', (data: Buffer, isBinary: boolean) => link.message(data, isBinary));
    socket.on('close', (code: number) => link.closed(code));
    // A socket error is followed by its close, which is what the session acts on.
    socket.on('error', () => {});
    link.greet();
    return true;
  }

  /** Takes a socket of another kind (an in-memory one, in tests); `socket` reports to the returned handlers. */
  accept(socket: LinkSocket, request?: IncomingMessage): { message(data: Buffer, isBinary: boolean): void; closed(code: number): void } {
    const link = new Link(this, socket, request);
    this.#links.add(link);
    link.greet();
    return { message: (data, isBinary) => link.message(data, isBinary), closed: (code) => link.closed(code) };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    for (const session of [...this.#sessions.values()]) session.end('shutdown');
    for (const link of this.#links) link.shutDown();
    this.#links.clear();
  }

  forget(session: ServerSessionImpl): void {
    if (this.#sessions.get(session.id) === session) this.#sessions.delete(session.id);
  }

  linkClosed(link: Link): void {
    this.#links.delete(link);
  }

  /** A client asked for a new session on `link`. */
  start(link: Link, frame: Extract<ControlFrame, { t: 'start' }>): void {
    if (this.#sessions.size >= this.options.maxSessions) {
      link.tryLater();
      return;
    }
    whenSettled(this.store.create(), link, (record) => {
      if (this.#closed || !link.isWaiting()) {
        // The socket went away (or the server shut down) while the store answered.
        void this.store.release(record.id, record.epoch, false);
        return;
      }
      const session = new ServerSessionImpl(this, record.id, record.epoch, frame.lost);
      // The application reads the upgrade request (its URL, its cookies) in its `session` listener.
      session.request = link.request;
      this.#sessions.set(record.id, session);
      link.attachTo(session);
      // Announced before the session frame goes out, so the application's listeners are in
      // place for the first message, and what it sends from its listener follows that frame.
      this.#events.emit('session', session);
      // Closed by a listener before it began: the client's connection ends, and it reports what it held.
      if (session.state === 'closed') {
        link.close(1000, 'session closed');
        return;
      }
      session.attach(link, record.epoch, frame, 0, false);
    });
  }

  /** A client asked on `link` to resume session `frame.id`. */
  resume(link: Link, frame: Extract<ControlFrame, { t: 'resume' }>): void {
    whenSettled(this.store.claim(frame.id), link, (claim) => {
      if (this.#closed || !link.isWaiting()) return;
      if (claim === 'unknown' || claim === 'expired') {
        link.refuse(claim === 'unknown' ? 'unknown-session' : 'expired-session');
        return;
      }
      const session = this.#sessions.get(frame.id);
      // The store knows it, but this process holds no buffers for it: it lived elsewhere.
      if (session === undefined) {
        link.refuse('unknown-session');
        return;
      }
      const problem = session.resumeProblem(frame.seq);
      if (problem !== undefined) {
        // The claim raised the store's epoch, and this process still holds the session: it holds
        // it at the new epoch, or its own release would be fenced off and the record kept forever.
        session.epoch = claim.epoch;
        link.refuse(problem === 'the session is ending' ? 'unknown-session' : 'bad-ack');
        return;
      }
      link.attachTo(session);
      session.attach(link, claim.epoch, frame, frame.seq, true);
    });
  }
}

/** What a link needs from its socket. */
export interface LinkSocket {
  send(frame: string | Uint8Array): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

function wsSocket(socket: WebSocket): LinkSocket {
  return {
    send: (frame) => socket.send(frame, { binary: typeof frame !== 'string' }),
    close: (code, reason) => socket.close(code, reason),
    terminate: () => socket.terminate(),
  };
}

/**
 * One socket: greeted, then waiting for `start` or `resume`, then carrying a session until it
 * closes or the session lets go of it.
 */
class Link implements SessionLink, TimerOwner<'handshake'> {
  readonly request: IncomingMessage | undefined;
  readonly #hub: Hub;
  readonly #socket: LinkSocket;
  #phase: 'waiting' | 'asked' | 'attached' | 'released' = 'waiting';
  #session: ServerSessionImpl | undefined;
  readonly #timers: Timers<'handshake'>;

  constructor(hub: Hub, socket: LinkSocket, request: IncomingMessage | undefined) {
    this.#hub = hub;
    this.#socket = socket;
    this.request = request;
    this.#timers = new Timers(hub.options.clock, this);
  }

  greet(): void {
    const { maxUnackedMessages, maxUnackedBytes, handshakeTimeout } = this.#hub.options;
    this.#socket.send(
      controlFrame({
        t: 'hello',
        protocol: SESSION_PROTOCOL,
        v: PROTOCOL_VERSION,
        maxMessages: maxUnackedMessages,
        maxBytes: maxUnackedBytes,
      }),
    );
    this.#timers.start('handshake', handshakeTimeout, 0);
  }

  isWaiting(): boolean {
    return this.#phase === 'asked';
  }

  message(data: Buffer, isBinary: boolean): void {
    if (this.#phase === 'attached') {
      this.#session!.receive(data, isBinary);
      return;
    }
    if (this.#phase !== 'waiting') {
      // A frame while the store answers, or after the session let go of this socket.
      if (this.#phase === 'asked') this.refuse('protocol-error');
      return;
    }
    const frame = !isBinary && data[0] === 123 /* { */ ? parseControl(data.toString()) : 'a frame before start or resume';
    if (typeof frame === 'string' || (frame.t !== 'start' && frame.t !== 'resume') || frame.v !== PROTOCOL_VERSION) {
      this.refuse('protocol-error');
      return;
    }
    this.#phase = 'asked';
    this.#timers.cancel('handshake');
    if (frame.t === 'start') this.#hub.start(this, frame);
    else this.#hub.resume(this, frame);
  }

  closed(code: number): void {
    this.#hub.linkClosed(this);
    const session = this.#session;
    this.release();
    session?.socketClosed(this, code);
  }

  timerFired(): void {
    if (this.#phase === 'waiting') this.refuse('protocol-error');
  }

  attachTo(session: ServerSessionImpl): void {
    this.#phase = 'attached';
    this.#session = session;
  }

  /** Closes the socket with the code for `cause`, before any session is attached to it. */
  refuse(cause: keyof typeof CLOSE_CODES): void {
    this.release();
    this.#socket.close(CLOSE_CODES[cause], cause);
  }

  /** Closes the socket with 1013 (try again later): the server holds as many sessions as it may. */
  tryLater(): void {
    this.release();
    this.#socket.close(1013, 'too many sessions');
  }

  send(frame: string | Uint8Array): void {
    this.#socket.send(frame);
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  terminate(): void {
    this.#socket.terminate();
  }

  /** Done with this socket: no session on it, nothing more read from it, no handshake to wait for. */
  release(): void {
    // Stryker disable next-line StringLiteral: equivalent. The phase is only ever compared with the other three.
    this.#phase = 'released';
    this.#session = undefined;
    this.#timers.cancel('handshake');
  }

  shutDown(): void {
    this.release();
    this.#socket.close(1001, 'server shutting down');
  }
}

/** Runs `then` with what `value` is or resolves to: at once for a value, so the in-memory store adds no turn. */
function whenSettled<T>(value: MaybePromise<T>, link: Link, then: (settled: T) => void): void {
  if (!(value instanceof Promise)) {
    then(value);
    return;
  }
  value.then(then, () => link.refuse('unknown-session'));
}
