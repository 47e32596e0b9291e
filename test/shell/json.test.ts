/**
 * Typed JSON messaging over a Connection (in-memory transport, simulated clock): objects out as
 * JSON text, inbound JSON dispatched by `type`, and every way an inbound message can be
 * malformed reported as a `parse-error` with the raw data while the connection stays open.
 */
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createConnection, jsonChannel, ManagedWebSocket, type JsonParseError, type TypedMessage } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

/** The chat protocol of MDN's "Writing WebSocket client applications", as the server speaks it. */
type ServerMessage =
  | { type: 'id'; id: number }
  | { type: 'message'; id: number; name: string; text: string; date: number }
  | { type: 'rejectusername'; id: number; name: string }
  | { type: 'userlist'; users: string[] };
type ClientMessage =
  { type: 'username'; id: number; name: string; date: number } | { type: 'message'; id: number; text: string; date: number };

function setup() {
  const memory = createMemoryTransport();
  const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock: new SimulatedClock() });
  const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
  const parseErrors: JsonParseError[] = [];
  chat.onParseError((error) => parseErrors.push(error));
  return { memory, connection, chat, parseErrors };
}

const text = (memory: ReturnType<typeof createMemoryTransport>) => memory.socket.written.map(({ data }) => data);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sending', () => {
  it('sends objects as JSON text, queued while connecting and flushed in order on open', () => {
    const { memory, connection, chat } = setup();
    expect(chat.send({ type: 'username', id: 1, name: 'alice', date: 5 })).toBe(true);
    expect(connection.queuedMessages).toBe(1);
    memory.socket.accept();
    chat.send({ type: 'message', id: 1, text: 'hi', date: 6 });
    memory.socket.flush();
    expect(text(memory)).toEqual(['{"type":"username","id":1,"name":"alice","date":5}', '{"type":"message","id":1,"text":"hi","date":6}']);
  });

  it('throws a TypeError for what is not a typed message or JSON cannot encode, and sends nothing', () => {
    const { memory, connection, chat } = setup();
    const cyclic: Record<string, unknown> = { type: 'message' };
    cyclic.self = cyclic;
    const bad: unknown[] = [
      null,
      'text',
      [1],
      { text: 'no type' },
      { type: 7 },
      cyclic,
      { type: 'message', n: 1n },
      { type: 'message', toJSON: () => undefined },
    ];
    for (const value of bad) expect(() => chat.send(value as ClientMessage), String(value)).toThrow(TypeError);
    expect(connection.queuedMessages).toBe(0);
    memory.socket.accept();
    memory.socket.flush();
    expect(text(memory)).toEqual([]);
  });

  it('reports a message the connection refuses through undelivered, with its JSON text', () => {
    const { connection, chat } = setup();
    const undelivered: unknown[] = [];
    connection.on('undelivered', ({ data, reason }) => undelivered.push([data, reason]));
    void connection.close();
    expect(chat.send({ type: 'message', id: 1, text: 'late', date: 0 })).toBe(false);
    expect(undelivered).toEqual([['{"type":"message","id":1,"text":"late","date":0}', 'closing']]);
  });
});

describe('error messages', () => {
  it("name what send() was given and what it expects, with JSON's own error as the cause", () => {
    const { chat } = setup();
    const expected = (got: string) => `Expected a message object with a string \`type\`, got ${got}`;
    const cases: [unknown, string][] = [
      [null, expected('null')],
      ['text', expected('"text" (string)')],
      [Object.assign([1], { type: 'message' }), expected('an object of type Array')],
      [{ text: 'no type' }, expected('an object of type Object')],
      [{ type: 7 }, expected('an object of type Object')],
      [{ type: 'message', n: 1n }, 'Expected a message JSON can encode: Do not know how to serialize a BigInt'],
      [{ type: 'message', toJSON: () => undefined }, 'Expected a message JSON can encode, got an object of type Object'],
    ];
    for (const [value, message] of cases) expect(() => chat.send(value as ClientMessage), message).toThrow(new TypeError(message));
    let thrown: unknown;
    try {
      chat.send({ type: 'message', n: 1n } as unknown as ClientMessage);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).cause).toBeInstanceOf(TypeError);
  });

  it('say why each inbound message is not a message, naming its kind and size', () => {
    const { memory, parseErrors } = setup();
    memory.socket.accept();
    const notAMessage = (got: string) => `Expected a JSON object with a string \`type\`, got ${got}`;
    const cases: [string | ArrayBuffer | Blob, string][] = [
      ['[1,2]', notAMessage('an array')],
      ['null', notAMessage('null')],
      ['42', notAMessage('a number')],
      ['"id"', notAMessage('a string')],
      ['true', notAMessage('a boolean')],
      ['{"id":1}', notAMessage('an object without a string `type`')],
      [new Uint8Array([1, 2, 3]).buffer, 'Expected a text message carrying JSON, got an ArrayBuffer of 3 bytes'],
      [new Blob(['abcd']), 'Expected a text message carrying JSON, got a Blob of 4 bytes'],
    ];
    for (const [data] of cases) memory.socket.deliver(data);
    expect(parseErrors.map(({ error }) => error.message)).toEqual(cases.map(([, message]) => message));
  });

  it('name the type a validate function refused', () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock: new SimulatedClock() });
    const chat = jsonChannel<ServerMessage>(connection, { validate: (message): message is ServerMessage => message.type !== 'id' });
    const errors: string[] = [];
    chat.onParseError(({ error }) => errors.push(error.message));
    memory.socket.accept();
    memory.socket.deliver('{"type":"id","id":1}');
    expect(errors).toEqual(['The message of type "id" failed validation']);
  });

  it('refuse an onListenerError that is not a function, naming the value', () => {
    const { connection } = setup();
    expect(() => jsonChannel(connection, { onListenerError: 5 as never })).toThrow(
      new TypeError('Expected `onListenerError` to be a function, got 5 (number)'),
    );
  });
});

describe('receiving', () => {
  it('dispatches each message to the listeners for its type, narrowed to that member', () => {
    const { memory, chat } = setup();
    const seen: string[] = [];
    chat.on('id', (message) => {
      expectTypeOf(message).toEqualTypeOf<{ type: 'id'; id: number }>();
      seen.push(`id ${message.id}`);
    });
    chat.on('userlist', ({ users }) => seen.push(`users ${users.join(',')}`));
    chat.on('message', ({ name, text }) => seen.push(`${name}: ${text}`));
    memory.socket.accept();
    memory.socket.deliver('{"type":"id","id":3}');
    memory.socket.deliver(JSON.stringify({ type: 'userlist', users: ['alice', 'bob'] }));
    memory.socket.deliver(JSON.stringify({ type: 'message', id: 3, name: 'alice', text: 'hi', date: 1 }));
    memory.socket.deliver(JSON.stringify({ type: 'rejectusername', id: 3, name: 'alice2' })); // nobody listens for this type
    expect(seen).toEqual(['id 3', 'users alice,bob', 'alice: hi']);
  });

  it('gives onMessage listeners every message that parsed, after the listeners for its type', () => {
    const { memory, chat } = setup();
    const seen: string[] = [];
    chat.onMessage((message) => seen.push(`any ${message.type}`));
    chat.on('id', () => seen.push('id'));
    memory.socket.accept();
    memory.socket.deliver('{"type":"id","id":1}');
    memory.socket.deliver('{"type":"somethingnew"}');
    expect(seen).toEqual(['id', 'any id', 'any somethingnew']);
  });

  it('stops a listener when its returned function is called', () => {
    const { memory, chat } = setup();
    const ids: number[] = [];
    const stop = chat.on('id', ({ id }) => ids.push(id));
    memory.socket.accept();
    memory.socket.deliver('{"type":"id","id":1}');
    stop();
    memory.socket.deliver('{"type":"id","id":2}');
    expect(ids).toEqual([1]);
  });

  it("dispatches types that name Object's own properties like any other, without throwing", () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock: new SimulatedClock() });
    type Odd = { type: '__proto__' } | { type: 'toString' } | { type: 'constructor' } | { type: 'hasOwnProperty' };
    const chat = jsonChannel<Odd>(connection);
    const seen: string[] = [];
    chat.on('toString', ({ type }) => seen.push(type));
    chat.onMessage(({ type }) => seen.push(`any ${type}`));
    memory.socket.accept();
    for (const type of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) memory.socket.deliver(JSON.stringify({ type }));
    expect(seen).toEqual(['any __proto__', 'toString', 'any toString', 'any constructor', 'any hasOwnProperty']);
  });

  it('rejects unknown types and wrong payloads at compile time', () => {
    const { chat } = setup();
    // @ts-expect-error the server never sends `username` in this protocol
    chat.on('username', () => {});
    // @ts-expect-error `text` is missing
    expect(() => chat.send({ type: 'message', id: 1, date: 0 })).not.toThrow();
  });
});

describe('malformed messages', () => {
  it('reports text that is not JSON as a parse-error with the raw data, and the connection stays open', () => {
    const { memory, connection, chat, parseErrors } = setup();
    const ids: number[] = [];
    chat.on('id', ({ id }) => ids.push(id));
    memory.socket.accept();
    memory.socket.deliver('{"type":"id",');
    memory.socket.deliver('{"type":"id","id":2}');
    expect(parseErrors).toHaveLength(1);
    expect(parseErrors[0]).toMatchObject({ type: 'parse-error', reason: 'invalid-json', data: '{"type":"id",' });
    expect(parseErrors[0]!.error).toBeInstanceOf(SyntaxError);
    expect(ids).toEqual([2]);
    expect(connection.state).toBe('open');
  });

  it('reports JSON that is not an object with a string type as not-a-message', () => {
    const { memory, parseErrors } = setup();
    memory.socket.accept();
    const inputs = ['[1,2]', 'null', '42', '"id"', '{"id":1}', '{"type":1}'];
    for (const input of inputs) memory.socket.deliver(input);
    expect(parseErrors.map(({ reason, data }) => [reason, data])).toEqual(inputs.map((input) => ['not-a-message', input]));
    expect(parseErrors.every(({ error }) => error instanceof TypeError)).toBe(true);
  });

  it('reports a binary message as binary, carrying the ArrayBuffer as received', () => {
    const { memory, parseErrors } = setup();
    memory.socket.accept();
    const buffer = new Uint8Array([123, 125]).buffer;
    memory.socket.deliver(buffer);
    expect(parseErrors).toHaveLength(1);
    expect(parseErrors[0]!.reason).toBe('binary');
    expect(parseErrors[0]!.data).toBe(buffer);
  });

  it('reports a message the validate function refuses, or throws on, as rejected', () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock: new SimulatedClock() });
    const isServerMessage = (message: TypedMessage): message is ServerMessage => {
      if (message.type === 'boom') throw new RangeError('validator bug');
      return message.type !== 'id' || typeof (message as { id?: unknown }).id === 'number';
    };
    const chat = jsonChannel<ServerMessage, ClientMessage>(connection, { validate: isServerMessage });
    const ids: number[] = [];
    const errors: [string, string][] = [];
    chat.on('id', ({ id }) => ids.push(id));
    chat.onParseError(({ reason, error }) => errors.push([reason, error.name]));
    memory.socket.accept();
    memory.socket.deliver('{"type":"id","id":"seven"}');
    memory.socket.deliver('{"type":"boom"}');
    memory.socket.deliver('{"type":"id","id":7}');
    expect(errors).toEqual([
      ['rejected', 'TypeError'],
      ['rejected', 'RangeError'],
    ]);
    expect(ids).toEqual([7]);
  });

  it('writes a parse error to console.warn while no parse-error listener is registered', () => {
    const memory = createMemoryTransport();
    const clock = new SimulatedClock();
    const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock });
    const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    memory.socket.accept();
    memory.socket.deliver('not json');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/invalid-json.*"not json".*onParseError/);
    const stop = chat.onParseError(() => {});
    memory.socket.deliver('still not json');
    expect(warn).toHaveBeenCalledTimes(1);
    stop();
    clock.advance(10_000); // at most one warning per 10 s
    memory.socket.deliver('x'.repeat(1000));
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]![0]).length).toBeLessThan(500); // the 1000 bytes of data are cut short
    expect(connection.state).toBe('open');
  });
});

/** An open connection with a channel nobody listens to for parse errors, on a simulated clock, and console.warn caught. */
function unheard() {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock });
  jsonChannel<ServerMessage, ClientMessage>(connection);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  memory.socket.accept();
  return { memory, clock, warn };
}

describe('warnings without a parse-error listener', () => {
  // A server that sends garbage in a loop must not flood the log.
  it("warns at most once per 10 s of the connection's clock, then says how many it held back", () => {
    const { memory, clock, warn } = unheard();
    for (const data of ['a', 'b', 'c']) memory.socket.deliver(data);
    expect(warn).toHaveBeenCalledTimes(1);
    clock.advance(9_999);
    memory.socket.deliver('d');
    expect(warn).toHaveBeenCalledTimes(1);
    clock.advance(1);
    memory.socket.deliver('e');
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]![0])).toContain('data: "e" (3 more since the last warning were not shown). ');
    memory.socket.deliver('f');
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('shows text of up to 200 characters whole, longer text cut to 197 and "...", and binary data by its kind', () => {
    const { memory, clock, warn } = unheard();
    const shown = (data: string | ArrayBuffer): string => {
      clock.advance(10_000);
      memory.socket.deliver(data);
      const warning = String(warn.mock.calls.at(-1)![0]);
      return warning.slice(warning.indexOf('; data: ') + 8, warning.indexOf('. At most one'));
    };
    expect(shown('x'.repeat(200))).toBe(JSON.stringify('x'.repeat(200)));
    expect(shown('y'.repeat(201))).toBe(JSON.stringify(`${'y'.repeat(197)}...`));
    expect(shown(new Uint8Array(3).buffer)).toBe('an object of type ArrayBuffer');
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('counts per connection: another connection warns on its own', () => {
    const clock = new SimulatedClock();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (let i = 0; i < 2; i++) {
      const memory = createMemoryTransport();
      jsonChannel(createConnection('ws://chat.test/socket', { transport: memory.transport, clock }));
      memory.socket.accept();
      memory.socket.deliver('not json');
    }
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

describe('listeners that throw', () => {
  // The types promise a shape that nothing checks without `validate`: `text` is null here, and a
  // listener calling `text.toUpperCase()` throws. It used to surface as an uncaught exception,
  // which ends a Node process.
  const NULL_TEXT = '{"type":"message","id":1,"name":"x","text":null,"date":1}';

  it('hand the error to onListenerError with the message, and the channel carries on', () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock: new SimulatedClock() });
    const failures: [unknown, unknown][] = [];
    const chat = jsonChannel<ServerMessage, ClientMessage>(connection, {
      onListenerError: (error, message) => failures.push([error, message]),
    });
    const shouted: string[] = [];
    const seen: string[] = [];
    chat.on('message', ({ text }) => shouted.push(text.toUpperCase()));
    chat.onMessage(({ type }) => seen.push(type));
    chat.onParseError(() => {
      throw new RangeError('a parse-error listener that fails too');
    });
    memory.socket.accept();
    memory.socket.deliver(NULL_TEXT);
    memory.socket.deliver('not json');
    memory.socket.deliver('{"type":"message","id":1,"name":"x","text":"hi","date":1}');
    expect(failures.map(([error, message]) => [(error as Error).name, (message as TypedMessage).type])).toEqual([
      ['TypeError', 'message'],
      ['RangeError', 'parse-error'],
    ]);
    expect(failures[0]![1]).toEqual(JSON.parse(NULL_TEXT));
    expect(shouted).toEqual(['HI']);
    expect(seen).toEqual(['message', 'message']);
    expect(connection.state).toBe('open');
  });

  it('are logged by default with the type of the message, and the channel carries on', async () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://chat.test/socket', { transport: memory.transport, clock: new SimulatedClock() });
    const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ids: number[] = [];
    chat.on('message', ({ text }) => void text.toUpperCase());
    chat.on('id', ({ id }) => ids.push(id));
    memory.socket.accept();
    memory.socket.deliver(NULL_TEXT);
    memory.socket.deliver('{"type":"id","id":4}');
    await Promise.resolve(); // an error rethrown in a microtask, as listeners' errors once were, would surface here
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0]![0])).toMatch(/listener.*"message".*threw/);
    expect(logged.mock.calls[0]![1]).toBeInstanceOf(TypeError);
    expect(ids).toEqual([4]);
  });
});

describe('lifetime', () => {
  it('stops dispatching after dispose, leaving the connection and its raw listeners alone', () => {
    const { memory, connection, chat, parseErrors } = setup();
    const raw: unknown[] = [];
    const ids: number[] = [];
    connection.on('message', (data) => raw.push(data));
    chat.on('id', ({ id }) => ids.push(id));
    memory.socket.accept();
    chat.dispose();
    memory.socket.deliver('{"type":"id","id":1}');
    memory.socket.deliver('garbage');
    expect(ids).toEqual([]);
    expect(parseErrors).toEqual([]);
    expect(raw).toEqual(['{"type":"id","id":1}', 'garbage']);
    expect(connection.state).toBe('open');
  });

  it("works on a ManagedWebSocket's connection, where binary messages arrive as Blobs", () => {
    const memory = createMemoryTransport();
    const socket = new ManagedWebSocket('ws://chat.test/socket', 'json', { transport: memory.transport, clock: new SimulatedClock() });
    const chat = jsonChannel<ServerMessage, ClientMessage>(socket.connection);
    const ids: number[] = [];
    const reasons: [string, string][] = [];
    chat.on('id', ({ id }) => ids.push(id));
    chat.onParseError(({ reason, data }) => reasons.push([reason, data.constructor.name]));
    memory.socket.accept('json');
    memory.socket.deliver('{"type":"id","id":9}');
    memory.socket.deliver(new Blob(['{}']));
    expect(ids).toEqual([9]);
    expect(reasons).toEqual([['binary', 'Blob']]);
    expect(socket.readyState).toBe(1);
  });
});
