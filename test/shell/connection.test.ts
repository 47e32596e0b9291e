/**
 * The Connection shell with the in-memory transport and a simulated clock: queueing, flush
 * order, byte accounting, drain-before-close, timeouts, message fates and clean-up.
 */
import { describe, expect, it } from 'vitest';
import { record } from '../support/event-log.js';
import { createConnection, type BinaryType, type ConnectionOptions, type Transport } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';
import { observe } from '../../src/connection-internals.js';
import { thrown } from '../support/thrown.js';

function setup(options: ConnectionOptions = {}) {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const connection = createConnection('ws://example.test/chat', { transport: memory.transport, clock, ...options });
  const log = record(connection, { without: ['reconnecting'] });
  return { memory, clock, connection, log };
}

/** Every event the connection emits, as `type payload` lines. */

const written = (memory: ReturnType<typeof createMemoryTransport>) => memory.socket.written.map((message) => message.data);

describe('queueing before open', () => {
  it('flushes queued messages in order before open listeners run, so their sends come after', () => {
    const { memory, connection } = setup();
    expect(connection.send('a')).toBe(true);
    expect(connection.send('b')).toBe(true);
    connection.on('open', () => {
      expect(memory.socket.bufferedAmount).toBe(2); // a and b already handed to the socket
      connection.send('c');
    });
    memory.socket.accept();
    memory.socket.flush();
    expect(written(memory)).toEqual(['a', 'b', 'c']);
  });

  it('counts queued strings in UTF-8 bytes and binary in byte length', () => {
    const { connection, memory } = setup();
    connection.send('é€😀'); // 2 + 3 + 4 bytes
    connection.send(new Uint8Array(new ArrayBuffer(10), 3, 5));
    connection.send('\uD800'); // a lone surrogate is sent as U+FFFD: 3 bytes
    expect(connection.bufferedAmount).toBe(9 + 5 + 3);
    expect(connection.queuedMessages).toBe(3);
    memory.socket.accept();
    expect(connection.bufferedAmount).toBe(17); // now held by the socket
    memory.socket.flush(9);
    expect(connection.bufferedAmount).toBe(8);
    memory.socket.flush();
    expect(connection.bufferedAmount).toBe(0);
  });

  it('rejects a send past maxQueuedMessages or maxQueuedBytes at once, as queue-full', () => {
    const { connection, log } = setup({ maxQueuedMessages: 2, maxQueuedBytes: 5 });
    expect(connection.send('12')).toBe(true);
    expect(connection.send('3456')).toBe(false); // 6 bytes > 5
    expect(log).toEqual(['state connecting', 'undelivered 3456 queue-full']);
    expect(connection.send('3')).toBe(true);
    expect(connection.send('4')).toBe(false); // 3 messages > 2
    expect(log).toEqual(['state connecting', 'undelivered 3456 queue-full', 'undelivered 4 queue-full']);
    expect(connection.queuedMessages).toBe(2);
  });

  it('sends the bytes a buffer held at send(), even if the caller reuses the buffer', () => {
    const { connection, memory, log } = setup();
    const view = new Uint8Array([0, 1, 2, 3, 0]).subarray(1, 4);
    const buffer = new Uint8Array([4, 5]).buffer;
    const blob = new Blob(['six']);
    connection.send(view);
    connection.send(buffer);
    connection.send('text');
    connection.send(blob);
    view[0] = 9;
    new Uint8Array(buffer)[0] = 9;
    memory.socket.accept();
    memory.socket.flush();
    const [first, second, third, fourth] = memory.socket.written.map(({ data }) => data);
    expect([Array.from(first as Uint8Array), Array.from(new Uint8Array(second as ArrayBuffer)), third, fourth]).toEqual([
      [1, 2, 3],
      [4, 5],
      'text',
      blob, // immutable: sent as it is
    ]);
    expect(log).toEqual(['state connecting', 'open', 'state open']);
  });
});

// One attempt's semantics: without reconnection the failed attempt is the last, so the queue
// is reported and the connection ends (the reconnecting variants are in reconnect*.test.ts).
describe('failed connects', () => {
  it('reports error, then every queued message, then close 1006, and never opens', () => {
    const { connection, memory, log } = setup({ reconnect: false });
    connection.send('a');
    connection.send('b');
    memory.socket.refuse();
    expect(log).toEqual([
      'state connecting',
      'error refused',
      'undelivered a closed-before-open',
      'undelivered b closed-before-open',
      'close 1006 refused unclean',
      'state closed',
    ]);
    expect(connection.readyState).toBe(3);
  });

  it('synthesizes the error when the transport only closes', () => {
    const { memory, log } = setup({ reconnect: false });
    memory.socket.drop();
    expect(log).toEqual(['state connecting', 'error connection-lost', 'close 1006 connection-lost unclean', 'state closed']);
  });

  it('times out a connect that never completes, and leaves no timer behind', async () => {
    const { clock, connection, memory, log } = setup({ connectTimeout: 1000, reconnect: false });
    clock.advance(999);
    expect(connection.readyState).toBe(0);
    clock.advance(1);
    expect(log).toEqual(['state connecting', 'error connect-timeout', 'close 1006 connect-timeout unclean', 'state closed']);
    expect(memory.socket.phase).toBe('terminated');
    expect(clock.pendingTimers).toBe(0);
    await expect(connection.closed).resolves.toMatchObject({ cause: 'connect-timeout' });
  });

  it('aborts on close() while connecting: CLOSING at once, then error, undelivered, close', async () => {
    const { connection, memory, log } = setup();
    connection.send('queued');
    const closed = connection.close();
    expect(connection.readyState).toBe(2);
    expect(connection.send('late')).toBe(false);
    memory.socket.completeAbort();
    expect(log).toEqual([
      'state connecting',
      'state closing.aborting',
      'undelivered late closing',
      'error aborted',
      'undelivered queued closed-before-open',
      'close 1006 aborted unclean',
      'state closed',
    ]);
    await expect(closed).resolves.toEqual({ code: 1006, reason: '', wasClean: false, cause: 'aborted' });
  });

  it('reports a transport that throws while opening in a later task, as error then close', async () => {
    const transport = () => {
      throw new Error('no sockets here');
    };
    const connection = createConnection('ws://example.test/', { transport, clock: new SimulatedClock(), reconnect: false });
    const log = record(connection, { without: ['reconnecting'] });
    expect(log).toEqual([]);
    await expect(connection.closed).resolves.toMatchObject({ code: 1006, cause: 'invalid-request' });
    expect(log).toEqual(['state connecting', 'error invalid-request', 'close 1006 invalid-request unclean', 'state closed']);
  });

  it('does not retry a request the transport refused outright: the next attempt would make the same one', async () => {
    let attempts = 0;
    // As Node's HTTP client refuses a header it cannot send, or a browser a URL its CSP forbids.
    const transport = () => {
      attempts += 1;
      throw new TypeError('Invalid character in header content ["x-token"]');
    };
    const clock = new SimulatedClock();
    const connection = createConnection('ws://example.test/', { transport, clock });
    const log = record(connection, { without: ['reconnecting'] });
    await Promise.resolve(); // the failure is reported in a later task
    clock.advance(60_000); // longer than any reconnect wait
    expect(attempts).toBe(1);
    await expect(connection.closed).resolves.toMatchObject({ code: 1006, cause: 'invalid-request' });
    expect(log).toEqual([
      'state connecting',
      'error invalid-request',
      'close 1006 invalid-request unclean',
      'giveup not-retryable after 1006 invalid-request unclean',
      'state gaveUp',
    ]);
  });
});

describe('drain before close', () => {
  it('waits for buffered data to be written out before the closing handshake', async () => {
    const { connection, memory, log } = setup();
    memory.socket.accept();
    connection.send('x'.repeat(100));
    const closed = connection.close(1000, 'done');
    expect(connection.state).toBe('closing.draining');
    expect(connection.bufferedAmount).toBe(100);
    expect(memory.socket.closeRequest).toBeUndefined();
    memory.socket.flush(50); // whole messages only: nothing goes out yet
    expect(connection.state).toBe('closing.draining');
    memory.socket.flush();
    expect(connection.state).toBe('closing.handshake');
    expect(memory.socket.closeRequest).toEqual({ code: 1000, reason: 'done' });
    memory.socket.completeClose();
    await expect(closed).resolves.toEqual({ code: 1000, reason: 'done', wasClean: true, cause: 'normal' });
    expect(log.slice(-4)).toEqual(['state closing.draining', 'state closing.handshake', 'close 1000 "done" normal clean', 'state closed']);
  });

  it('goes straight to the handshake when nothing is buffered', async () => {
    const { connection, memory } = setup();
    memory.socket.accept();
    void connection.close();
    await Promise.resolve(); // the transport reports the drain in a later microtask
    expect(connection.state).toBe('closing.handshake');
  });

  it('drops the socket and reports what it never wrote out when the drain times out', async () => {
    const { clock, connection, memory, log } = setup({ drainTimeout: 500 });
    memory.socket.accept();
    connection.send('first');
    connection.send('second');
    memory.socket.flush(5);
    void connection.close();
    clock.advance(500);
    expect(memory.socket.phase).toBe('terminated');
    expect(log.slice(-3)).toEqual(['undelivered second drain-timeout', 'close 1006 drain-timeout unclean', 'state closed']);
    expect(written(memory)).toEqual(['first']);
    expect(clock.pendingTimers).toBe(0);
    await expect(connection.closed).resolves.toMatchObject({ cause: 'drain-timeout' });
  });

  it('drops the socket when the peer never completes the closing handshake', async () => {
    const { clock, connection, memory } = setup({ closeTimeout: 200 });
    memory.socket.accept();
    void connection.close(1000);
    await Promise.resolve();
    clock.advance(200);
    await expect(connection.closed).resolves.toEqual({ code: 1006, reason: '', wasClean: false, cause: 'close-timeout' });
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('open', () => {
  it('delivers messages only while open', () => {
    const { connection, memory, log } = setup();
    memory.socket.accept();
    memory.socket.deliver('hello');
    void connection.close();
    memory.socket.deliver('after close()');
    expect(log.filter((line) => line.startsWith('message'))).toEqual(['message hello']);
  });

  // A drop is worth another attempt, but what the dead socket held is not carried over: it may
  // or may not have reached the server (at most once), so the app hears of it and decides.
  it('reports data still unsent when the connection drops as connection-lost, then waits to reconnect', () => {
    const { connection, memory, log } = setup();
    memory.socket.accept();
    connection.send('lost');
    memory.socket.drop({ withError: true });
    expect(log.slice(-5)).toEqual([
      'error connection-lost',
      'state closing.handshake',
      'undelivered lost connection-lost',
      'close 1006 connection-lost unclean (will reconnect)',
      'state reconnecting',
    ]);
    expect(connection.queuedMessages).toBe(0);
  });

  it('passes a server close code and reason through, and gives up on an application code', async () => {
    const { connection, memory, log } = setup();
    memory.socket.accept();
    memory.socket.completeClose(4001, 'bye');
    expect(log.slice(-3)).toEqual(['close 4001 "bye" normal clean', 'giveup not-retryable after 4001 "bye" normal clean', 'state gaveUp']);
    await expect(connection.closed).resolves.toEqual({ code: 4001, reason: 'bye', wasClean: true, cause: 'normal' });
  });

  it('reports sends after close as closed', () => {
    const { connection, memory, log } = setup({ reconnect: false });
    memory.socket.refuse();
    expect(connection.send('too late')).toBe(false);
    expect(log.at(-1)).toBe('undelivered too late closed');
  });

  it('records the subprotocol and extensions the server selected', () => {
    const { connection, memory } = setup({ protocols: ['v1', 'v2'] });
    expect(memory.socket.request.protocols).toEqual(['v1', 'v2']);
    memory.socket.accept('v2', 'permessage-deflate');
    expect([connection.protocol, connection.extensions]).toEqual(['v2', 'permessage-deflate']);
  });
});

describe('argument errors change nothing', () => {
  it('throws a TypeError for data send() cannot take', () => {
    const { connection } = setup();
    expect(() => connection.send(42 as never)).toThrow(
      new TypeError('Expected data to be a string, an ArrayBuffer, an ArrayBufferView or a Blob, got 42 (number)'),
    );
    expect(connection.queuedMessages).toBe(0);
  });

  it('throws for close codes and reasons the standard forbids, and stays connecting', () => {
    const { connection } = setup();
    for (const code of [999, 1001, 2999, 5000]) {
      expect(() => connection.close(code)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    }
    expect(() => connection.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(connection.state).toBe('connecting');
  });

  it('names the option, the value and what was expected', () => {
    expect(() => createConnection('ws://x.test', { maxQueuedBytes: -1 })).toThrow(
      new TypeError('Expected `maxQueuedBytes` to be a non-negative integer, got -1 (number)'),
    );
    expect(() => createConnection('ws://x.test', { binaryType: 'nodebuffer' as never })).toThrow(/`binaryType`.*"nodebuffer"/);
    expect(() => createConnection('ws://x.test', { bogus: 1 } as never)).toThrow(/Unknown option `bogus`/);
  });

  it('refuses a minReconnectDelay of 0, whose backoff would never grow: reconnects back to back', () => {
    expect(() => createConnection('ws://x.test', { minReconnectDelay: 0 })).toThrow(
      new TypeError(
        'Expected `minReconnectDelay` to be a number of milliseconds between 1 and 2147483647 (with 0 the backoff never grows: reconnects follow each other with no wait), got 0 (number)',
      ),
    );
    expect(() => createConnection('ws://x.test', { minReconnectDelay: 0.5 })).toThrow(/`minReconnectDelay`.*got 0.5 \(number\)/);
    expect(() =>
      createConnection('ws://x.test', { minReconnectDelay: 1, maxReconnectDelay: 1, transport: createMemoryTransport().transport }),
    ).not.toThrow();
  });
});

describe('close arguments', () => {
  it('sends a reason given without a code with code 1000, as the standard does', () => {
    const { connection, memory } = setup();
    memory.socket.accept();
    void connection.close(undefined, 'bye');
    return Promise.resolve().then(() => expect(memory.socket.closeRequest).toEqual({ code: 1000, reason: 'bye' }));
  });

  it('checks the URL before the subprotocols', () => {
    expect(() => createConnection('ftp://example.test/', { protocols: ['a', 'a'] })).toThrow(/scheme "ftp:"/);
    expect(() => createConnection('ws://example.test/', { protocols: 123 as never })).toThrow(
      new TypeError('Expected `protocols` to be a string or an array of strings, got 123 (number)'),
    );
  });
});

describe('transports that report synchronously', () => {
  it('hears a report made from inside close() only after the transition, in order', async () => {
    const memory = createMemoryTransport();
    // Some sockets (undici's, for one) fail a connecting socket synchronously inside close().
    const eager: Transport = (request, handlers) => {
      const socket = memory.transport(request, handlers);
      const close = socket.close.bind(socket);
      socket.close = (code, reason) => {
        close(code, reason);
        socket.completeAbort();
      };
      return socket;
    };
    const connection = createConnection('ws://example.test/', { transport: eager, clock: new SimulatedClock() });
    const log = record(connection, { without: ['reconnecting'] });
    void connection.close();
    expect(connection.readyState).toBe(2);
    expect(log).toEqual(['state connecting', 'state closing.aborting']);
    await connection.closed;
    expect(log).toEqual(['state connecting', 'state closing.aborting', 'error aborted', 'close 1006 aborted unclean', 'state closed']);
  });
});

describe('reports that arrive while the connection is busy', () => {
  /** A transport whose sockets echo every message from inside `send()`, as a loopback might. */
  function echoing(memory: ReturnType<typeof createMemoryTransport>): Transport {
    return (request, handlers) => {
      const socket = memory.transport(request, handlers);
      const send = socket.send.bind(socket);
      socket.send = (data, bytes, original) => {
        send(data, bytes, original);
        handlers.message(`echo ${data as string}`);
      };
      return socket;
    };
  }

  it('delivers a message reported from inside send() after send() returns, and one arriving behind it after it', async () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://example.test/', { transport: echoing(memory), clock: new SimulatedClock() });
    const log = record(connection, { without: ['state'] });
    memory.socket.accept();
    connection.send('a');
    expect(log).toEqual(['open']); // held: send() is a step of the machine
    memory.socket.deliver('b'); // behind the held echo
    expect(log).toEqual(['open']);
    await Promise.resolve();
    expect(log).toEqual(['open', 'message echo a', 'message b']);
  });

  it('delivers a message that arrives from inside a listener after the events already waiting', () => {
    const { connection, memory, log } = setup();
    connection.on('open', () => memory.socket.deliver('hello'));
    memory.socket.accept();
    expect(log).toEqual(['state connecting', 'open', 'state open', 'message hello']);
  });

  it('hands its observer exactly the events the listeners hear, in order', () => {
    const { connection, memory, log } = setup();
    const observed: string[] = [];
    connection[observe]({ observe: (type) => observed.push(type) });
    memory.socket.accept();
    memory.socket.deliver('hi');
    memory.socket.completeClose(1000, '');
    expect(observed).toEqual(log.map((line) => line.split(' ')[0]));
    expect(observed).toEqual(['state', 'open', 'state', 'message', 'close', 'giveup', 'state']);
  });
});

describe('binaryType', () => {
  it('applies a change to the current socket, and to one created later', async () => {
    let giveUrl!: (url: string) => void;
    const memory = createMemoryTransport();
    const connection = createConnection(() => new Promise<string>((resolve) => (giveUrl = resolve)), {
      transport: memory.transport,
      clock: new SimulatedClock(),
    });
    expect(connection.binaryType).toBe('arraybuffer');
    connection.binaryType = 'blob'; // no socket yet: its URL is pending
    giveUrl('ws://example.test/');
    await new Promise((resolve) => setImmediate(resolve));
    expect([memory.socket.request.binaryType, memory.socket.binaryType]).toEqual(['blob', 'blob']);
    connection.binaryType = 'arraybuffer';
    expect([connection.binaryType, memory.socket.binaryType]).toEqual(['arraybuffer', 'arraybuffer']);
  });

  it('refuses anything but "blob" or "arraybuffer", naming the value, and keeps the one it had', () => {
    const { connection, memory } = setup({ binaryType: 'blob' });
    expect(thrown(() => (connection.binaryType = 'nodebuffer' as BinaryType))).toBe(
      'TypeError: Expected `binaryType` to be "blob" or "arraybuffer", got "nodebuffer" (string)',
    );
    expect([connection.binaryType, memory.socket.binaryType]).toEqual(['blob', 'blob']);
  });
});

describe('the initial state', () => {
  it('reports the state the connection starts in to a listener attached right after createConnection, in a microtask', async () => {
    const { log } = setup();
    expect(log).toEqual([]); // not from inside createConnection: no listener could hear it
    await Promise.resolve();
    expect(log).toEqual(['state connecting']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['state connecting']); // once
  });

  it('reports it before any other event, even one delivered before that microtask', () => {
    const { connection, memory, log } = setup({ maxQueuedBytes: 1 });
    connection.send('too big');
    memory.socket.accept();
    expect(log).toEqual(['state connecting', 'undelivered too big queue-full', 'open', 'state open']);
  });

  it('reports it before a message that arrives before that microtask', () => {
    const { memory, log } = setup();
    memory.socket.accept();
    memory.socket.deliver('hello');
    expect(log).toEqual(['state connecting', 'open', 'state open', 'message hello']);
  });

  it('reports it when an inspector runs the connection from the start, and not to a listener attached later', async () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://example.test/', {
      transport: memory.transport,
      clock: new SimulatedClock(),
      inspect: () => {},
    });
    const log = record(connection);
    await Promise.resolve();
    const late = record(connection);
    memory.socket.accept();
    expect(log).toEqual(['state connecting', 'open', 'state open']);
    expect(late).toEqual(['open', 'state open']);
  });
});

describe('inspection', () => {
  it('passes the inspect option to the actor, which reports every snapshot', () => {
    const values: unknown[] = [];
    const memory = createMemoryTransport();
    createConnection('ws://user:secret@example.test/?token=abc', {
      transport: memory.transport,
      clock: new SimulatedClock(),
      inspect: (event) => {
        if (event.type === '@xstate.snapshot') values.push((event.snapshot as unknown as { value: unknown }).value);
      },
    });
    memory.socket.accept();
    expect(values).toEqual(['connecting', 'open']);
  });

  it('creates its actor on first access, and steps the connection with that one from then on', () => {
    const { connection, memory } = setup();
    const actor = connection.actor;
    expect(connection.actor).toBe(actor);
    memory.socket.accept();
    expect(actor.getSnapshot().value).toBe('open');
  });

  it('refuses a send through the actor at once, and goes on stepping the connection with it', () => {
    const { connection, memory } = setup();
    const actor = connection.actor;
    memory.socket.accept();
    const send = () => actor.send({ type: 'user.send', bytes: 1, bufferedBytes: 0 } as never);
    expect(thrown(send)).toBe('TypeError: connection.actor.send() cannot take "user.send": send messages with connection.send(data)');
    expect(actor.getSnapshot().status).toBe('active');
    expect(connection.send('after')).toBe(true);
    memory.socket.flush();
    expect(written(memory)).toEqual(['after']);
    actor.send({ type: 'user.close', code: 1000, reason: 'bye' });
    expect([connection.readyState, actor.getSnapshot().status]).toEqual([2, 'active']);
  });

  it('keeps credentials and the query out of the context inspectors see', () => {
    const { actor } = createConnection('ws://user:secret@example.test/path?token=abc', {
      transport: createMemoryTransport().transport,
      clock: new SimulatedClock(),
    });
    expect(actor.getSnapshot().context.url).toBe('ws://REDACTED:REDACTED@example.test/path?REDACTED');
  });
});
