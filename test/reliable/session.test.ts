/**
 * A reliable session's behaviour with both sides in memory and a simulated clock (`world.ts`):
 * negotiation, numbering and acknowledgement, resume with replay and duplicates dropped, the
 * bounded buffer, a server that lost the session, a server that never says hello, the closing
 * byes, and the defined answer to each kind of bad input.
 */
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, createReliableSession } from '../../src/reliable/index.js';
import { createSessionServer } from '../../src/server/index.js';
import { microtasks, SessionWorld } from './world.js';

const sendAll = (world: SessionWorld, prefix: string, count: number) => {
  for (let i = 1; i <= count; i++) world.client.send(`${prefix}${i}`);
};
const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

describe('negotiation', () => {
  it('goes live after the hello and the session frame, then carries messages both ways in order', async () => {
    const world = new SessionWorld();
    sendAll(world, 'c', 3); // before the socket opens: held, numbered
    expect(world.client.state).toBe('negotiating');
    await world.settle();
    expect(world.client.state).toBe('live');
    expect(world.serverReceived).toEqual(range('c', 1, 3));
    world.serverSession!.send('s1');
    world.serverSession!.send('s2');
    await world.settle();
    expect(world.clientReceived).toEqual(['s1', 's2']);
    expect(world.clientEvents.slice(0, 3)).toEqual(['state negotiating', 'session new', 'state live']);
    // Everything was acknowledged on the idle timers: nothing is held on either side.
    expect(world.client.unackedMessages).toBe(0);
    expect(world.serverSession!.unackedMessages).toBe(0);
  });

  it('carries binary messages both ways, exactly as sent, with acknowledgements piggybacked on them', async () => {
    const world = new SessionWorld({ client: { ackDelay: 1_000 }, server: { ackDelay: 1_000 } });
    await world.settle();
    world.serverSession!.send(new Uint8Array([1, 2, 3]));
    world.toClient();
    // The client owes an acknowledgement for 1, which rides on its next message.
    world.client.send(new Uint8Array([0xff, 0]).subarray(1));
    world.client.send(new ArrayBuffer(2));
    world.pipe!.socket.flush();
    const frames = world.pipe!.socket.written.slice(-2).map(({ data }) => [...new Uint8Array(data as ArrayBuffer)]);
    expect(frames[0]).toEqual([0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(frames[1]).toEqual([0x00, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]);
    await world.settle();
    expect(world.serverReceived).toEqual(['00', '0000']);
    expect(world.clientReceived.map((data) => [...new Uint8Array(data as unknown as ArrayBuffer)])).toEqual([[1, 2, 3]]);
    expect(world.serverSession!.unackedMessages).toBe(0);
  });

  it('carries on as a plain connection, and says so, when no hello comes within helloTimeout', async () => {
    const world = new SessionWorld({ sessions: false, client: { helloTimeout: 500 } });
    world.client.send('held');
    world.accept();
    expect(world.client.state).toBe('negotiating');
    world.clock.advance(499);
    expect(world.client.state).toBe('negotiating');
    world.clock.advance(1);
    expect(world.client.state).toBe('plain');
    expect(world.clientEvents).toContain('fallback no-hello');
    world.client.send('plain');
    await world.settle();
    // The echo server gets the held message and the next as they are, unnumbered, and echoes them.
    expect(world.clientReceived).toEqual(['held', 'plain']);
  });

  it('falls back at once when the server speaks first with something other than a hello', () => {
    const world = new SessionWorld({ sessions: false });
    world.accept();
    world.pipe!.toClient.push({ kind: 'frame', data: 'welcome' });
    world.toClient();
    expect(world.client.state).toBe('plain');
    expect(world.clientEvents).toContain('fallback not-a-hello');
    expect(world.clientReceived).toEqual(['welcome']);
  });
});

describe('resuming after a drop', () => {
  it('replays what the server did not receive, and the server drops what it already had', async () => {
    const world = new SessionWorld();
    await world.settle();
    sendAll(world, 'c', 6);
    world.toServer();
    world.toServer();
    world.toServer(); // c1..c3 arrive; no acknowledgement reaches the client
    world.dropLink();
    expect(world.client.state).toBe('resuming');
    expect(world.client.unackedMessages).toBe(6);
    await world.settle();
    expect(world.client.state).toBe('live');
    expect(world.clientEvents).toContain('session resumed');
    expect(world.serverReceived).toEqual(range('c', 1, 6));
    expect(world.serverSessions).toHaveLength(1);
  });

  it('replays what the client did not receive, and the client drops duplicates', async () => {
    const world = new SessionWorld();
    await world.settle();
    const session = world.serverSession!;
    for (let i = 1; i <= 6; i++) session.send(`s${i}`);
    world.toClient();
    world.toClient();
    world.toClient(); // s1..s3 delivered, unacknowledged
    world.dropLink();
    await world.settle();
    expect(world.clientReceived).toEqual(range('s', 1, 6));
    expect(session.unackedMessages).toBe(0);
  });

  it('survives a drop at every point of a burst in both directions, exactly once and in order', async () => {
    for (let cut = 0; cut < 40; cut++) {
      const world = new SessionWorld({ client: { ackDelay: 0 }, server: { ackDelay: 0 } });
      await world.settle();
      sendAll(world, 'c', 10);
      for (let i = 1; i <= 10; i++) world.serverSession!.send(`s${i}`);
      for (let steps = 0; steps < cut && world.step(); steps++);
      world.dropLink();
      await world.settle();
      expect(world.serverReceived, `cut after ${cut} steps`).toEqual(range('c', 1, 10));
      expect(world.clientReceived, `cut after ${cut} steps`).toEqual(range('s', 1, 10));
      expect(world.clientUndelivered).toEqual([]);
    }
  });

  it('drops a data frame it already delivered, on either side (a replay that overlaps what arrived)', async () => {
    const world = new SessionWorld();
    await world.settle();
    for (const frame of ['1:s1', '1:s1', '2:s2', '1:s1']) world.pipe!.toClient.push({ kind: 'frame', data: frame });
    while (world.toClient());
    expect(world.clientReceived).toEqual(['s1', 's2']);
    for (const frame of ['1:c1', '1:c1', '2:c2', '2:c2']) world.pipe!.server.message(Buffer.from(frame), false);
    expect(world.serverReceived).toEqual(['c1', 'c2']);
    expect(world.client.state).toBe('live');
    expect(world.serverSession!.state).toBe('attached');
  });

  it('reports every unacknowledged message lost when the resumed server sends no hello, then carries on plain', async () => {
    const world = new SessionWorld({ client: { helloTimeout: 500 } });
    await world.settle();
    sendAll(world, 'c', 2);
    world.dropLink();
    expect(world.client.state).toBe('resuming');
    // The next socket reaches a server that no longer speaks sessions: it opens, and says nothing.
    while (world.memory.sockets.at(-1)!.phase !== 'connecting') world.tick();
    world.memory.sockets.at(-1)!.accept();
    world.clock.advance(500);
    expect(world.client.state).toBe('plain');
    expect(world.clientLost).toEqual([{ reason: 'no-hello', messages: ['c1', 'c2'] }]);
    expect(world.clientEvents.slice(-2)).toEqual(['fallback no-hello', 'state plain']);
  });

  it('holds what is sent while resuming, and sends it after the replay', async () => {
    const world = new SessionWorld();
    await world.settle();
    world.client.send('c1');
    world.dropLink();
    world.client.send('c2');
    expect(world.client.state).toBe('resuming');
    await world.settle();
    expect(world.serverReceived).toEqual(['c1', 'c2']);
  });
});

describe('the bounded buffer', () => {
  it('refuses a send past maxUnackedMessages as buffer-full, and ready resolves once acknowledgements make room', async () => {
    const world = new SessionWorld({ client: { maxUnackedMessages: 2 } });
    await world.settle();
    expect(world.client.send('c1')).toBe(true);
    expect(world.client.send('c2')).toBe(true);
    expect(world.client.send('c3')).toBe(false);
    let ready = false;
    void world.client.ready.then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    expect(world.clientEvents).toContain('undelivered c3 buffer-full');
    await world.settle();
    await Promise.resolve();
    expect(ready).toBe(true);
    expect(world.serverReceived).toEqual(['c1', 'c2']);
  });

  it('refuses a send past maxUnackedBytes', () => {
    const world = new SessionWorld({ client: { maxUnackedBytes: 5 } });
    expect(world.client.send('abc')).toBe(true);
    expect(world.client.send('def')).toBe(false);
    expect(world.clientUndelivered).toEqual([{ data: 'def', reason: 'buffer-full' }]);
  });

  it('refuses a server send past its bound, reporting it buffer-full', async () => {
    const world = new SessionWorld({ server: { maxUnackedMessages: 1 } });
    await world.settle();
    expect(world.serverSession!.send('s1')).toBe(true);
    expect(world.serverSession!.send('s2')).toBe(false);
    expect(world.serverUndelivered).toEqual([{ data: 's2', reason: 'buffer-full' }]);
  });
});

describe('the server bounds its sessions', () => {
  it('answers a start beyond maxSessions with 1013 (try again later), and takes one again once a session ended', async () => {
    const world = new SessionWorld({ server: { maxSessions: 1 } });
    await world.settle();
    const closes: number[] = [];
    const start = Buffer.from('{"t":"start","v":1,"maxMessages":10,"maxBytes":1000}');
    const other = () => world.hub.accept({ send: () => {}, close: (code) => closes.push(code), terminate: () => {} });
    other().message(start, false);
    expect(closes).toEqual([1013]);
    expect(world.hub.sessions.size).toBe(1);
    void world.client.close();
    await world.settle();
    expect(world.hub.sessions.size).toBe(0);
    other().message(start, false);
    expect(closes).toEqual([1013]);
    expect(world.hub.sessions.size).toBe(1);
  });
});

describe('a server that lost the session', () => {
  it('reports the loss with every unacknowledged message, and the next session names the lost one', async () => {
    const world = new SessionWorld();
    await world.settle();
    const first = world.client.sessionId;
    sendAll(world, 'c', 3);
    world.toServer(); // c1 reaches the old server, unacknowledged
    world.restartServer();
    world.client.send('c4');
    await world.settle();
    expect(world.clientLost).toEqual([{ reason: 'unknown-session', messages: range('c', 1, 4) }]);
    expect(world.client.state).toBe('live');
    expect(world.client.sessionId).not.toBe(first);
    expect(world.serverSessions.at(-1)!.lostSession).toBe(first);
    // Numbering starts again, and the new session carries new messages.
    world.client.send('c5');
    await world.settle();
    expect(world.serverReceived.at(-1)).toBe('c5');
  });

  it('waits for the next socket when a close says a session is lost while none was resumed', async () => {
    const world = new SessionWorld();
    world.accept();
    world.pipe!.toClient.push({ kind: 'close', code: CLOSE_CODES['unknown-session'], reason: 'unknown-session' });
    while (world.toClient());
    expect(world.client.state).toBe('negotiating');
    await world.settle();
    expect(world.client.state).toBe('live');
    expect(world.clientLost).toEqual([]);
  });

  it('reports expired-session when the session expired while the client was away', async () => {
    const world = new SessionWorld({ server: { sessionTimeout: 1_000 }, client: { minReconnectDelay: 5_000, maxReconnectDelay: 5_000 } });
    await world.settle();
    world.client.send('c1');
    world.dropLink();
    await world.settle();
    expect(world.clientLost).toEqual([{ reason: 'expired-session', messages: ['c1'] }]);
    expect(world.serverSessions[0]!.state).toBe('closed');
  });
});

describe('time', () => {
  it('carries on exactly once after the device sleeps for an hour with the link intact', async () => {
    const world = new SessionWorld();
    await world.settle();
    world.client.send('c1');
    world.serverSession!.send('s1');
    world.clock.sleep(3_600_000);
    world.client.send('c2');
    await world.settle();
    expect(world.serverReceived).toEqual(['c1', 'c2']);
    expect(world.clientReceived).toEqual(['s1']);
    expect(world.client.state).toBe('live');
    expect(world.clientEvents.filter((event) => !event.startsWith('state') && !event.startsWith('session'))).toEqual([]);
  });
});

describe('options', () => {
  // Each option's checks, word for word, are in options.test.ts and server.test.ts.
  it('are checked when a session or a session server is created', () => {
    expect(() => createReliableSession('ws://example.test/', { maxUnackedMessages: 0 })).toThrow(TypeError);
    expect(() => createSessionServer({ maxSessions: 0 })).toThrow(TypeError);
  });
});

describe('closing', () => {
  it('exchanges byes, then closes the connection with the code given', async () => {
    const world = new SessionWorld();
    await world.settle();
    world.client.send('c1');
    const closed = world.client.close(1000, 'bye');
    await world.settle();
    expect(await closed).toMatchObject({ code: 1000 });
    expect(world.serverReceived).toEqual(['c1']);
    expect(world.client.state).toBe('closed');
    expect(await world.serverSessions[0]!.closed).toEqual({ reason: 'client-closed' });
    expect(world.clientUndelivered).toEqual([]);
  });

  it('reports what the server never acknowledged when the link dies while closing', async () => {
    const world = new SessionWorld();
    await world.settle();
    world.client.send('c1');
    void world.client.close();
    world.dropLink();
    await world.settle();
    expect(world.clientUndelivered).toEqual([{ data: 'c1', reason: 'unacknowledged' }]);
  });

  it('closes with the code and reason given before a session, and once fallen back to plain', async () => {
    const early = new SessionWorld();
    early.accept(); // open, the server's hello not read yet
    expect(early.client.state).toBe('negotiating');
    void early.client.close(4001, 'not now');
    await microtasks();
    expect(early.memory.sockets.at(-1)!.closeRequest).toEqual({ code: 4001, reason: 'not now' });

    const plain = new SessionWorld({ sessions: false, client: { helloTimeout: 500 } });
    plain.accept();
    plain.clock.advance(500);
    expect(plain.client.state).toBe('plain');
    void plain.client.close(4002, 'done');
    await microtasks();
    expect(plain.memory.sockets.at(-1)!.closeRequest).toEqual({ code: 4002, reason: 'done' });
    expect(plain.client.state).toBe('closed');
  });

  it('closes with the code and reason given while resuming', async () => {
    const world = new SessionWorld();
    await world.settle();
    world.dropLink();
    while (world.memory.sockets.at(-1)!.phase !== 'connecting') world.tick();
    world.memory.sockets.at(-1)!.accept();
    expect(world.client.state).toBe('resuming');
    void world.client.close(4003, 'away');
    await microtasks();
    expect(world.memory.sockets.at(-1)!.closeRequest).toEqual({ code: 4003, reason: 'away' });
  });

  it('refuses sends after close, reporting them', async () => {
    const world = new SessionWorld();
    await world.settle();
    void world.client.close();
    expect(world.client.send('late')).toBe(false);
    expect(world.clientUndelivered).toEqual([{ data: 'late', reason: 'closing' }]);
  });
});

describe('bad input gets a defined answer', () => {
  const live = async () => {
    const world = new SessionWorld();
    await world.settle();
    return world;
  };
  const closeCode = (world: SessionWorld) => world.pipe?.socket.closeRequest?.code ?? world.memory.socket.closeRequest?.code;

  it('the client closes with protocol-error on a malformed control frame', async () => {
    const world = await live();
    world.pipe!.toClient.push({ kind: 'frame', data: '{"t":"ack"}' });
    world.toClient();
    await microtasks();
    expect(closeCode(world)).toBe(CLOSE_CODES['protocol-error']);
    expect(world.client.state).toBe('closed');
  });

  it('the client closes with bad-ack on an acknowledgement beyond what it sent', async () => {
    const world = await live();
    world.client.send('c1');
    world.pipe!.toClient.push({ kind: 'frame', data: '{"t":"ack","seq":2}' });
    world.toClient();
    world.pipe!.socket.flush(); // the connection closes once c1's frame is written out
    await microtasks();
    expect(closeCode(world)).toBe(CLOSE_CODES['bad-ack']);
    // Nothing already acknowledged is lost, and what was not is reported.
    expect(world.clientUndelivered).toEqual([{ data: 'c1', reason: 'unacknowledged' }]);
  });

  it('the client closes with sequence-gap on a data frame that skips a number', async () => {
    const world = await live();
    world.pipe!.toClient.push({ kind: 'frame', data: '2:skipped' });
    world.toClient();
    await microtasks();
    expect(closeCode(world)).toBe(CLOSE_CODES['sequence-gap']);
    expect(world.clientReceived).toEqual([]);
  });

  it('the server closes with protocol-error, bad-ack and sequence-gap, and ends the session', async () => {
    for (const [frame, cause] of [
      ['{"t":"bye"}', 'protocol-error'],
      ['{"t":"ack","seq":1}', 'bad-ack'],
      ['2:skipped', 'sequence-gap'],
    ] as const) {
      const world = await live();
      world.pipe!.server.message(Buffer.from(frame), false);
      expect(world.pipe!.toClient.at(-1), frame).toEqual({ kind: 'close', code: CLOSE_CODES[cause], reason: cause });
      expect(world.serverSessions[0]!.state).toBe('closed');
    }
  });

  it('the server answers a resume of a session it does not know with unknown-session', () => {
    const world = new SessionWorld();
    world.accept();
    world.toClient(); // the hello
    world.pipe!.server.message(Buffer.from('{"t":"resume","v":1,"id":"nope","seq":0,"maxMessages":10,"maxBytes":100}'), false);
    expect(world.pipe!.toClient.at(-1)).toEqual({ kind: 'close', code: CLOSE_CODES['unknown-session'], reason: 'unknown-session' });
  });
});
