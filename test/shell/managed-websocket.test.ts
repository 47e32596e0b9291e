import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type ServerOptions, type WebSocket as ServerSocket } from 'ws';
import { CloseEvent, Connection, ManagedWebSocket, UndeliveredEvent, type BinaryType } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';
import { refusedPort } from '../support/loopback.js';

interface Received {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** A real `ws` server on loopback, port 0: it echoes every message and records what it received. */
interface TestServer {
  readonly url: string;
  readonly origin: string;
  readonly wss: WebSocketServer;
  /** Resolves with the first `count` messages received, once they have all arrived. */
  received(count: number): Promise<Received[]>;
  /** Resolves with the next server-side socket. */
  nextConnection(): Promise<ServerSocket>;
}

const servers: WebSocketServer[] = [];
const clients: ManagedWebSocket[] = [];

async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(wss);
  await once(wss, 'listening');
  const messages: Received[] = [];
  const waiters = new Set<() => void>();
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer, isBinary) => {
      messages.push({ data, isBinary });
      socket.send(data, { binary: isBinary });
      for (const waiter of waiters) waiter();
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/path?q=1`,
    origin: `ws://127.0.0.1:${port}`,
    wss,
    received: (count) =>
      new Promise((resolve) => {
        const check = () => {
          if (messages.length < count) return;
          waiters.delete(check);
          resolve(messages.slice(0, count));
        };
        waiters.add(check);
        check();
      }),
    nextConnection: async () => ((await once(wss, 'connection')) as [ServerSocket])[0],
  };
}

/** Creates a socket that the test cleanup waits for. */
function connect(...args: ConstructorParameters<typeof ManagedWebSocket>): ManagedWebSocket {
  const ws = new ManagedWebSocket(...args);
  clients.push(ws);
  return ws;
}

async function opened(ws: ManagedWebSocket): Promise<ManagedWebSocket> {
  await once(ws, 'open');
  return ws;
}

/** The next `count` messages' data. */
function messages(ws: ManagedWebSocket, count: number): Promise<unknown[]> {
  const data: unknown[] = [];
  return new Promise((resolve) => {
    const listener = (event: MessageEvent) => {
      data.push(event.data);
      if (data.length < count) return;
      ws.removeEventListener('message', listener);
      resolve(data);
    };
    ws.addEventListener('message', listener);
  });
}

async function nextClose(ws: ManagedWebSocket): Promise<CloseEvent> {
  return ((await once(ws, 'close')) as [CloseEvent])[0];
}

/** Records each event as `type@readyState`, the readyState read while it is dispatched. */
function record(ws: ManagedWebSocket): string[] {
  const log: string[] = [];
  for (const type of ['open', 'message', 'error', 'undelivered', 'close']) {
    ws.addEventListener(type, () => log.push(`${type}@${ws.readyState}`));
  }
  return log;
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to throw');
}

function expectDomException(action: () => unknown, name: string): DOMException {
  const error = thrown(action);
  expect(error).toBeInstanceOf(DOMException);
  expect((error as DOMException).name).toBe(name);
  return error as DOMException;
}

afterEach(async () => {
  for (const wss of servers.splice(0)) {
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
  await Promise.all(clients.splice(0).map((ws) => ws.connection.closed));
});

describe('ManagedWebSocket constants and properties', () => {
  it('has read-only readyState constants on the class and on the prototype, as WebIDL constants', async () => {
    const names = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;
    names.forEach((name, value) => {
      for (const target of [ManagedWebSocket, ManagedWebSocket.prototype]) {
        expect(Object.getOwnPropertyDescriptor(target, name)).toEqual({ value, writable: false, enumerable: true, configurable: false });
      }
    });
    const ws = connect((await startServer()).url);
    expect([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(Object.hasOwn(ws, 'OPEN')).toBe(false);
    expect(() => ((ws as { OPEN: number }).OPEN = 5)).toThrow(TypeError);
  });

  it('exposes its Connection read-only', async () => {
    const ws = connect((await startServer()).url);
    expect(ws.connection).toBeInstanceOf(Connection);
    expect(() => ((ws as { connection: unknown }).connection = null)).toThrow(TypeError);
  });

  it('rewrites http: to ws: and https: to wss: in url', async () => {
    const server = await startServer();
    expect(connect(server.url.replace('ws:', 'http:')).url).toBe(server.url);
    const secure = connect(`https://127.0.0.1:${await refusedPort()}/a`);
    expect(secure.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/a$/);
  });
});

describe('new ManagedWebSocket() validation', () => {
  it.each([
    ['an unparsable URL', 'not a url'],
    ['a relative URL', '/path'],
    ['the ftp: scheme', 'ftp://127.0.0.1/'],
    ['a fragment', 'ws://127.0.0.1/#frag'],
    ['an empty fragment', 'ws://127.0.0.1/#'],
  ])('throws a SyntaxError DOMException for %s', (_, url) => {
    expectDomException(() => new ManagedWebSocket(url), 'SyntaxError');
  });

  it.each([
    ['a subprotocol that is not a token', ['chat v2']],
    ['an empty subprotocol', ''],
    ['duplicate subprotocols', ['chat', 'json', 'chat']],
  ] as const)('throws a SyntaxError DOMException for %s', (_, protocols) => {
    expectDomException(() => new ManagedWebSocket('ws://127.0.0.1:1/', protocols as string | string[]), 'SyntaxError');
  });

  it('checks the URL before the subprotocols, in the order of the standard', () => {
    expect(expectDomException(() => new ManagedWebSocket('ftp://127.0.0.1/', ['a', 'a']), 'SyntaxError').message).toMatch(/scheme/);
  });
});

describe('ManagedWebSocket events', () => {
  it('calls onopen, onmessage and onclose with the socket as this', async () => {
    const ws = connect((await startServer()).url);
    const calls: string[] = [];
    ws.onopen = function (event) {
      calls.push(`open ${String(this === ws)} ${event.type}`);
      ws.send('ping');
    };
    ws.onmessage = function (event) {
      calls.push(`message ${String(this === ws)} ${event.data as string}`);
      ws.close();
    };
    ws.onclose = function (event) {
      calls.push(`close ${String(this === ws)} ${event.code}`);
    };
    await ws.connection.closed;
    expect(calls).toEqual(['open true open', 'message true ping', 'close true 1005']);
  });

  it('runs an on… handler where it was first set among addEventListener listeners, until it is set to null', async () => {
    const ws = await opened(connect((await startServer()).url));
    const calls: string[] = [];
    const handler = (name: string) => () => calls.push(name);
    ws.addEventListener('message', handler('A'));
    ws.onmessage = handler('H1');
    ws.addEventListener('message', handler('B'));
    const roundTrip = async () => {
      ws.send('x');
      await once(ws, 'message');
      return calls.splice(0);
    };
    expect(await roundTrip()).toEqual(['A', 'H1', 'B']);
    ws.onmessage = handler('H2'); // replaces H1 in its place
    expect(await roundTrip()).toEqual(['A', 'H2', 'B']);
    ws.onmessage = null;
    expect(ws.onmessage).toBeNull();
    expect(await roundTrip()).toEqual(['A', 'B']);
    ws.onmessage = handler('H3'); // a new listener, last
    expect(await roundTrip()).toEqual(['A', 'B', 'H3']);
    ws.onmessage = 'not a function' as never; // [LegacyTreatNonObjectAsNull]
    expect(ws.onmessage).toBeNull();
    expect(await roundTrip()).toEqual(['A', 'B']);
  });

  it('fires message events as MessageEvents whose origin is the URL origin', async () => {
    const server = await startServer();
    const ws = await opened(connect(server.url));
    ws.send('hi');
    const [event] = (await once(ws, 'message')) as [MessageEvent];
    expect(event).toBeInstanceOf(MessageEvent);
    expect(event.origin).toBe(server.origin);
  });
});

describe('ManagedWebSocket send()', () => {
  it('echoes text, an ArrayBuffer, a view at a byte offset and a Blob, the server receiving exactly their bytes', async () => {
    const server = await startServer();
    const ws = await opened(connect(server.url));
    ws.binaryType = 'arraybuffer';
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const replies = messages(ws, 4);
    ws.send('héllo');
    ws.send(new Uint8Array([10, 11, 12]).buffer);
    ws.send(new Uint8Array(backing.buffer, 2, 3));
    ws.send(new Blob([new Uint8Array([9, 8, 7])]));
    const received = await server.received(4);
    expect(received.map(({ data, isBinary }) => [isBinary, [...data]])).toEqual([
      [false, [...Buffer.from('héllo')]],
      [true, [10, 11, 12]],
      [true, [2, 3, 4]],
      [true, [9, 8, 7]],
    ]);
    const [text, ...binary] = await replies;
    expect(text).toBe('héllo');
    expect(binary.map((data) => [...new Uint8Array(data as ArrayBuffer)])).toEqual([
      [10, 11, 12],
      [2, 3, 4],
      [9, 8, 7],
    ]);
  });

  it('queues messages sent while connecting and delivers them in order on open', async () => {
    const server = await startServer();
    const ws = connect(server.url);
    ws.send('first');
    ws.send(new Uint8Array([1, 2]));
    ws.send('é');
    expect(ws.readyState).toBe(ManagedWebSocket.CONNECTING);
    expect(ws.bufferedAmount).toBe(5 + 2 + 2);
    const received = await server.received(3);
    expect(received.map(({ data }) => [...data])).toEqual([[...Buffer.from('first')], [1, 2], [...Buffer.from('é')]]);
  });

  it('reports messages sent after close() through undelivered, without throwing', async () => {
    const ws = await opened(connect((await startServer()).url));
    const undelivered: UndeliveredEvent[] = [];
    ws.onundelivered = (event) => undelivered.push(event);
    ws.close();
    const late = new Uint8Array([1]);
    ws.send(late);
    await nextClose(ws);
    ws.send('later');
    expect(undelivered.every((event) => event instanceof UndeliveredEvent)).toBe(true);
    expect(undelivered.map(({ data, reason }) => [data, reason])).toEqual([
      [late, 'closing'],
      ['later', 'closed'],
    ]);
    expect(undelivered[0]?.data).toBe(late);
  });

  it('sends any other value as its string conversion, as WebSocket does, and throws a TypeError for a Symbol', async () => {
    const server = await startServer();
    const ws = connect(server.url);
    expect(() => ws.send(Symbol('data') as never)).toThrow(TypeError);
    expect(ws.bufferedAmount).toBe(0);
    ws.send(null as never);
    ws.send(42 as never);
    expect(ws.bufferedAmount).toBe(4 + 2);
    const received = await server.received(2);
    expect(received.map(({ data }) => data.toString())).toEqual(['null', '42']);
  });
});

describe('ManagedWebSocket binaryType and protocol', () => {
  it("delivers binary messages as Blobs by default and as ArrayBuffers after binaryType = 'arraybuffer'", async () => {
    const ws = await opened(connect((await startServer()).url));
    expect(ws.binaryType).toBe('blob');
    ws.binaryType = 'nonsense' as never; // an enumeration attribute ignores invalid values
    expect(ws.binaryType).toBe('blob');
    ws.send(new Uint8Array([1, 2, 3]));
    const [blob] = await messages(ws, 1);
    expect(blob).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (blob as Blob).arrayBuffer())]).toEqual([1, 2, 3]);
    ws.binaryType = 'arraybuffer';
    ws.send(new Uint8Array([4, 5]));
    const [buffer] = await messages(ws, 1);
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(buffer as ArrayBuffer)]).toEqual([4, 5]);
  });

  it('reports the subprotocol the server selected, and no extensions', async () => {
    const server = await startServer({ handleProtocols: (offered) => (offered.has('v2') ? 'v2' : false) });
    const ws = connect(server.url, ['v1', 'v2']);
    expect(ws.protocol).toBe('');
    await opened(ws);
    expect(ws.protocol).toBe('v2');
    expect(ws.extensions).toBe('');
  });
});

describe('ManagedWebSocket close()', () => {
  it('closes with the given code and reason: CLOSING at once, then a clean CloseEvent', async () => {
    const server = await startServer();
    const serverSocket = server.nextConnection();
    const ws = await opened(connect(server.url));
    const serverClose = once(await serverSocket, 'close') as Promise<[number, Buffer]>;
    ws.close(4000, 'done');
    expect(ws.readyState).toBe(ManagedWebSocket.CLOSING);
    const log = record(ws);
    const event = await nextClose(ws);
    expect(event).toBeInstanceOf(CloseEvent);
    expect([event.code, event.reason, event.wasClean]).toEqual([4000, 'done', true]);
    expect(log).toEqual(['close@3']);
    const [code, reason] = await serverClose;
    expect([code, reason.toString()]).toEqual([4000, 'done']);
  });

  it("passes a server's close code and reason through", async () => {
    const server = await startServer();
    server.wss.on('connection', (socket) => socket.close(4001, 'bye'));
    const ws = connect(server.url);
    const event = await nextClose(ws);
    expect([event.code, event.reason, event.wasClean]).toEqual([4001, 'bye', true]);
  });

  it.each([
    ['code 999', 999, undefined, 'InvalidAccessError'],
    ['code 1001', 1001, undefined, 'InvalidAccessError'],
    ['code 2999', 2999, undefined, 'InvalidAccessError'],
    ['code 5000', 5000, undefined, 'InvalidAccessError'],
    ['a reason of 124 UTF-8 bytes', 1000, 'é'.repeat(62), 'SyntaxError'],
  ])('throws for %s and changes nothing', async (_, code, reason, name) => {
    const ws = await opened(connect((await startServer()).url));
    expectDomException(() => ws.close(code, reason), name);
    expect(ws.readyState).toBe(ManagedWebSocket.OPEN);
    ws.send('still open');
    expect(await messages(ws, 1)).toEqual(['still open']);
  });

  it('accepts a reason of exactly 123 UTF-8 bytes', async () => {
    const ws = await opened(connect((await startServer()).url));
    const reason = `${'é'.repeat(61)}a`;
    ws.close(1000, reason);
    expect((await nextClose(ws)).reason).toBe(reason);
  });

  it('aborts a connecting socket: CLOSING at once, then error, then close 1006, never open', async () => {
    const ws = connect((await startServer()).url);
    const log = record(ws);
    ws.close();
    expect(ws.readyState).toBe(ManagedWebSocket.CLOSING);
    const event = await nextClose(ws);
    expect(log).toEqual(['error@3', 'close@3']);
    expect([event.code, event.reason, event.wasClean]).toEqual([1006, '', false]);
  });
});

describe('ManagedWebSocket connection failures', () => {
  it('fires error, then undelivered for each queued message, then close 1006, all while CLOSED', async () => {
    const ws = connect(`ws://127.0.0.1:${await refusedPort()}/`);
    const log = record(ws);
    const errors: Event[] = [];
    ws.onerror = (event) => errors.push(event);
    const undelivered: [unknown, string][] = [];
    ws.onundelivered = ({ data, reason }) => undelivered.push([data, reason]);
    ws.send('lost');
    const event = await nextClose(ws);
    expect(log).toEqual(['error@3', 'undelivered@3', 'close@3']);
    expect(errors[0]?.constructor).toBe(Event);
    expect(undelivered).toEqual([['lost', 'closed-before-open']]);
    expect([event.code, event.reason, event.wasClean]).toEqual([1006, '', false]);
  });
});

describe('CloseEvent and UndeliveredEvent', () => {
  it('gives CloseEvent the standard defaults and read-only attributes', () => {
    const empty = new CloseEvent('close');
    expect([empty.code, empty.reason, empty.wasClean]).toEqual([0, '', false]);
    const event = new CloseEvent('close', { code: 4000, reason: 'done', wasClean: true });
    expect([event.type, event.code, event.reason, event.wasClean]).toEqual(['close', 4000, 'done', true]);
    expect(() => ((event as { code: number }).code = 1)).toThrow(TypeError);
  });

  it.each([
    [1000, 1000],
    [65536 + 1001, 1001],
    [-1, 65535],
    [-65536, 0],
    [1000.9, 1000],
    [-0.5, 0],
    [NaN, 0],
    [Infinity, 0],
    ['4000', 4000],
  ])('converts the code %j as WebIDL unsigned short does, to %i', (code, expected) => {
    const event = new CloseEvent('close', { code: code as number });
    expect(Object.is(event.code, expected)).toBe(true);
  });

  it('carries the undelivered data and reason', () => {
    const data = new Uint8Array([1]);
    const event = new UndeliveredEvent('undelivered', { data, reason: 'closed' });
    expect(event).toBeInstanceOf(Event);
    expect([event.type, event.data, event.reason]).toEqual(['undelivered', data, 'closed']);
  });
});

describe('ManagedWebSocket argument conversions and handler attributes, on the in-memory transport', () => {
  function open(protocols?: unknown) {
    const memory = createMemoryTransport();
    const ws = new ManagedWebSocket('ws://example.test/', protocols as string[], {
      transport: memory.transport,
      clock: new SimulatedClock(),
    });
    return { memory, ws };
  }

  it('requires the URL, and send() its data, naming the operation', () => {
    expect(String(thrown(() => Reflect.construct(ManagedWebSocket, [])))).toBe(
      "TypeError: Failed to construct 'ManagedWebSocket': 1 argument required, but only 0 present.",
    );
    const { ws } = open();
    expect(String(thrown(() => (ws.send as () => void).call(ws)))).toBe(
      "TypeError: Failed to execute 'send' on 'ManagedWebSocket': 1 argument required, but only 0 present.",
    );
    expect(ws.bufferedAmount).toBe(0);
  });

  it.each([
    [undefined, []],
    [null, ['null']],
    ['chat', ['chat']],
    [new Set(['a', 'b']), ['a', 'b']],
  ])('offers the subprotocols %j as %j', (protocols, offered) => {
    expect(open(protocols).memory.socket.request.protocols).toEqual(offered);
  });

  it('ignores an options argument that is not an object, as WebIDL ignores an extra argument', () => {
    const ws = new ManagedWebSocket('ws://127.0.0.1:9/', [], 'reconnect' as never);
    expect(ws.readyState).toBe(ManagedWebSocket.CONNECTING);
    ws.close();
  });

  it("takes 'blob' and 'arraybuffer' for binaryType, and ignores anything else", () => {
    const { memory, ws } = open();
    expect(ws.binaryType).toBe('blob');
    ws.binaryType = 'arraybuffer';
    ws.binaryType = 'nodebuffer' as BinaryType;
    expect([ws.binaryType, memory.socket.binaryType]).toEqual(['arraybuffer', 'arraybuffer']);
    ws.binaryType = 'blob';
    expect(ws.binaryType).toBe('blob');
  });

  it('reads each on… attribute back: null until set, the value set, null again for a non-object', () => {
    const { ws } = open();
    const names = ['onopen', 'onmessage', 'onerror', 'onclose', 'onundelivered', 'onbackpressure', 'onready'] as const;
    const target = ws as unknown as Record<(typeof names)[number], unknown>;
    for (const name of names) {
      expect(target[name], name).toBeNull();
      target[name] = null; // nothing to remove
      const handler = () => {};
      target[name] = handler;
      expect(target[name], name).toBe(handler);
      target[name] = 42;
      expect(target[name], name).toBeNull();
    }
  });

  it('keeps a non-callable object as a handler, which does nothing', () => {
    const { memory, ws } = open();
    const heard: string[] = [];
    const handler = { handleEvent: () => heard.push('handleEvent') };
    ws.onmessage = handler as never;
    ws.addEventListener('message', () => heard.push('listener'));
    memory.socket.accept();
    memory.socket.deliver('hi');
    expect(ws.onmessage).toBe(handler);
    expect(heard).toEqual(['listener']);
  });

  it('fires error for a dropped connection right before its close, while CLOSED', () => {
    const { memory, ws } = open();
    const heard: string[] = [];
    ws.onerror = () => heard.push(`error ${ws.readyState}`);
    ws.onclose = () => heard.push(`close ${ws.readyState}`);
    memory.socket.accept();
    memory.socket.drop({ withError: true });
    expect(heard).toEqual(['error 3', 'close 3']);
  });
});
