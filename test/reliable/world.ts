/**
 * A reliable session's two sides in one process, with no network and no real time: the client
 * (`createReliableSession` over the in-memory transport) and the session server, joined by a
 * pipe the test drives one frame at a time, in either direction, on one simulated clock. The
 * test plays the network: it delivers frames, drops links, lets timers fire, and restarts the
 * server (a crash: a new server that knows no session).
 *
 * Nothing here reports from inside another side's call: every frame waits in the pipe until a
 * step moves it, as TCP would hold it.
 */
import { Buffer } from 'node:buffer';
import { createReliableSession, SESSION_PROTOCOL, type ReliableSession, type ReliableSessionOptions } from '../../src/reliable/index.js';
import { createHub, type Hub, type LinkSocket, type SessionServerOptions } from '../../src/server/session-server.js';
import type { ServerSession } from '../../src/server/server-session.js';
import { createMemoryTransport, SimulatedClock, type MemorySocket, type MemoryTransport } from '../../src/testing/index.js';

type ToClient =
  | { readonly kind: 'frame'; readonly data: string | Uint8Array }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/** One socket: the client's end, the server's handlers, and what is in flight to the client. */
class Pipe {
  readonly socket: MemorySocket;
  readonly toClient: ToClient[] = [];
  /** How many of the client's written frames the server has read. */
  read = 0;
  server!: { message(data: Buffer, isBinary: boolean): void; closed(code: number): void };
  serverClosed = false;
  /** The server terminated the socket: the next step drops it. */
  cut = false;

  constructor(socket: MemorySocket) {
    this.socket = socket;
  }

  closeServerSide(code: number): void {
    if (this.serverClosed) return;
    this.serverClosed = true;
    this.server.closed(code);
  }
}

/** Lets every pending microtask (and promise job) run. */
export function microtasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether `promise` has resolved by the time pending promise jobs have run. */
export async function hasResolved(promise: Promise<unknown>): Promise<boolean> {
  let resolved = false;
  void promise.then(() => (resolved = true));
  await microtasks();
  return resolved;
}

/**
 * A binary data frame as the wire suites show it, `bin seq,ack:payload-hex` (ack -1 for none),
 * decoded by hand from `docs/protocol.md` rather than by the code under test.
 */
export function describeBinaryFrame(frame: Uint8Array): string {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const withAck = frame[0] === 1;
  const seq = Number(view.getBigUint64(1));
  const ack = withAck ? Number(view.getBigUint64(9)) : -1;
  return `bin ${seq},${ack}:${Buffer.from(frame.subarray(withAck ? 17 : 9)).toString('hex')}`;
}

/** A client on `memory` and `clock` with nothing left to chance: no jitter, 100 ms between attempts, no heartbeat. */
export function worldClientOptions(memory: MemoryTransport, clock: SimulatedClock): ReliableSessionOptions {
  return {
    transport: memory.transport,
    clock,
    reconnectJitter: false,
    minReconnectDelay: 100,
    maxReconnectDelay: 100,
    heartbeatInterval: 0,
  };
}

export interface WorldOptions {
  readonly client?: ReliableSessionOptions;
  readonly server?: SessionServerOptions;
  /** Whether the server answers with the session protocol; `false` plays a plain `ws` server that echoes. @default true */
  readonly sessions?: boolean;
}

export class SessionWorld {
  readonly clock = new SimulatedClock();
  readonly memory = createMemoryTransport();
  readonly client: ReliableSession;
  hub: Hub;
  /** How many times the server restarted. */
  restarts = 0;
  pipe: Pipe | undefined;
  /** What each application received, in order. */
  readonly clientReceived: string[] = [];
  readonly serverReceived: string[] = [];
  /** What the client reported: `undelivered` reasons and `lost` sessions, by message. */
  readonly clientUndelivered: { data: string; reason: string }[] = [];
  readonly clientLost: { reason: string; messages: string[] }[] = [];
  readonly clientEvents: string[] = [];
  readonly serverSessions: ServerSession[] = [];
  readonly serverUndelivered: { data: string; reason: string }[] = [];
  readonly #serverOptions: SessionServerOptions;
  readonly #plain: boolean;

  constructor(options: WorldOptions = {}) {
    this.#serverOptions = options.server ?? {};
    this.#plain = options.sessions === false;
    this.hub = this.#startServer();
    this.client = createReliableSession('ws://example.test/', { ...worldClientOptions(this.memory, this.clock), ...options.client });
    const client = this.client;
    client.on('message', (data) => this.clientReceived.push(data as string));
    client.on('undelivered', ({ data, reason }) => {
      this.clientUndelivered.push({ data: data as string, reason });
      this.clientEvents.push(`undelivered ${data as string} ${reason}`);
    });
    client.on('lost', ({ reason, messages }) => {
      this.clientLost.push({ reason, messages: messages as string[] });
      this.clientEvents.push(`lost ${reason} [${(messages as string[]).join(' ')}]`);
    });
    client.on('state', ({ state }) => this.clientEvents.push(`state ${state}`));
    client.on('session', ({ resumed }) => this.clientEvents.push(resumed ? 'session resumed' : 'session new'));
    client.on('fallback', ({ reason }) => this.clientEvents.push(`fallback ${reason}`));
  }

  /** The server session the application would send on now: the newest that has not ended. */
  get serverSession(): ServerSession | undefined {
    const session = this.serverSessions.at(-1);
    return session !== undefined && session.state !== 'closed' ? session : undefined;
  }

  /** The server crashes and comes back knowing no session: the link drops, and the old server's sessions are gone with it. */
  restartServer(): void {
    this.dropLink();
    this.restarts += 1;
    this.hub = this.#startServer();
  }

  /** Accepts the client's newest socket, if one is waiting, and links it to the server. */
  accept(): boolean {
    const socket = this.memory.sockets.at(-1);
    if (socket === undefined || socket.phase !== 'connecting' || socket === this.pipe?.socket) return false;
    socket.accept(SESSION_PROTOCOL);
    const pipe = new Pipe(socket);
    this.pipe = pipe;
    if (this.#plain) {
      pipe.server = {
        message: (data, isBinary) => pipe.toClient.push({ kind: 'frame', data: isBinary ? data : data.toString() }),
        closed: () => {},
      };
      return true;
    }
    const link: LinkSocket = {
      send: (frame) => pipe.toClient.push({ kind: 'frame', data: frame }),
      close: (code, reason) => pipe.toClient.push({ kind: 'close', code, reason }),
      terminate: () => (pipe.cut = true),
    };
    pipe.server = this.hub.accept(link);
    return true;
  }

  /** The server reads the client's next frame (or, once they are read, its close); returns whether anything moved. */
  toServer(): boolean {
    const pipe = this.pipe;
    if (pipe === undefined || this.#cutIfAsked(pipe)) return pipe !== undefined;
    const socket = pipe.socket;
    socket.flush();
    const written = socket.written[pipe.read];
    if (written !== undefined) {
      pipe.read += 1;
      const { data } = written;
      if (typeof data === 'string') pipe.server.message(Buffer.from(data), false);
      else if (data instanceof ArrayBuffer) pipe.server.message(Buffer.from(data), true);
      else if (ArrayBuffer.isView(data)) pipe.server.message(Buffer.from(data.buffer, data.byteOffset, data.byteLength), true);
      else throw new Error('the world does not carry Blobs');
      return true;
    }
    if (socket.phase === 'closing' && !pipe.serverClosed) {
      // The client's close frame: the server answers it, after what it had queued.
      const code = socket.closeRequest?.code ?? 1005;
      pipe.closeServerSide(code);
      pipe.toClient.push({ kind: 'close', code, reason: socket.closeRequest?.reason ?? '' });
      return true;
    }
    return false;
  }

  /** The client reads the server's next frame or close; returns whether anything moved. */
  toClient(): boolean {
    const pipe = this.pipe;
    if (pipe === undefined || this.#cutIfAsked(pipe)) return pipe !== undefined;
    const next = pipe.toClient.shift();
    if (next === undefined) return false;
    const socket = pipe.socket;
    if (next.kind === 'close') {
      this.pipe = undefined;
      if (socket.phase === 'open' || socket.phase === 'closing') socket.completeClose(next.code, next.reason);
      pipe.closeServerSide(next.code);
      return true;
    }
    if (socket.phase !== 'open') return true; // a closing client reads no more
    const { data } = next;
    socket.deliver(typeof data === 'string' ? data : new Uint8Array(data).buffer);
    return true;
  }

  /** The link dies without a closing handshake: each side sees it close, and what was in flight is gone. */
  dropLink(): boolean {
    const pipe = this.pipe;
    if (pipe === undefined) return false;
    this.pipe = undefined;
    const socket = pipe.socket;
    if (socket.phase === 'open' || socket.phase === 'closing') socket.drop();
    pipe.closeServerSide(1006);
    return true;
  }

  /** Fires the next timer due; returns whether one was. */
  tick(): boolean {
    const due = this.clock.nextDue;
    if (due === undefined) return false;
    this.clock.advance(Math.max(0, due - this.clock.now()));
    return true;
  }

  /** One step of an orderly network: accept, then the server reads, then the client, then time passes. */
  step(): boolean {
    return this.accept() || this.toServer() || this.toClient() || this.tick();
  }

  /**
   * Lets the network run in order until nothing moves (or `limit` steps); returns the steps
   * taken. Before time moves, pending microtasks run (a connection closes once its send buffer
   * drained, which it learns in one), as they would before a real timer fires.
   */
  async settle(limit = 100_000): Promise<number> {
    let steps = 0;
    for (; steps < limit; steps++) {
      if (this.accept() || this.toServer() || this.toClient()) continue;
      await microtasks();
      if (this.accept() || this.toServer() || this.toClient() || this.tick()) continue;
      return steps;
    }
    throw new Error(`the world did not settle in ${limit} steps: ${this.clientEvents.slice(-10).join(', ')}`);
  }

  #cutIfAsked(pipe: Pipe): boolean {
    if (!pipe.cut) return false;
    this.dropLink();
    return true;
  }

  #startServer(): Hub {
    const hub = createHub({ clock: this.clock, ...this.#serverOptions });
    hub.on('session', (session) => {
      this.serverSessions.push(session);
      session.on('message', (data) => this.serverReceived.push(typeof data === 'string' ? data : data.toString('hex')));
      session.on('undelivered', ({ data, reason }) => this.serverUndelivered.push({ data: data as string, reason }));
    });
    return hub;
  }
}
