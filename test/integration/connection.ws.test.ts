/**
 * `createConnection` against real `ws` servers on loopback: no mocks, port 0 everywhere, no
 * sleeps. Each test awaits events (or promises built on them) and leaves no server or socket
 * behind. The TLS, header and secure-only behaviours are in `test/shell/security.test.ts`.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import type { Connection, ConnectionEventMap, ConnectionOptions } from '../../src/index.js';
import { startThrottleProxy } from '../support/throttle-proxy.js';
import { refusedPort, startStallingServer, startWsServer } from '../support/ws-server.js';
import { nextEvent, useHarness } from '../support/harness.js';

const { serve, connect } = useHarness();

type Logged = {
  [K in keyof ConnectionEventMap]: { type: K; payload: ConnectionEventMap[K]; readyState: number };
}[keyof ConnectionEventMap];

/** Every event but `state`, in order, with the `readyState` a listener saw. */
function record(connection: Connection): Logged[] {
  const log: Logged[] = [];
  for (const type of ['open', 'message', 'error', 'close', 'undelivered'] as const) {
    connection.on(type, (payload) => log.push({ type, payload, readyState: connection.readyState } as Logged));
  }
  return log;
}

/** Lets a few event-loop turns pass (no timer), so an event that should not come would have. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Catches what `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected a throw');
}

function expectDomException(fn: () => unknown, name: string): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(DOMException);
  expect((error as DOMException).name).toBe(name);
}

/** A binary message of `size` bytes whose first 4 bytes are `seq`. */
function numbered(seq: number, size: number): Uint8Array {
  const message = new Uint8Array(size);
  new DataView(message.buffer).setUint32(0, seq);
  return message;
}

/** What a server-side socket received, settled when it closes (every message is emitted before `close`). */
function tally(socket: ServerSocket) {
  const seqs: number[] = [];
  let bytes = 0;
  socket.on('message', (data: Buffer) => {
    seqs.push(data.readUInt32BE(0));
    bytes += data.length;
  });
  const closed = new Promise<{ code: number; reason: string; seqs: number[]; bytes: number }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString(), seqs, bytes })),
  );
  return { closed };
}

describe('createConnection with a ws server', () => {
  it('echoes text and binary, then closes cleanly with the code and reason the server sees', async () => {
    const server = serve(await startWsServer({ echo: true }));
    const serverSide = server.nextConnection();
    const connection = connect(server.url);
    await nextEvent(connection, 'open');

    const text = nextEvent(connection, 'message');
    connection.send('hello');
    expect(await text).toBe('hello');
    const binary = nextEvent(connection, 'message');
    connection.send(new Uint8Array([1, 2, 255]));
    const reply = await binary;
    expect(reply).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(reply as ArrayBuffer)]).toEqual([1, 2, 255]);

    const { socket } = await serverSide;
    const serverClosed = once(socket, 'close');
    expect(await connection.close(1000, 'done')).toEqual({ code: 1000, reason: 'done', wasClean: true, cause: 'normal' });
    const [code, reason] = (await serverClosed) as [number, Buffer];
    expect({ code, reason: reason.toString() }).toEqual({ code: 1000, reason: 'done' });
  });

  // One attempt's semantics (reconnect: false): the reconnecting variant is in reconnect.ws.test.ts.
  it('reports a refused port as one error, the queued messages undelivered, then one close', async () => {
    const connection = connect(`ws://127.0.0.1:${await refusedPort()}/`, { reconnect: false });
    const log = record(connection);
    connection.send('first');
    connection.send('second');

    await connection.closed;
    await settle();
    expect(log.map((entry) => entry.type)).toEqual(['error', 'undelivered', 'undelivered', 'close']);
    expect(log.every((entry) => entry.readyState === 3)).toBe(true);
    expect(log[0]!.payload).toMatchObject({ cause: 'refused' });
    expect(log.slice(1, 3).map((entry) => entry.payload)).toEqual([
      { data: 'first', reason: 'closed-before-open' },
      { data: 'second', reason: 'closed-before-open' },
    ]);
    expect(log[3]!.payload).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'refused', willReconnect: false });
  });

  // A 403 would be refused again: the default policy gives up after this one attempt.
  it('reports an HTTP 403 answer to the upgrade as handshake-failed with its status, and gives up', async () => {
    let upgrades = 0;
    const server = serve(
      await startWsServer({
        verifyClient: (_info, done) => {
          upgrades += 1;
          done(false, 403, 'Forbidden');
        },
      }),
    );
    const connection = connect(server.url);
    const log = record(connection);
    const giveup = nextEvent(connection, 'giveup');

    const close = { code: 1006, reason: '', wasClean: false, cause: 'handshake-failed', status: 403 };
    expect(await connection.closed).toEqual(close);
    expect(await giveup).toEqual({ reason: 'not-retryable', close });
    expect(log.map((entry) => entry.type)).toEqual(['error', 'close']);
    expect(log[0]!.payload).toMatchObject({ cause: 'handshake-failed', status: 403 });
    expect(log[1]!.payload).toEqual({ ...close, willReconnect: false });
    await settle();
    expect({ state: connection.state, upgrades }).toEqual({ state: 'gaveUp', upgrades: 1 });
  });

  it('passes the close code and reason of a server-initiated close through, and gives up on an application code', async () => {
    const server = serve(await startWsServer());
    server.server.on('connection', (socket) => socket.close(4001, 'bye'));
    const connection = connect(server.url);

    expect(await connection.closed).toEqual({ code: 4001, reason: 'bye', wasClean: true, cause: 'normal' });
    expect(connection.state).toBe('gaveUp');
  });

  it('delivers 100,000 messages sent before open, all in order', async () => {
    const count = 100_000;
    const server = serve(await startWsServer());
    const received = new Promise<{ received: number; firstOutOfOrder: number | undefined }>((resolve) => {
      server.server.on('connection', (socket) => {
        let next = 0;
        let firstOutOfOrder: number | undefined;
        socket.on('message', (data: Buffer) => {
          if (Number(data.toString()) !== next && firstOutOfOrder === undefined) firstOutOfOrder = next;
          if (++next === count) resolve({ received: next, firstOutOfOrder });
        });
      });
    });
    const connection = connect(server.url, { maxQueuedMessages: count });

    let accepted = 0;
    for (let i = 0; i < count; i++) if (connection.send(String(i))) accepted++;
    expect({ accepted, readyState: connection.readyState, queued: connection.queuedMessages }).toEqual({
      accepted: count,
      readyState: 0,
      queued: count,
    });
    expect(await received).toEqual({ received: count, firstOutOfOrder: undefined });
  });

  describe('closing with data still buffered (through a throttling proxy)', () => {
    const size = 64 * 1024;
    const bytesPerSecond = 8 * 1024 * 1024;
    /**
     * What `ws` itself must still hold when `close()` is called: at 8 MiB/s, at least 375 ms of
     * draining. The kernel buffers between client and proxy (the client's send buffer, up to
     * `tcp_wmem`'s maximum, 4 MiB by default on Linux, plus the proxy's receive buffer) take
     * the first megabytes at once, so 5 MiB alone can be written out within milliseconds.
     * `bufferedAmount` may overstate what `ws` holds by one group of confirmations, at most
     * 1 MiB (docs/sending.md): past `keep`, `ws` still holds 2 MiB, 250 ms of draining.
     */
    const keep = 3 * 1024 * 1024;

    async function sendThroughThrottle(options?: ConnectionOptions) {
      const server = serve(await startWsServer());
      const proxy = serve(await startThrottleProxy(server.port, { bytesPerSecond }));
      const serverSide = server.nextConnection().then(({ socket }) => tally(socket));
      const connection = connect(proxy.url, options);
      await nextEvent(connection, 'open');
      const seen = await serverSide;

      const messages: Uint8Array[] = [];
      const sendMore = (count: number): void => {
        for (let i = 0; i < count; i++) {
          messages.push(numbered(messages.length, size));
          connection.send(messages.at(-1)!);
        }
      };
      sendMore(80); // 5 MiB
      // Top up until the kernel buffers are full and `ws` holds `keep` bytes (bounded: 64 MiB).
      await settle();
      while (connection.bufferedAmount < keep && messages.length < 1024) {
        sendMore(16);
        await settle();
      }
      expect(connection.bufferedAmount).toBeGreaterThanOrEqual(keep);
      return { connection, messages, seen };
    }

    it('delivers every byte before the close frame', async () => {
      const { connection, messages, seen } = await sendThroughThrottle();

      const closing = connection.close(1000, 'done');
      expect(connection.state).toBe('closing.draining');
      expect(connection.bufferedAmount).toBeGreaterThan(0);

      expect(await closing).toEqual({ code: 1000, reason: 'done', wasClean: true, cause: 'normal' });
      const atClose = await seen.closed;
      expect({ code: atClose.code, reason: atClose.reason, bytes: atClose.bytes, messages: atClose.seqs.length }).toEqual({
        code: 1000,
        reason: 'done',
        bytes: size * messages.length,
        messages: messages.length,
      });
      expect(atClose.seqs).toEqual([...messages.keys()]);
    });

    it('reports every message it could not confirm written when the drain times out, losing none', async () => {
      const { connection, messages, seen } = await sendThroughThrottle({ drainTimeout: 50 });
      const undelivered: { seq: number; reason: string }[] = [];
      connection.on('undelivered', ({ data, reason }) => undelivered.push({ seq: messages.indexOf(data as Uint8Array), reason }));

      const closing = connection.close();
      expect(connection.state).toBe('closing.draining');
      expect(await closing).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'drain-timeout' });
      // The kernel still delivers what was written to it before the socket was dropped: judge
      // only once the server's side has closed.
      const { seqs: received } = await seen.closed;

      expect(undelivered.length).toBeGreaterThan(0);
      expect(undelivered.filter(({ reason }) => reason !== 'drain-timeout')).toEqual([]);
      const reported = undelivered.map(({ seq }) => seq);
      // The server received a prefix of the messages, in order...
      expect(received).toEqual([...received.keys()]);
      // ...and the reports name, in order and once each, every message from the first whose
      // write ws had not confirmed to the last.
      const first = reported[0]!;
      expect(reported).toEqual(Array.from({ length: messages.length - first }, (_, i) => first + i));
      // None is lost silently. Node hands writes that queue up behind a slow one to the kernel
      // in a single writev and confirms them together, so a message at the boundary can be in
      // the kernel (and reach the server) before it is confirmed: reports err on the side of
      // "undelivered" (at-least-once for an app that resends them), as docs/delivery-guarantees.md says.
      expect(first).toBeLessThanOrEqual(received.length);
    });
  });

  it('reports every queued message undelivered when closed while connecting', async () => {
    const server = serve(await startStallingServer());
    const accepted = server.nextSocket();
    const connection = connect(server.url);
    const log = record(connection);
    const sent = ['one', new Uint8Array([2]), 'three'];
    for (const message of sent) connection.send(message);
    await accepted; // the TCP connection is up; the opening handshake never completes

    const closing = connection.close();
    expect({ readyState: connection.readyState, state: connection.state }).toEqual({ readyState: 2, state: 'closing.aborting' });

    expect(await closing).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'aborted' });
    await settle();
    expect(log.map((entry) => entry.type)).toEqual(['error', 'undelivered', 'undelivered', 'undelivered', 'close']);
    expect(log[0]!.payload).toMatchObject({ cause: 'aborted' });
    expect(log.slice(1, 4).map((entry) => entry.payload)).toEqual(sent.map((data) => ({ data, reason: 'closed-before-open' })));
    expect((log[1]!.payload as { data: unknown }).data).toBe(sent[0]);
    expect((log[2]!.payload as { data: unknown }).data).toBe(sent[1]); // by identity, not a copy
  });

  it('fails with connect-timeout when the handshake stalls', async () => {
    const server = serve(await startStallingServer());
    const connection = connect(server.url, { connectTimeout: 200, reconnect: false });
    const log = record(connection);

    expect(await connection.closed).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'connect-timeout' });
    expect(log.map((entry) => entry.type)).toEqual(['error', 'close']);
    expect(log[0]!.payload).toMatchObject({ cause: 'connect-timeout' });
  });

  it('sets protocol to the subprotocol the server selects', async () => {
    const server = serve(await startWsServer({ handleProtocols: (offered) => [...offered][1] ?? false }));
    const serverSide = server.nextConnection();
    const connection = connect(server.url, { protocols: ['chat.v1', 'chat.v2'] });

    expect(await nextEvent(connection, 'open')).toEqual({ protocol: 'chat.v2', extensions: '' });
    expect(connection.protocol).toBe('chat.v2');
    expect((await serverSide).socket.protocol).toBe('chat.v2');
  });

  describe('invalid arguments', () => {
    it('throws a SyntaxError for a bad URL, scheme, fragment or duplicate subprotocol', async () => {
      const server = serve(await startWsServer());
      expectDomException(() => connect('not a url'), 'SyntaxError');
      expectDomException(() => connect(server.url.replace('ws:', 'ftp:')), 'SyntaxError');
      expectDomException(() => connect(`${server.url}#fragment`), 'SyntaxError');
      expectDomException(() => connect(server.url, { protocols: ['chat', 'chat'] }), 'SyntaxError');
    });

    it('throws for a bad close code, close reason or send argument, and stays open', async () => {
      const server = serve(await startWsServer({ echo: true }));
      const connection = connect(server.url);
      await nextEvent(connection, 'open');

      expectDomException(() => connection.close(1001), 'InvalidAccessError');
      expectDomException(() => connection.close(1000, 'x'.repeat(124)), 'SyntaxError');
      expect(thrown(() => connection.send(123 as never))).toBeInstanceOf(TypeError);

      expect(connection.state).toBe('open');
      const echoed = nextEvent(connection, 'message');
      connection.send('still open');
      expect(await echoed).toBe('still open');
      expect(server.connections).toHaveLength(1);
    });

    it.each([
      ['maxQueuedBytes', -1, /`maxQueuedBytes`.*-1/],
      ['connectTimeout', 'x', /`connectTimeout`.*"x"/],
      // Not an option: a typo or a wish. Its value is not shown: a misplaced option may be a credential.
      ['reconnectDelay', 250, /^Unknown option `reconnectDelay` \(its value is not shown\)/],
    ])('throws a TypeError naming the option %s (and its value %s, where it is a known one)', (name, value, message) => {
      const error = thrown(() => connect('ws://127.0.0.1/', { [name]: value }));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toMatch(message);
    });
  });
});
