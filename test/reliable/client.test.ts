/**
 * A reliable session's client on the wire: the test plays the server by hand over the in-memory
 * transport, on a simulated clock, and checks every frame the client writes and every close it
 * asks for against literals (`docs/protocol.md`), so the client is held to the protocol rather
 * than to this library's own server.
 */
import { describe, expect, it } from 'vitest';
import { binaryFrame } from '../../src/reliable/protocol.js';
import { createReliableSession, type ReliableSession, type ReliableSessionOptions } from '../../src/reliable/index.js';
import { createMemoryTransport, SimulatedClock, type MemorySocket } from '../../src/testing/index.js';
import { describeBinaryFrame, hasResolved, microtasks, worldClientOptions } from './world.js';

const HELLO = { t: 'hello', protocol: 'statesock.session.v1', v: 1, maxMessages: 4, maxBytes: 1_000 };
const START = '{"t":"start","v":1,"maxMessages":4,"maxBytes":100}';

/** The client, and the test as its server. */
class Rig {
  readonly clock = new SimulatedClock();
  readonly memory = createMemoryTransport();
  readonly client: ReliableSession;
  readonly events: string[] = [];
  #read = 0;

  constructor(options: ReliableSessionOptions = {}) {
    this.client = createReliableSession('ws://example.test/', {
      ...worldClientOptions(this.memory, this.clock),
      maxUnackedMessages: 4,
      maxUnackedBytes: 100,
      helloTimeout: 1_000,
      ackDelay: 50,
      byeTimeout: 500,
      ...options,
    });
    const show = (data: unknown): string =>
      typeof data === 'string'
        ? data
        : data instanceof Blob
          ? `<blob ${data.size}>`
          : `<${Buffer.from(data as ArrayBuffer).toString('hex')}>`;
    this.client.on('message', (data) => this.events.push(`message ${show(data)}`));
    this.client.on('undelivered', ({ data, reason }) => this.events.push(`undelivered ${show(data)} ${reason}`));
    this.client.on('lost', ({ reason, messages }) => this.events.push(`lost ${reason} [${messages.map(show).join(' ')}]`));
    this.client.on('session', ({ resumed }) => this.events.push(resumed ? 'session resumed' : 'session new'));
    this.client.on('fallback', ({ reason }) => this.events.push(`fallback ${reason}`));
    this.client.on('state', ({ state }) => this.events.push(`state ${state}`));
  }

  get socket(): MemorySocket {
    return this.memory.sockets.at(-1)!;
  }

  /** Accepts the newest socket with the session subprotocol; returns it. */
  open(): MemorySocket {
    this.#read = 0;
    this.socket.accept('statesock.session.v1');
    return this.socket;
  }

  say(frame: object): void {
    this.socket.deliver(JSON.stringify(frame));
  }

  /** A live session `id`: the socket opened, hello said, start answered. */
  live(id = 's1'): void {
    this.open();
    this.say(HELLO);
    expect(this.written()).toEqual([START]);
    this.say({ t: 'session', id, seq: 0, resumed: false });
  }

  /** What the client wrote on the current socket since the last call: text as is, binary described. */
  written(): string[] {
    const socket = this.socket;
    socket.flush();
    const frames = socket.written.slice(this.#read).map(({ data }) => {
      if (typeof data === 'string') return data;
      if (data instanceof Uint8Array) return describeBinaryFrame(data);
      if (data instanceof ArrayBuffer) return describeBinaryFrame(new Uint8Array(data));
      return data instanceof Blob ? `<blob ${data.size}>` : `<${Object.prototype.toString.call(data)}>`;
    });
    this.#read = socket.written.length;
    return frames;
  }

  /** The close the client asked for on the current socket, as `code reason`: once what it buffered is written (drain-before-close). */
  async closeRequest(): Promise<string | undefined> {
    this.socket.flush();
    await microtasks();
    const request = this.socket.closeRequest;
    return request === undefined ? undefined : `${request.code}${request.reason ? ` ${request.reason}` : ''}`;
  }
}

describe('negotiating', () => {
  it('starts a session after the hello, holding what was sent before, then numbers it', () => {
    const rig = new Rig();
    rig.client.send('early');
    rig.open();
    expect(rig.written()).toEqual([]);
    rig.say(HELLO);
    expect(rig.written()).toEqual([START]);
    rig.say({ t: 'session', id: 's1', seq: 0, resumed: false });
    expect(rig.written()).toEqual(['1:early']);
    expect([rig.client.state, rig.client.sessionId]).toEqual(['live', 's1']);
    rig.client.send('later');
    rig.client.send(new Uint8Array([0xab, 0xcd]));
    expect(rig.written()).toEqual(['2:later', 'bin 3,-1:abcd']);
    expect(rig.events).toEqual(['state negotiating', 'session new', 'state live']);
  });

  it('offers the session subprotocol after the application’s own', () => {
    const rig = new Rig({ protocols: ['chat'] });
    expect(rig.socket.request.protocols).toEqual(['chat', 'statesock.session.v1']);
  });

  it('falls back to a plain connection when no hello comes within helloTimeout, and only then', () => {
    const rig = new Rig();
    rig.client.send('held');
    rig.open();
    rig.clock.advance(999);
    expect(rig.client.state).toBe('negotiating');
    rig.clock.advance(1);
    expect(rig.client.state).toBe('plain');
    expect(rig.written()).toEqual(['held']);
    rig.socket.deliver('{"not":"a session frame"}');
    rig.client.send('plain text');
    expect(rig.written()).toEqual(['plain text']);
    expect(rig.events).toEqual(['state negotiating', 'fallback no-hello', 'state plain', 'message {"not":"a session frame"}']);
  });

  it('falls back at once when the server speaks first with something else, and delivers it', () => {
    for (const first of ['hi', '1:looks like data', '{"t":"nonsense"}']) {
      const rig = new Rig();
      rig.open();
      rig.socket.deliver(first);
      expect(rig.client.state).toBe('plain');
      expect(rig.events.filter((event) => event.startsWith('message'))).toEqual([`message ${first}`]);
    }
    const binary = new Rig();
    binary.open();
    binary.socket.deliver(new Uint8Array([7, 7]).buffer);
    expect(binary.client.state).toBe('plain');
    expect(binary.events.at(-1)).toBe('message <0707>');
  });

  it.each([
    ['a hello of another version', { ...HELLO, v: 2 }, '4400 protocol-error'],
    ['a resumed session, where a new one was asked for', { t: 'session', id: 's1', seq: 0, resumed: true }, '4400 protocol-error'],
    ['a new session that claims to have received something', { t: 'session', id: 's1', seq: 1, resumed: false }, '4400 protocol-error'],
    ['an ack outside a session', { t: 'ack', seq: 0 }, '4400 protocol-error'],
    ['a bye outside a session', { t: 'bye', seq: 0 }, '4400 protocol-error'],
    ['a start, which only clients send', { t: 'start', v: 1, maxMessages: 1, maxBytes: 1 }, '4400 protocol-error'],
  ])('closes with protocol-error on %s while negotiating', async (_, frame, close) => {
    const rig = new Rig();
    rig.open();
    if ((frame as { t: string; v?: number }).t !== 'hello' || (frame as { v?: number }).v === 1) rig.say(HELLO);
    rig.say(frame);
    expect(await rig.closeRequest()).toBe(close);
  });

  it('closes with protocol-error on data before the session began', async () => {
    const rig = new Rig();
    rig.open();
    rig.say(HELLO);
    rig.socket.deliver('1:too early');
    expect(await rig.closeRequest()).toBe('4400 protocol-error');
    expect(rig.events.filter((event) => event.startsWith('message'))).toEqual([]);
  });
});

describe('a live session', () => {
  it('delivers in order, drops duplicates, and acknowledges at once when half the server’s buffer waits, else after ackDelay', () => {
    const rig = new Rig();
    rig.live();
    rig.socket.deliver('1:one');
    rig.socket.deliver('1:one again');
    rig.socket.deliver(binaryFrame(2, -1, new Uint8Array([0xff])).buffer);
    expect(rig.written()).toEqual(['{"t":"ack","seq":2}']);
    rig.socket.deliver('3:three');
    rig.clock.advance(49);
    expect(rig.written()).toEqual([]);
    rig.clock.advance(1);
    expect(rig.written()).toEqual(['{"t":"ack","seq":3}']);
    rig.clock.advance(100);
    expect(rig.written()).toEqual([]);
    expect(rig.events.filter((event) => event.startsWith('message'))).toEqual(['message one', 'message <ff>', 'message three']);
  });

  it('lets an outgoing message carry the acknowledgement', () => {
    const rig = new Rig();
    rig.live();
    rig.socket.deliver('1:hi');
    rig.client.send('reply');
    rig.clock.advance(1_000);
    expect(rig.written()).toEqual(['1,1:reply']);
  });

  it('stops waiting for the hello once it came, and waits ackDelay to acknowledge', () => {
    const rig = new Rig();
    // The clock arms one timer for the earliest due; the connection's own, minStableTime (5 s), runs throughout.
    rig.open();
    expect(rig.clock.nextDue).toBe(1_000); // the hello's (helloTimeout)
    rig.say(HELLO);
    expect(rig.clock.nextDue).toBe(5_000);
    rig.say({ t: 'session', id: 's1', seq: 0, resumed: false });
    expect(rig.clock.nextDue).toBe(5_000);
    expect(rig.written()).toEqual([START]);
    rig.socket.deliver('1:hi');
    expect(rig.clock.nextDue).toBe(50); // the acknowledgement's (ackDelay)
    rig.clock.advance(50);
    expect(rig.written()).toEqual(['{"t":"ack","seq":1}']);
  });

  it('hands binary messages over as Blobs when binaryType says so', () => {
    const rig = new Rig({ binaryType: 'blob' });
    rig.live();
    rig.socket.deliver(binaryFrame(1, -1, new Uint8Array([1, 2, 3])).buffer);
    expect(rig.events.at(-1)).toBe('message <blob 3>');
  });

  it('counts what the server has not acknowledged, refuses past the bound, and is ready again once acknowledged', async () => {
    const rig = new Rig();
    rig.live();
    for (const data of ['a', 'b', 'c', 'd']) expect(rig.client.send(data)).toBe(true);
    expect([rig.client.unackedMessages, rig.client.unackedBytes]).toEqual([4, 4]);
    expect(rig.client.send('e')).toBe(false);
    const ready = rig.client.ready;
    expect(await hasResolved(ready)).toBe(false);
    rig.say({ t: 'ack', seq: 3 });
    expect(await hasResolved(ready)).toBe(true);
    expect([rig.client.unackedMessages, rig.client.unackedBytes]).toEqual([1, 1]);
    rig.socket.deliver('1,4:x'); // an acknowledgement riding on a data frame
    expect(rig.client.unackedMessages).toBe(0);
    expect(rig.events).toContain('undelivered e buffer-full');
  });

  it.each([
    ['a gap in the numbering', '2:skipped', '4416 sequence-gap'],
    ['a malformed data frame', '01:x', '4400 protocol-error'],
    ['a text frame that is neither data nor control', 'hello', '4400 protocol-error'],
    ['a control frame that is not JSON', '{"t":', '4400 protocol-error'],
    ['a second hello', JSON.stringify(HELLO), '4400 protocol-error'],
    ['a session frame nobody asked for', '{"t":"session","id":"s1","seq":0,"resumed":false}', '4400 protocol-error'],
    ['a resume, which only clients send', '{"t":"resume","v":1,"id":"s1","seq":0,"maxMessages":1,"maxBytes":1}', '4400 protocol-error'],
    ['an acknowledgement of what was never sent', '{"t":"ack","seq":2}', '4417 bad-ack'],
    ['an acknowledgement riding on data beyond what was sent', '1,2:x', '4417 bad-ack'],
    ['a bye acknowledging what was never sent', '{"t":"bye","seq":2}', '4417 bad-ack'],
  ])('closes on %s', async (_, frame, close) => {
    const rig = new Rig();
    rig.live();
    rig.client.send('one');
    rig.socket.deliver(frame);
    expect(await rig.closeRequest()).toBe(close);
  });

  it('closes with bad-ack on an acknowledgement behind one already given', async () => {
    const rig = new Rig();
    rig.live();
    rig.client.send('one');
    rig.client.send('two');
    rig.say({ t: 'ack', seq: 2 });
    rig.say({ t: 'ack', seq: 1 });
    expect(await rig.closeRequest()).toBe('4417 bad-ack');
  });

  it('closes on a binary frame with a malformed header', async () => {
    const rig = new Rig();
    rig.live();
    rig.socket.deliver(new Uint8Array([9, 0, 0]).buffer);
    expect(await rig.closeRequest()).toBe('4400 protocol-error');
  });
});

describe('what send() takes', () => {
  it('frames every binary kind as the bytes it views, and a Blob behind its header', async () => {
    const rig = new Rig();
    rig.live();
    const bytes = new Uint8Array([9, 1, 2, 9]);
    rig.client.send(bytes.buffer.slice(1, 3));
    rig.client.send(bytes.subarray(1, 3));
    rig.client.send(new DataView(bytes.buffer, 1, 2));
    rig.client.send(new Blob([new Uint8Array([5, 6, 7])]));
    expect(rig.written()).toEqual(['bin 1,-1:0102', 'bin 2,-1:0102', 'bin 3,-1:0102', '<blob 12>']);
    const blob = rig.socket.written.at(-1)!.data as Blob;
    expect(describeBinaryFrame(new Uint8Array(await blob.arrayBuffer()))).toBe('bin 4,-1:050607');
    expect(rig.client.unackedBytes).toBe(9);
  });

  it('refuses data of another kind, naming it', () => {
    const rig = new Rig();
    expect(() => rig.client.send(42 as never)).toThrow(
      new TypeError('Expected data to be a string, an ArrayBuffer, an ArrayBufferView or a Blob, got 42 (number)'),
    );
  });

  it('waits for room in bytes as well as in messages', async () => {
    const rig = new Rig();
    rig.live();
    expect(rig.client.send('x'.repeat(100))).toBe(true); // exactly maxUnackedBytes
    const ready = rig.client.ready;
    expect(await hasResolved(ready)).toBe(false);
    rig.say({ t: 'ack', seq: 1 });
    expect(await hasResolved(ready)).toBe(true);
  });

  it('acknowledges at once once half the server’s buffer in bytes waits', () => {
    const rig = new Rig();
    rig.open();
    rig.say({ ...HELLO, maxMessages: 100, maxBytes: 10 }); // an acknowledgement every 5 bytes
    rig.written();
    rig.say({ t: 'session', id: 's1', seq: 0, resumed: false });
    rig.socket.deliver('1:abcd');
    expect(rig.written()).toEqual([]);
    rig.socket.deliver('2:e');
    expect(rig.written()).toEqual(['{"t":"ack","seq":2}']);
    rig.socket.deliver('3:fghij');
    expect(rig.written()).toEqual(['{"t":"ack","seq":3}']);
  });
});

describe('the plain fallback', () => {
  it('reports what the connection could not deliver, as the connection reports it', async () => {
    const rig = new Rig({ maxQueuedMessages: 1 });
    rig.open();
    rig.clock.advance(1_000);
    expect(rig.client.state).toBe('plain');
    rig.socket.drop();
    rig.client.send('queued');
    expect(rig.client.send('no room')).toBe(false);
    await microtasks(); // heard once the send is over
    expect(rig.events.at(-1)).toBe('undelivered no room queue-full');
  });
});

describe('resuming', () => {
  /** A live session that sent three messages (the server acknowledged the first) and received one, then lost its socket. */
  function dropped(): Rig {
    const rig = new Rig();
    rig.live();
    for (const data of ['a', 'b', 'c']) rig.client.send(data);
    rig.say({ t: 'ack', seq: 1 });
    rig.socket.deliver('1:from server');
    rig.written();
    rig.socket.drop();
    rig.clock.advance(100);
    return rig;
  }

  it('asks to resume with what it received, and replays what the server did not acknowledge', () => {
    const rig = dropped();
    rig.client.send('d');
    rig.open();
    rig.say(HELLO);
    expect(rig.written()).toEqual(['{"t":"resume","v":1,"id":"s1","seq":1,"maxMessages":4,"maxBytes":100}']);
    rig.say({ t: 'session', id: 's1', seq: 2, resumed: true });
    // The replay carries the acknowledgement of the server's message the drop left owed.
    expect(rig.written()).toEqual(['3,1:c', '4:d']);
    expect(rig.client.state).toBe('live');
    expect(rig.events.filter((event) => event.startsWith('session'))).toEqual(['session new', 'session resumed']);
  });

  it.each([
    ['another session', { t: 'session', id: 's2', seq: 1, resumed: true }, '4400 protocol-error'],
    ['a new session', { t: 'session', id: 's1', seq: 0, resumed: false }, '4400 protocol-error'],
    ['an acknowledgement behind what was acknowledged', { t: 'session', id: 's1', seq: 0, resumed: true }, '4417 bad-ack'],
    ['an acknowledgement beyond what was written', { t: 'session', id: 's1', seq: 4, resumed: true }, '4417 bad-ack'],
  ])('closes when the answer to its resume is %s', async (_, frame, close) => {
    const rig = dropped();
    rig.open();
    rig.say(HELLO);
    rig.say(frame);
    expect(await rig.closeRequest()).toBe(close);
  });

  it.each([
    [4404, 'unknown-session'],
    [4410, 'expired-session'],
  ])('reports the session lost (%i), with every message the server never acknowledged, and starts another naming it', (code, reason) => {
    const rig = dropped();
    rig.open();
    rig.say(HELLO);
    rig.written();
    rig.socket.completeClose(code, reason);
    expect(rig.events).toContain(`lost ${reason} [b c]`);
    rig.clock.advance(100);
    rig.open();
    rig.say(HELLO);
    expect(rig.written()).toEqual(['{"t":"start","v":1,"maxMessages":4,"maxBytes":100,"lost":"s1"}']);
    rig.say({ t: 'session', id: 's2', seq: 0, resumed: false });
    rig.socket.deliver('1:numbered afresh'); // the new session's first message, not a duplicate of the old one's
    expect(rig.events.at(-1)).toBe('message numbered afresh');
  });
});

describe('closing', () => {
  it('says bye with what it received, and closes with the code given once the server’s bye acknowledges everything', async () => {
    const rig = new Rig();
    rig.live();
    rig.client.send('a');
    rig.socket.deliver('1:x');
    const closed = rig.client.close(4000, 'done');
    expect(rig.written()).toEqual(['1:a', '{"t":"bye","seq":1}']);
    expect(rig.client.send('late')).toBe(false);
    rig.say({ t: 'bye', seq: 1 });
    expect(await rig.closeRequest()).toBe('4000 done');
    rig.socket.completeClose();
    await expect(closed).resolves.toMatchObject({ code: 4000, reason: 'done', wasClean: true });
    expect(rig.events.filter((event) => event.startsWith('undelivered'))).toEqual(['undelivered late closing']);
    await expect(rig.client.ready).rejects.toThrow('The session is closed: send() refuses every message');
  });

  it('reports what the server’s bye did not acknowledge', () => {
    const rig = new Rig();
    rig.live();
    rig.client.send('a');
    rig.client.send('b');
    void rig.client.close();
    rig.say({ t: 'bye', seq: 1 });
    expect(rig.events).toContain('undelivered b unacknowledged');
  });

  it('closes anyway when no bye answers within byeTimeout', async () => {
    const rig = new Rig();
    rig.live();
    void rig.client.close(4000, 'done');
    rig.clock.advance(499);
    expect(await rig.closeRequest()).toBeUndefined();
    rig.clock.advance(1);
    expect(await rig.closeRequest()).toBe('4000 done');
  });

  it('answers the server’s bye with its own and closes', async () => {
    const rig = new Rig();
    rig.live();
    rig.socket.deliver('1:last');
    rig.say({ t: 'bye', seq: 0 });
    expect(rig.written()).toEqual(['{"t":"bye","seq":1}']);
    expect(await rig.closeRequest()).toBe('1000');
  });
});

describe('after the end', () => {
  it('ends the session when the server refuses it with a session close code, reporting what it held', () => {
    const rig = new Rig();
    rig.live();
    rig.client.send('a');
    rig.socket.completeClose(4400, 'protocol-error');
    expect(rig.client.state).toBe('closed');
    expect(rig.events).toContain('undelivered a unacknowledged');
  });

  it('reads nothing more once closed', () => {
    const rig = new Rig();
    rig.live();
    rig.socket.deliver('2:gap'); // closes with sequence-gap
    rig.socket.deliver('1:after the violation');
    expect(rig.events.filter((event) => event.startsWith('message'))).toEqual([]);
  });
});
