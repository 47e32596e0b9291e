/**
 * What the inspector keeps about a connection, in Node with the in-memory transport and a
 * simulated clock: the lifecycle log from creation (no payloads), bounded; the machine's events
 * and the edges of each step only while someone shows it; and the registry of live connections,
 * which records nothing until tracking starts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createConnection, type ConnectionOptions } from '../../src/index.js';
import { onConnectionCreated } from '../../src/connection-internals.js';
import { ConnectionRecord, MAX_LOG_LINES, type LogLine } from '../../src/inspector/record.js';
import { liveRecords, recordOf, trackConnections, watchConnections } from '../../src/inspector/registry.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

afterEach(() => onConnectionCreated(undefined));

function setup(options: ConnectionOptions = {}) {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const connection = createConnection('wss://user:secret@chat.test/socket?token=abc', { transport: memory.transport, clock, ...options });
  return { memory, clock, connection };
}

const texts = (lines: readonly LogLine[]) => lines.map(({ at, kind, text }) => `${at} ${kind} ${text}`);

describe('ConnectionRecord', () => {
  it('logs the lifecycle from creation, timed on the connection clock, naming messages by kind and size only', async () => {
    const { memory, clock, connection } = setup({ reconnect: false });
    const record = new ConnectionRecord(connection);
    expect(record.label).toBe('wss://REDACTED:REDACTED@chat.test/socket?REDACTED');
    connection.send('secret payload');
    clock.advance(250);
    memory.socket.accept();
    connection.send(new Uint8Array([1, 2, 3]));
    clock.advance(1000);
    memory.socket.drop();
    await connection.closed;
    expect(texts(record.lines)).toEqual([
      '0 state connecting (readyState 0)',
      '250 open subprotocol ""',
      '250 state open (readyState 1)',
      '1250 undelivered connection-lost: a string of 14 characters',
      '1250 undelivered connection-lost: a Uint8Array of 3 bytes',
      '1250 close 1006 connection-lost unclean',
      '1250 state closed (readyState 3)',
    ]);
    expect(record.ended).toBe(true);
    expect(JSON.stringify(record.lines)).not.toMatch(/secret|token/);
  });

  it('keeps the last MAX_LOG_LINES lines', async () => {
    const { memory, connection } = setup({ reconnect: false, maxQueuedMessages: 1 });
    const record = new ConnectionRecord(connection);
    connection.send('x');
    for (let i = 0; i < MAX_LOG_LINES; i += 1) connection.send('y'.repeat(i)); // each refused: queue-full
    memory.socket.accept();
    await Promise.resolve();
    expect(record.lines).toHaveLength(MAX_LOG_LINES);
    expect(record.lines.at(-1)).toMatchObject({ kind: 'state', text: 'open (readyState 1)' });
    expect(record.lines.at(-3)).toMatchObject({ kind: 'undelivered', text: `queue-full: a string of ${MAX_LOG_LINES - 1} characters` });
  });

  it("adds the machine's events and each step's edges while shown, and nothing once no one shows it", () => {
    const { memory, clock, connection } = setup();
    const record = new ConnectionRecord(connection);
    const steps: string[][] = [];
    const hide = record.show({ line: () => {}, step: (edges, to) => steps.push([...edges, `@${to}`]) });
    memory.socket.accept();
    memory.socket.drop();
    expect(steps).toEqual([
      ['connection.connecting->connection.open', '@open'],
      ['connection.open->connection.attemptEnded', 'connection.attemptEnded->connection.reconnecting', '@reconnecting'],
    ]);
    expect(record.lines.filter(({ kind }) => kind === 'machine').map(({ text }) => text)).toEqual(['socket.open', 'socket.close']);
    hide();
    const seen = record.lines.length;
    clock.advance(clock.nextDue! - clock.now()); // the reconnect wait ends: connecting again
    expect(connection.state).toBe('connecting');
    expect(record.lines.slice(seen).map(({ kind, text }) => `${kind} ${text}`)).toEqual(['state connecting (readyState 0)']);
    expect(steps).toHaveLength(2);
  });
});

describe('ConnectionRecord, further', () => {
  it('words every lifecycle event, timed from its own creation', async () => {
    const { memory, clock, connection } = setup({ maxRetries: 1, reconnectJitter: false, heartbeatInterval: 0 });
    clock.advance(500);
    const record = new ConnectionRecord(connection);
    memory.socket.accept('chat', 'permessage-deflate');
    memory.socket.drop();
    clock.advance(clock.nextDue! - clock.now());
    memory.socket.fail();
    await connection.closed;
    expect(texts(record.lines).filter((line) => !line.includes(' state '))).toEqual([
      '0 open subprotocol "chat", extensions "permessage-deflate"',
      '0 close 1006 connection-lost unclean, will reconnect',
      '0 reconnecting attempt 2 in 1000 ms (reconnect 1 in a row)',
      '1000 error transport-error: simulated transport error',
      '1000 close 1006 transport-error unclean',
      '1000 giveup max-retries after 1006 transport-error',
    ]);
  });

  it('quotes a close reason', async () => {
    const { memory, connection } = setup({ reconnect: false });
    const record = new ConnectionRecord(connection);
    memory.socket.accept();
    void connection.close(4000, 'bye');
    await Promise.resolve();
    memory.socket.completeClose();
    await connection.closed;
    expect(record.lines.find(({ kind }) => kind === 'close')?.text).toBe('4000 "bye" normal clean');
  });

  it('names each kind of message in the singular and the plural', async () => {
    const { connection } = setup({ reconnect: false, maxQueuedMessages: 0 });
    const record = new ConnectionRecord(connection);
    const sent = ['a', 'ab', new Uint8Array(1), new ArrayBuffer(2), new Blob(['x'])];
    for (const data of sent) connection.send(data);
    await Promise.resolve();
    expect(record.lines.filter(({ kind }) => kind === 'undelivered').map(({ text }) => text)).toEqual([
      'queue-full: a string of 1 character',
      'queue-full: a string of 2 characters',
      'queue-full: a Uint8Array of 1 byte',
      'queue-full: an ArrayBuffer of 2 bytes',
      'queue-full: a Blob of 1 byte',
    ]);
  });

  it('labels a connection whose URL a function has not given yet as url()', () => {
    const memory = createMemoryTransport();
    const connection = createConnection(() => new Promise<string>(() => {}), { transport: memory.transport, clock: new SimulatedClock() });
    expect(new ConnectionRecord(connection).label).toBe('url()');
  });

  it('names nested states in steps, inspects once for many viewers, and stops only when the last leaves', () => {
    const { memory, connection } = setup();
    const record = new ConnectionRecord(connection);
    const first: string[] = [];
    const second: string[] = [];
    const hideFirst = record.show({ line: () => {}, step: (_, to) => first.push(to) });
    const hideSecond = record.show({ line: () => {}, step: (_, to) => second.push(to) });
    memory.socket.accept();
    hideFirst();
    connection.send('x');
    void connection.close();
    expect(first).toEqual(['open']);
    expect(second).toEqual(['open', 'closing.draining']);
    // Each once, however many show it (a send while open is no step of the machine).
    expect(record.lines.filter(({ kind }) => kind === 'machine').map(({ text }) => text)).toEqual(['socket.open', 'user.close']);
    hideSecond();
  });
});

describe('the registry of live connections', () => {
  it('records nothing before tracking starts, then each new connection from its first event until it ends', async () => {
    const before = setup().connection;
    trackConnections();
    const heard: string[] = [];
    const stop = watchConnections((record) => heard.push(record.label));
    const { memory, connection } = setup({ reconnect: false });
    expect(liveRecords().map((record) => record.connection)).toEqual([connection]);
    expect(liveRecords().map((record) => record.connection)).not.toContain(before);
    await Promise.resolve(); // watchers hear of it in a microtask, as its first state event is delivered
    expect(heard).toEqual(['wss://REDACTED:REDACTED@chat.test/socket?REDACTED']);
    expect(texts(liveRecords()[0]!.lines)).toEqual(['0 state connecting (readyState 0)']);
    memory.socket.accept();
    void connection.close();
    memory.socket.flush();
    await Promise.resolve();
    memory.socket.completeClose();
    await connection.closed;
    await Promise.resolve();
    expect(liveRecords()).toEqual([]);
    stop();
  });

  it('keeps one record per connection, and a watcher that stopped hears of no more', async () => {
    const { connection } = setup();
    expect(recordOf(connection)).toBe(recordOf(connection));
    trackConnections();
    const heard: string[] = [];
    watchConnections((record) => heard.push(record.label))();
    const later = setup({ reconnect: false });
    await Promise.resolve();
    expect(heard).toEqual([]);
    void later.connection.close(); // aborts the attempt: the connection leaves the live records
    later.memory.socket.completeAbort();
    await later.connection.closed;
  });
});
