/**
 * The session server on the wire: a scripted client writes frames by hand to the server
 * (`createHub` over an in-memory socket, on a simulated clock) and every frame and close the
 * server answers with is checked against literals (`docs/protocol.md`), so the server is held
 * to the protocol rather than to this library's own client.
 */
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { binaryFrame } from '../../src/reliable/protocol.js';
import type { ServerSession } from '../../src/server/server-session.js';
import { attachSessions, createHub, offersSession, type Hub, type SessionServerOptions } from '../../src/server/session-server.js';
import { memorySessionStore, type SessionClaim, type SessionRecord, type SessionStore } from '../../src/server/store.js';
import { SimulatedClock } from '../../src/testing/index.js';
import { describeBinaryFrame, hasResolved } from './world.js';

const HELLO = '{"t":"hello","protocol":"statesock.session.v1","v":1,"maxMessages":4,"maxBytes":100}';
/** The client's bounds: the server acknowledges after every second message (half of 4). */
const START = { t: 'start', v: 1, maxMessages: 4, maxBytes: 1_000 } as const;

/** One socket's client end, written to by hand; what the server sent it, as text. */
class WireClient {
  /** Control frames as their JSON, data frames as `seq[,ack]:payload` (binary ones as `bin seq,ack:hex`). */
  readonly received: string[] = [];
  readonly closes: string[] = [];
  terminated = false;
  readonly #server: { message(data: Buffer, isBinary: boolean): void; closed(code: number): void };

  constructor(hub: Hub, request?: IncomingMessage) {
    this.#server = hub.accept(
      {
        send: (frame) => this.received.push(typeof frame === 'string' ? frame : describeBinaryFrame(frame)),
        close: (code, reason) => this.closes.push(`${code} ${reason}`),
        terminate: () => (this.terminated = true),
      },
      request,
    );
  }

  control(frame: object): void {
    this.#server.message(Buffer.from(JSON.stringify(frame)), false);
  }

  text(frame: string): void {
    this.#server.message(Buffer.from(frame), false);
  }

  binary(bytes: Uint8Array): void {
    this.#server.message(Buffer.from(bytes), true);
  }

  closed(code: number): void {
    this.#server.closed(code);
  }

  /** What the server sent since the last call. */
  take(): string[] {
    return this.received.splice(0);
  }
}

/** An upgrade request offering `protocols` (a `Sec-WebSocket-Protocol` header), or none. */
function upgradeRequest(protocols: string | undefined): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  if (protocols !== undefined) request.headers['sec-websocket-protocol'] = protocols;
  return request;
}

/** A session's events, in order, as text. */
function recordEvents(session: ServerSession): string[] {
  const events: string[] = [];
  const show = (data: unknown): string => (typeof data === 'string' ? data : `<${Buffer.from(data as Uint8Array).toString('hex')}>`);
  session.on('message', (data) => events.push(`message ${show(data)}`));
  session.on('undelivered', ({ data, reason }) => events.push(`undelivered ${show(data)} ${reason}`));
  session.on('detach', ({ code }) => events.push(`detach ${code}`));
  session.on('resume', ({ epoch }) => events.push(`resume ${epoch}`));
  session.on('close', ({ reason }) => events.push(`close ${reason}`));
  return events;
}

/** A store that records releases and answers as told; by default like the in-memory one. */
class ScriptedStore implements SessionStore {
  readonly releases: string[] = [];
  readonly #inner = memorySessionStore();
  create: () => SessionRecord | Promise<SessionRecord> = () => this.#inner.create();
  claim: (id: string) => SessionClaim | Promise<SessionClaim> = (id) => this.#inner.claim(id);
  /** Makes `create` answer only when the function returned is called, as a shared store over the network might. */
  createLater(): (record: SessionRecord) => void {
    let answer: ((record: SessionRecord) => void) | undefined;
    this.create = () => new Promise((resolve) => (answer = resolve));
    return (record) => answer!(record);
  }
  /** Makes `release` answer in a later microtask (or fail there), as a shared store over the network might. */
  releasesLater: 'answer' | 'fail' | undefined;
  release(id: string, epoch: number, expired: boolean): boolean | Promise<boolean> {
    this.releases.push(`${id} ${epoch} ${expired}`);
    const own = this.#inner.release(id, epoch, expired) as boolean;
    if (this.releasesLater === 'fail') return Promise.reject(new Error('store unreachable'));
    return this.releasesLater === 'answer' ? Promise.resolve(own) : own;
  }
}

class Rig {
  readonly clock = new SimulatedClock();
  readonly store = new ScriptedStore();
  readonly hub: Hub;
  readonly sessions: ServerSession[] = [];

  constructor(options: SessionServerOptions = {}) {
    this.hub = createHub({
      clock: this.clock,
      store: this.store,
      maxUnackedMessages: 4,
      maxUnackedBytes: 100,
      ackDelay: 50,
      byeTimeout: 500,
      handshakeTimeout: 1_000,
      sessionTimeout: 10_000,
      ...options,
    });
    this.hub.on('session', (session) => this.sessions.push(session));
  }

  /** A client that started a session: its socket, the session, and the session's events. */
  started(): { client: WireClient; session: ServerSession; events: string[] } {
    const client = new WireClient(this.hub);
    client.control(START);
    const session = this.sessions.at(-1)!;
    expect(client.take()).toEqual([HELLO, `{"t":"session","id":"${session.id}","seq":0,"resumed":false}`]);
    return { client, session, events: recordEvents(session) };
  }

  /** A new socket resuming `session`, having received `seq`. */
  resume(session: ServerSession, seq: number): WireClient {
    const client = new WireClient(this.hub);
    client.control({ t: 'resume', v: 1, id: session.id, seq, maxMessages: 4, maxBytes: 1_000 });
    return client;
  }
}

describe('before a session: the hello, then start or resume', () => {
  it('greets every socket with a hello carrying its bounds, and starts a session on start', () => {
    const rig = new Rig();
    const client = new WireClient(rig.hub);
    expect(client.received).toEqual([HELLO]);
    client.control({ ...START, lost: 'an-old-id' });
    const [session] = rig.sessions;
    expect(client.received[1]).toBe(`{"t":"session","id":"${session!.id}","seq":0,"resumed":false}`);
    expect([session!.state, session!.epoch, session!.lostSession]).toEqual(['attached', 1, 'an-old-id']);
    expect(rig.hub.sessions.get(session!.id)).toBe(session);
    expect(client.closes).toEqual([]);
    expect(rig.clock.nextDue).toBeUndefined(); // the handshake timer stopped when the client asked
  });

  it('closes with protocol-error (4400) a socket that says nothing within handshakeTimeout, and only then', () => {
    const rig = new Rig();
    const silent = new WireClient(rig.hub);
    const prompt = new WireClient(rig.hub);
    rig.clock.advance(999);
    prompt.control(START);
    expect(silent.closes).toEqual([]);
    rig.clock.advance(1);
    expect(silent.closes).toEqual(['4400 protocol-error']);
    rig.clock.advance(10_000);
    expect(prompt.closes).toEqual([]);
  });

  it('stops waiting for the handshake of a socket that closed first', () => {
    const rig = new Rig();
    const gone = new WireClient(rig.hub);
    expect(rig.clock.nextDue).toBe(1_000);
    gone.closed(1006);
    expect(rig.clock.nextDue).toBeUndefined();
    expect(gone.closes).toEqual([]);
  });

  it.each([
    ['a binary frame', (client: WireClient) => client.binary(binaryFrame(1, -1, new Uint8Array([1])))],
    ['a data frame', (client: WireClient) => client.text('1:x')],
    ['a control frame that is not JSON', (client: WireClient) => client.text('{"t":')],
    ['an acknowledgement', (client: WireClient) => client.control({ t: 'ack', seq: 0 })],
    ['a bye', (client: WireClient) => client.control({ t: 'bye', seq: 0 })],
    ['a start of another version', (client: WireClient) => client.control({ ...START, v: 2 })],
    [
      'a resume of another version',
      (client: WireClient) => client.control({ t: 'resume', v: 2, id: 'x', seq: 0, maxMessages: 1, maxBytes: 1 }),
    ],
  ])('closes with protocol-error a socket whose first frame is %s', (_, write) => {
    const rig = new Rig();
    const client = new WireClient(rig.hub);
    write(client);
    expect(client.closes).toEqual(['4400 protocol-error']);
    expect(rig.sessions).toEqual([]);
    expect(rig.clock.nextDue).toBeUndefined(); // the handshake timer was stopped
    rig.clock.advance(1_000);
    expect(client.closes).toEqual(['4400 protocol-error']);
  });

  it('closes with protocol-error a socket that writes while the store answers, and releases what the store made for it', async () => {
    const rig = new Rig();
    const answer = rig.store.createLater();
    const client = new WireClient(rig.hub);
    client.control(START);
    client.text('1:too soon');
    expect(client.closes).toEqual(['4400 protocol-error']);
    answer({ id: 'made-late', epoch: 1 });
    await Promise.resolve();
    expect(rig.store.releases).toEqual(['made-late 1 false']);
    expect(rig.sessions).toEqual([]);
  });

  it('releases a session the store made after its socket closed, and refuses with unknown-session when the store fails', async () => {
    const rig = new Rig();
    const answer = rig.store.createLater();
    const gone = new WireClient(rig.hub);
    gone.control(START);
    gone.closed(1001);
    answer({ id: 'orphan', epoch: 1 });
    await Promise.resolve();
    expect(rig.store.releases).toEqual(['orphan 1 false']);

    rig.store.create = () => Promise.reject(new Error('store down'));
    const unlucky = new WireClient(rig.hub);
    unlucky.control(START);
    await Promise.resolve();
    await Promise.resolve();
    expect(unlucky.closes).toEqual(['4404 unknown-session']);
    expect(rig.sessions).toEqual([]);
  });

  it('answers a start with 1013 once it holds maxSessions sessions', () => {
    const rig = new Rig({ maxSessions: 1 });
    rig.started();
    const second = new WireClient(rig.hub);
    second.control(START);
    expect(second.closes).toEqual(['1013 too many sessions']);
  });

  it('closes the socket with 1000 when the application closes the session in its session listener', () => {
    const rig = new Rig();
    rig.hub.on('session', (session) => void session.close());
    const client = new WireClient(rig.hub);
    client.control(START);
    expect(client.closes).toEqual(['1000 session closed']);
    expect(client.take()).toEqual([HELLO]);
    expect(rig.sessions[0]!.state).toBe('closed');
  });

  it('refuses resumes it cannot honour, each with its own code', () => {
    const rig = new Rig();
    const unknown = new WireClient(rig.hub);
    unknown.control({ t: 'resume', v: 1, id: 'never-was', seq: 0, maxMessages: 1, maxBytes: 1 });
    expect(unknown.closes).toEqual(['4404 unknown-session']);

    const { client, session } = rig.started();
    session.send('a');
    expect(rig.resume(session, 2).closes).toEqual(['4417 bad-ack']); // the client cannot have received 2
    expect(client.closes).toEqual([]);
    client.closed(1006);
    rig.clock.advance(10_000);
    expect(session.state).toBe('closed');
    // The refused resume raised the store's epoch: the session holds it at that epoch, so its
    // release still counts, and the store remembers that it expired.
    expect(rig.store.releases).toEqual([`${session.id} 2 true`]);
    expect(rig.resume(session, 0).closes).toEqual(['4410 expired-session']);
  });

  it('refuses with unknown-session a resume the store knows but this process holds no buffers for, or of a session that is ending', () => {
    const rig = new Rig();
    const elsewhere = rig.store.create() as SessionRecord; // made by another process sharing the store
    const client = new WireClient(rig.hub);
    client.control({ t: 'resume', v: 1, id: elsewhere.id, seq: 0, maxMessages: 1, maxBytes: 1 });
    expect(client.closes).toEqual(['4404 unknown-session']);

    const { session } = rig.started();
    void session.close(); // says bye: ending from here on
    expect(rig.resume(session, 0).closes).toEqual(['4404 unknown-session']);
  });

  it('takes only sockets whose client offered the session subprotocol', () => {
    const offer = (header: string | undefined): boolean => offersSession(upgradeRequest(header));
    expect(offer('statesock.session.v1')).toBe(true);
    expect(offer('chat, statesock.session.v1')).toBe(true);
    expect(offer('statesock.session.v1 ,chat')).toBe(true);
    expect(offer(undefined)).toBe(false);
    expect(offer('chat')).toBe(false);
    expect(offer('statesock.session.v10')).toBe(false);
    expect(offer('chat, statesock.session')).toBe(false);
  });
});

describe('a ws socket handed to the server', () => {
  /** What `handle()` uses of a `ws` socket, recording what it is told. */
  class FakeWs extends EventEmitter {
    binaryType = 'arraybuffer';
    readonly sent: string[] = [];
    readonly closes: string[] = [];
    terminated = false;
    send(frame: string | Uint8Array, options: { binary: boolean }): void {
      this.sent.push(`${options.binary ? 'binary' : 'text'} ${typeof frame === 'string' ? frame : Buffer.from(frame).toString('hex')}`);
    }
    close(code: number, reason: string): void {
      this.closes.push(`${code} ${reason}`);
    }
    terminate(): void {
      this.terminated = true;
    }
  }
  const offering = upgradeRequest('statesock.session.v1');

  it('reads Buffers from it, writes text as text and binary as binary, and follows its messages and close', () => {
    const rig = new Rig();
    const socket = new FakeWs();
    expect(rig.hub.handle(socket as never, offering)).toBe(true);
    expect(socket.binaryType).toBe('nodebuffer');
    expect(socket.sent).toEqual([`text ${HELLO}`]);
    expect(socket.listenerCount('error')).toBe(1); // an error is followed by its close: nothing to do, nothing thrown
    socket.emit('message', Buffer.from(JSON.stringify(START)), false);
    const session = rig.sessions[0]!;
    expect(session.request).toBe(offering);
    session.send(new Uint8Array([0xab]));
    expect(socket.sent.slice(2)).toEqual(['binary 000000000000000001ab']);
    const events = recordEvents(session);
    socket.emit('message', Buffer.from('1:hi'), false);
    socket.emit('close', 1006);
    expect(events).toEqual(['message hi', 'detach 1006']);
  });

  it('leaves sockets without the subprotocol, and every socket once closed, to the application', () => {
    const rig = new Rig();
    const plain = new FakeWs();
    expect(rig.hub.handle(plain as never, upgradeRequest(undefined))).toBe(false);
    expect(plain.sent).toEqual([]);
    rig.hub.close();
    const late = new FakeWs();
    expect(rig.hub.handle(late as never, offering)).toBe(false);
    expect([late.sent, late.binaryType]).toEqual([[], 'arraybuffer']);
  });
});

describe('shutting down', () => {
  let server: WebSocketServer | undefined;
  afterEach(() => server?.close());

  it('ends every session (shutdown), closes every socket with 1001, and stops listening to its WebSocketServer', () => {
    server = new WebSocketServer({ noServer: true });
    const listening = server.listenerCount('connection');
    const sessions = attachSessions(server);
    expect(server.listenerCount('connection')).toBe(listening + 1);
    sessions.close();
    sessions.close();
    expect(server.listenerCount('connection')).toBe(listening);

    const rig = new Rig();
    const { client, events } = rig.started();
    const waiting = new WireClient(rig.hub);
    rig.hub.close();
    expect(events).toEqual(['close shutdown']);
    expect(client.closes).toEqual(['1001 server shutting down']);
    expect(waiting.closes).toEqual(['1001 server shutting down']);
    expect(rig.hub.sessions.size).toBe(0);
    expect(rig.clock.nextDue).toBeUndefined(); // its handshake timer was stopped
    rig.clock.advance(1_000);
    expect(waiting.closes).toEqual(['1001 server shutting down']);
  });
});

describe('a live session', () => {
  it('numbers what it sends, text and binary, and counts what is unacknowledged in bytes as UTF-8', () => {
    const rig = new Rig();
    const { client, session } = rig.started();
    expect(session.send('é')).toBe(true);
    expect(session.send(new Uint8Array([1, 2]))).toBe(true);
    expect(session.send(new Uint8Array([9, 1, 2, 9]).subarray(1, 3))).toBe(true);
    expect(session.send(new Uint16Array([0x0102]).buffer)).toBe(true);
    expect(client.take()).toEqual(['1:é', 'bin 2,-1:0102', 'bin 3,-1:0102', 'bin 4,-1:0201']);
    expect([session.unackedMessages, session.unackedBytes]).toEqual([4, 8]);
    client.control({ t: 'ack', seq: 2 });
    expect([session.unackedMessages, session.unackedBytes]).toEqual([2, 4]);
    client.text('1,4:x'); // an acknowledgement riding on a data frame
    expect([session.unackedMessages, session.unackedBytes]).toEqual([0, 0]);
  });

  it('refuses data of another kind, naming it', () => {
    const { session } = new Rig().started();
    expect(() => session.send(42 as never)).toThrow(
      new TypeError('Expected data to be a string, an ArrayBuffer or an ArrayBufferView, got 42 (number)'),
    );
  });

  it('refuses a send past maxUnackedMessages or maxUnackedBytes as buffer-full; ready waits for room', async () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    for (const data of ['a', 'b', 'c', 'd']) expect(session.send(data)).toBe(true);
    expect(session.send('e')).toBe(false);
    const ready = session.ready;
    expect(await hasResolved(ready)).toBe(false);
    client.control({ t: 'ack', seq: 1 });
    expect(await hasResolved(ready)).toBe(true);
    client.control({ t: 'ack', seq: 4 });

    expect(session.send('x'.repeat(100))).toBe(true); // exactly maxUnackedBytes
    expect(session.send('y')).toBe(false);
    const roomAgain = session.ready; // at the byte bound: no room
    expect(await hasResolved(roomAgain)).toBe(false);
    client.control({ t: 'ack', seq: 5 });
    expect(await hasResolved(roomAgain)).toBe(true);
    expect(events).toEqual(['undelivered e buffer-full', `undelivered y buffer-full`]);
    await expect(session.ready).resolves.toBeUndefined();
  });

  it('delivers in order, drops duplicates, and acknowledges after ackDelay or at once when half the client buffer waits', () => {
    const rig = new Rig();
    const { client, events } = rig.started();
    client.text('1:one');
    client.text('1:one again');
    client.binary(binaryFrame(2, -1, new Uint8Array([0xff])));
    expect(events).toEqual(['message one', 'message <ff>']);
    expect(client.take()).toEqual(['{"t":"ack","seq":2}']); // two of the client's four: due now
    client.text('3:three');
    rig.clock.advance(49);
    expect(client.take()).toEqual([]);
    rig.clock.advance(1);
    expect(client.take()).toEqual(['{"t":"ack","seq":3}']);
    rig.clock.advance(50);
    expect(client.take()).toEqual([]); // nothing owed: no second ack
  });

  it('lets an outgoing message carry the acknowledgement, so the ack timer finds nothing owed', () => {
    const rig = new Rig();
    const { client, session } = rig.started();
    client.text('1:hi');
    session.send('reply');
    rig.clock.advance(1_000);
    expect(client.take()).toEqual(['1,1:reply']);
  });

  it.each([
    ['a gap in the numbering', (client: WireClient) => client.text('2:skipped one'), '4416 sequence-gap'],
    ['a malformed data frame', (client: WireClient) => client.text('01:x'), '4400 protocol-error'],
    ['a malformed binary frame', (client: WireClient) => client.binary(new Uint8Array([7, 0, 0])), '4400 protocol-error'],
    ['a malformed control frame', (client: WireClient) => client.text('{"t":"ack"}'), '4400 protocol-error'],
    ['a start', (client: WireClient) => client.control(START), '4400 protocol-error'],
    ['an acknowledgement of what was never sent', (client: WireClient) => client.control({ t: 'ack', seq: 3 }), '4417 bad-ack'],
    ['an acknowledgement riding on data beyond what was sent', (client: WireClient) => client.text('1,3:x'), '4417 bad-ack'],
    ['a bye acknowledging what was never sent', (client: WireClient) => client.control({ t: 'bye', seq: 3 }), '4417 bad-ack'],
  ])('closes the socket and ends the session (protocol-error) on %s, reporting what the client never acknowledged', (_, write, close) => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    session.send('a');
    session.send('b');
    client.control({ t: 'ack', seq: 1 });
    write(client);
    expect(client.closes).toEqual([close]);
    expect(events).toEqual(['undelivered b unacknowledged', 'close protocol-error']);
    expect(rig.hub.sessions.has(session.id)).toBe(false);
    expect(rig.store.releases).toEqual([`${session.id} 1 false`]);
  });

  it('refuses an acknowledgement behind one already given', () => {
    const rig = new Rig();
    const { client, session } = rig.started();
    session.send('a');
    session.send('b');
    client.control({ t: 'ack', seq: 2 });
    client.control({ t: 'ack', seq: 1 });
    expect(client.closes).toEqual(['4417 bad-ack']);
  });
});

describe('a dropped socket, and the resume', () => {
  it('holds what is sent while detached, replays what the client missed, and numbers on', () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    session.send('a');
    session.send('b');
    client.text('1:from client');
    client.closed(1006);
    expect(session.state).toBe('detached');
    session.send('c');
    client.take();
    const again = rig.resume(session, 1);
    // The replay carries the acknowledgement of the client's message the drop left owed.
    expect(again.take()).toEqual([HELLO, `{"t":"session","id":"${session.id}","seq":1,"resumed":true}`, '2,1:b', '3:c']);
    expect(events).toEqual(['message from client', 'detach 1006', 'resume 2']);
    expect([session.state, session.epoch, session.unackedMessages]).toEqual(['attached', 2, 2]);
    rig.clock.advance(10_000);
    expect(session.state).toBe('attached'); // the expiry timer stopped with the resume
  });

  it('fences off the older socket when the session is resumed on another', () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    const newer = rig.resume(session, 0);
    expect(client.closes).toEqual(['4409 superseded']);
    client.text('1:through the fenced-off socket');
    client.closed(4409);
    newer.text('1:through the new one');
    expect(events).toEqual(['resume 2', 'message through the new one']);
    expect(session.state).toBe('attached');
  });

  it('expires after sessionTimeout, reporting what was written unacknowledged and what was never sent, and remembers it expired', () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    session.send('written');
    client.closed(1006);
    session.send('held');
    rig.clock.advance(9_999);
    expect(session.state).toBe('detached');
    rig.clock.advance(1);
    expect(events).toEqual(['detach 1006', 'undelivered written unacknowledged', 'undelivered held unsent', 'close expired']);
    expect(rig.store.releases).toEqual([`${session.id} 1 true`]);
    expect(session.send('late')).toBe(false);
    expect(events.at(-1)).toBe('undelivered late closed');
  });

  it('ends superseded when the store says another holder claimed the session since', async () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    client.closed(1006);
    void rig.store.claim(session.id); // another node resumed it: the store's epoch moved past this one's
    rig.clock.advance(10_000);
    expect(events).toEqual(['detach 1006', 'close superseded']);
    expect(rig.store.releases).toEqual([`${session.id} 1 true`]);
    await expect(session.closed).resolves.toEqual({ reason: 'superseded' });
  });

  it("waits for a shared store's answer before saying how the session ended", async () => {
    const rig = new Rig();
    rig.store.releasesLater = 'answer';
    const fenced = rig.started();
    const own = rig.started();
    fenced.client.closed(1006);
    own.client.closed(1006);
    void rig.store.claim(fenced.session.id);
    rig.clock.advance(10_000);
    expect([fenced.events.at(-1), own.events.at(-1)]).toEqual(['detach 1006', 'detach 1006']); // not before the answer
    await expect(fenced.session.closed).resolves.toEqual({ reason: 'superseded' });
    await expect(own.session.closed).resolves.toEqual({ reason: 'expired' });
    expect([fenced.events.at(-1), own.events.at(-1)]).toEqual(['close superseded', 'close expired']);
  });

  it('keeps the reason it had when a shared store fails to answer the release', async () => {
    const rig = new Rig();
    rig.store.releasesLater = 'fail';
    const { client, session, events } = rig.started();
    client.closed(1006);
    rig.clock.advance(10_000);
    await expect(session.closed).resolves.toEqual({ reason: 'expired' });
    expect(events.at(-1)).toBe('close expired');
  });
});

describe('closing', () => {
  it('says bye with what it received, delivers nothing more, and ends once the socket closes', async () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    client.text('1:before');
    session.send('unanswered');
    const early = session.closed;
    const closed = session.close();
    expect(session.state).toBe('closing');
    expect(client.take()).toEqual(['1,1:unanswered', '{"t":"bye","seq":1}']);
    expect(session.close()).toBe(closed); // again while closing: still waiting for the bye
    expect([session.state, client.take()]).toEqual(['closing', []]);
    expect(closed).toBe(early);
    expect(session.closed).toBe(early);
    expect(await hasResolved(early)).toBe(false);
    expect(session.send('too late')).toBe(false);
    client.text('2:after the bye');
    client.control({ t: 'bye', seq: 0 });
    expect(session.state).toBe('ending');
    client.closed(1000);
    await expect(closed).resolves.toEqual({ reason: 'server-closed' });
    expect(events).toEqual([
      'message before',
      'undelivered too late closing',
      'undelivered unanswered unacknowledged',
      'close server-closed',
    ]);
    await expect(session.closed).resolves.toEqual({ reason: 'server-closed' });
    await expect(session.ready).rejects.toThrow('The session is closed: send() refuses every message');
  });

  it('settles close() only when the session has ended, not when the bye goes out', async () => {
    const rig = new Rig();
    const { client, session } = rig.started();
    const closed = session.close();
    expect(await hasResolved(closed)).toBe(false);
    client.control({ t: 'bye', seq: 0 });
    expect(await hasResolved(closed)).toBe(false);
    client.closed(1000);
    await expect(closed).resolves.toEqual({ reason: 'server-closed' });
  });

  it('drops the socket when no bye answers within byeTimeout', () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    void session.close();
    rig.clock.advance(499);
    expect(client.terminated).toBe(false);
    rig.clock.advance(1);
    expect(client.terminated).toBe(true);
    expect(events).toEqual(['close server-closed']);
  });

  it('ends a detached session at once', async () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    client.closed(1006);
    await expect(session.close()).resolves.toEqual({ reason: 'server-closed' });
    expect(events).toEqual(['detach 1006', 'close server-closed']);
  });

  it('answers the client’s bye with its own, reports what the bye did not acknowledge, and ends (client-closed) when the socket closes', async () => {
    const rig = new Rig();
    const { client, session, events } = rig.started();
    session.send('a');
    session.send('b');
    client.text('1:x');
    client.control({ t: 'bye', seq: 1 });
    expect(client.take()).toEqual(['1:a', '2:b', '{"t":"bye","seq":1}']);
    expect(session.state).toBe('ending');
    expect(session.send('c')).toBe(false);
    client.closed(1000);
    expect(events).toEqual(['message x', 'undelivered b unacknowledged', 'undelivered c closing', 'close client-closed']);
    await expect(session.closed).resolves.toEqual({ reason: 'client-closed' });
  });

  it('drops a client that says bye and then keeps the socket open past byeTimeout', () => {
    const rig = new Rig();
    const { client, events } = rig.started();
    client.control({ t: 'bye', seq: 0 });
    rig.clock.advance(500);
    expect(client.terminated).toBe(true);
    expect(events).toEqual(['close client-closed']);
  });

  it.each([
    ['data', (client: WireClient) => client.text('1:x')],
    ['a second bye', (client: WireClient) => client.control({ t: 'bye', seq: 0 })],
    ['an acknowledgement', (client: WireClient) => client.control({ t: 'ack', seq: 0 })],
  ])('closes with protocol-error a client that sends %s after its bye', (_, write) => {
    const rig = new Rig();
    const { client, events } = rig.started();
    client.control({ t: 'bye', seq: 0 });
    write(client);
    expect(client.closes).toEqual(['4400 protocol-error']);
    expect(events).toEqual(['close protocol-error']);
  });
});

describe('the in-memory store', () => {
  it('creates at epoch 1, raises the epoch at every claim, and fences off older holders', () => {
    const store = memorySessionStore();
    const { id, epoch } = store.create() as SessionRecord;
    expect(epoch).toBe(1);
    expect(store.claim(id)).toEqual({ id, epoch: 2 });
    expect(store.claim(id)).toEqual({ id, epoch: 3 });
    expect(store.release(id, 2, false)).toBe(false);
    expect(store.claim(id)).toEqual({ id, epoch: 4 });
    expect(store.release(id, 4, false)).toBe(true);
    expect(store.claim(id)).toBe('unknown');
    expect(store.release(id, 4, false)).toBe(false);
  });

  it('remembers the last rememberExpired expired ids, forgetting the oldest first', () => {
    const store = memorySessionStore({ rememberExpired: 2 });
    const ids = [1, 2, 3].map(() => (store.create() as SessionRecord).id);
    for (const id of ids) expect(store.release(id, 1, true)).toBe(true);
    expect(ids.map((id) => store.claim(id))).toEqual(['unknown', 'expired', 'expired']);
    const ended = (store.create() as SessionRecord).id;
    expect(store.release(ended, 1, false)).toBe(true);
    expect(store.claim(ended)).toBe('unknown');
    const forgetful = memorySessionStore({ rememberExpired: 0 });
    const id = (forgetful.create() as SessionRecord).id;
    expect(forgetful.release(id, 1, true)).toBe(true);
    expect(forgetful.claim(id)).toBe('unknown');
  });

  it.each([[-1], [1.5], [Number.NaN]])('refuses rememberExpired %s', (value) => {
    expect(() => memorySessionStore({ rememberExpired: value })).toThrow(
      new TypeError(`Expected \`rememberExpired\` to be a non-negative integer, got ${value} (number)`),
    );
  });
});

describe('options', () => {
  it.each([
    [null, 'Expected options to be an object, got null'],
    ['fast', 'Expected options to be an object, got "fast" (string)'],
    [{ store: {} }, 'Expected `store` to be a SessionStore (create, claim, release), got an object of type Object'],
    [{ store: null }, 'Expected `store` to be a SessionStore (create, claim, release), got null'],
    [{ store: 'redis' }, 'Expected `store` to be a SessionStore (create, claim, release), got "redis" (string)'],
    [{ sessionTimeout: -1 }, 'Expected `sessionTimeout` to be an integer of at least 0, got -1 (number)'],
    [{ maxUnackedMessages: 0 }, 'Expected `maxUnackedMessages` to be an integer of at least 1, got 0 (number)'],
    [{ maxUnackedBytes: 1.5 }, 'Expected `maxUnackedBytes` to be an integer of at least 1, got 1.5 (number)'],
    [{ ackDelay: '5' }, 'Expected `ackDelay` to be an integer of at least 0, got "5" (string)'],
    [{ byeTimeout: 0 }, 'Expected `byeTimeout` to be an integer of at least 1, got 0 (number)'],
    [{ handshakeTimeout: 0 }, 'Expected `handshakeTimeout` to be an integer of at least 1, got 0 (number)'],
    [{ maxSessions: 0 }, 'Expected `maxSessions` to be an integer of at least 1, got 0 (number)'],
  ])('refuses %j', (options, message) => {
    expect(() => createHub(options as SessionServerOptions)).toThrow(new TypeError(message));
  });

  it('takes the bounds at their minimums', () => {
    const least = {
      sessionTimeout: 0,
      ackDelay: 0,
      maxUnackedMessages: 1,
      maxUnackedBytes: 1,
      byeTimeout: 1,
      handshakeTimeout: 1,
      maxSessions: 1,
    };
    expect(createHub(least).options).toMatchObject(least);
  });
});
