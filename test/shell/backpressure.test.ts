/**
 * The high watermark with the in-memory transport and a simulated clock: `backpressure` when a
 * send takes `bufferedAmount` to `highWaterMark` or above, `ready` when it is back below, and
 * the `ready` promise, which settles where the machine accepts sends and there is room.
 */
import { describe, expect, it } from 'vitest';
import { createConnection, ManagedWebSocket, type ConnectionOptions, type Transport } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';
import { record } from '../support/event-log.js';

function setup(options: ConnectionOptions = {}) {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const connection = createConnection('ws://example.test/', { transport: memory.transport, clock, highWaterMark: 10, ...options });
  const log: string[] = [];
  connection.on('backpressure', ({ bufferedAmount }) => log.push(`backpressure ${bufferedAmount}`));
  connection.on('ready', ({ bufferedAmount }) => log.push(`ready ${bufferedAmount}`));
  connection.on('undelivered', ({ data, reason }) => log.push(`undelivered ${data as string} ${reason}`));
  return { memory, clock, connection, log };
}

/** Whether `promise` has settled, and how, after the microtasks already due. */
async function stateOf(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
}

describe('the high watermark', () => {
  it('emits backpressure once when a send reaches it, and ready once when writes bring it back below', () => {
    const { memory, connection, log } = setup();
    memory.socket.accept();
    connection.send('12345');
    expect(log).toEqual([]);
    connection.send('67890'); // 10 bytes: at the watermark
    connection.send('abc'); // still above: no second event
    expect(log).toEqual(['backpressure 10']);
    memory.socket.flush(5); // 8 left: still at or above? no, 8 < 10
    expect(log).toEqual(['backpressure 10', 'ready 8']);
    connection.send('xy'); // 10 again: a new crossing
    expect(log).toEqual(['backpressure 10', 'ready 8', 'backpressure 10']);
    memory.socket.flush();
    expect(log.at(-1)).toBe('ready 0');
  });

  it('is in the event log the tests and the oracle share, in order with the other events', () => {
    const { memory, connection } = setup();
    const log = record(connection, { without: ['state'] });
    memory.socket.accept();
    connection.send('0123456789');
    memory.socket.flush();
    expect(log).toEqual(['open', 'backpressure 10', 'ready 0']);
  });

  it('counts the queue before open, and waits for the flush on open and the writes after it', async () => {
    const { memory, connection, log } = setup();
    for (const message of ['aaaa', 'bbbb', 'cccc']) connection.send(message);
    expect(log).toEqual(['backpressure 12']);
    const ready = connection.ready;
    expect(await stateOf(ready)).toBe('pending');
    memory.socket.accept(); // the queue moves to the socket: still 12 bytes
    expect(await stateOf(ready)).toBe('pending');
    memory.socket.flush(4);
    expect(log).toEqual(['backpressure 12', 'ready 8']);
    expect(await stateOf(ready)).toBe('resolved');
  });

  it('keeps waiting while exactly at the watermark after a step, and hands every reader of a wait the same promise', async () => {
    const { memory, connection, log } = setup();
    connection.send('0123');
    connection.send('456789'); // queued: exactly the watermark
    const ready = connection.ready;
    expect(connection.ready).toBe(ready);
    memory.socket.accept(); // the flush on open: the socket holds all 10
    expect(log).toEqual(['backpressure 10']);
    expect(await stateOf(ready)).toBe('pending');
    memory.socket.flush(4);
    expect(log).toEqual(['backpressure 10', 'ready 6']);
    expect(await stateOf(ready)).toBe('resolved');
  });

  it('emits ready only after a backpressure it answers', () => {
    const { memory, connection, log } = setup();
    void connection.ready; // a reader, below the watermark
    memory.socket.accept();
    connection.send('abc');
    memory.socket.flush();
    expect(log).toEqual([]);
  });

  it('waits for the drain on a socket that cannot say when it is below the watermark', async () => {
    const memory = createMemoryTransport();
    const drainOnly: Transport = (request, handlers) => {
      const socket = memory.transport(request, handlers);
      return Object.assign(socket, { whenBelow: undefined });
    };
    const connection = createConnection('ws://example.test/', { transport: drainOnly, clock: new SimulatedClock(), highWaterMark: 10 });
    memory.socket.accept();
    connection.send('0123456789ab');
    const ready = connection.ready;
    memory.socket.flush(4); // below the watermark, but not drained: no word from this socket yet
    expect(await stateOf(ready)).toBe('pending');
    memory.socket.flush();
    expect(await stateOf(ready)).toBe('resolved');
  });

  it('resolves ready at once while there is room where sends are accepted', async () => {
    const { memory, connection } = setup();
    expect(await stateOf(connection.ready)).toBe('resolved'); // connecting: sends are queued
    memory.socket.accept();
    connection.send('123');
    expect(await stateOf(connection.ready)).toBe('resolved');
  });

  it('keeps a writer waiting through a drop and resolves once the reconnect wait accepts sends again', async () => {
    const { memory, connection, log } = setup();
    memory.socket.accept();
    connection.send('0123456789');
    const ready = connection.ready;
    memory.socket.drop();
    // The unconfirmed message is reported; the reconnect wait queues sends, with an empty buffer.
    expect(log).toEqual(['backpressure 10', 'undelivered 0123456789 connection-lost', 'ready 0']);
    expect(connection.state).toBe('reconnecting');
    expect(await stateOf(ready)).toBe('resolved');
  });

  it('rejects ready with an InvalidStateError once close() is called, and at once after', async () => {
    const { memory, connection } = setup();
    memory.socket.accept();
    connection.send('0123456789');
    const ready = connection.ready;
    void connection.close();
    expect(await stateOf(ready)).toBe('rejected');
    await expect(ready).rejects.toMatchObject({
      name: 'InvalidStateError',
      message: 'The connection is closing or closed: send() accepts no more messages',
    });
    await expect(connection.ready).rejects.toMatchObject({ name: 'InvalidStateError' });
  });

  it.each([
    ['the server closes and reconnect is off', { reconnect: false }, 'closed'],
    ['the policy gives up', {}, 'gaveUp'],
  ] as const)('rejects a waiting ready, and ready at once after, when %s without close()', async (_, options, state) => {
    const { memory, connection } = setup(options);
    memory.socket.accept();
    connection.send('0123456789');
    const ready = connection.ready;
    memory.socket.completeClose(1000, 'done'); // not retryable: the policy gives up when reconnect is on
    expect(connection.state).toBe(state);
    expect(await stateOf(ready)).toBe('rejected');
    await expect(connection.ready).rejects.toMatchObject({ name: 'InvalidStateError' });
  });

  it('keeps a producer that awaits ready before each send within the watermark plus one message', async () => {
    const { memory, connection } = setup({ highWaterMark: 64 });
    memory.socket.accept();
    let peak = 0;
    // The "network" writes up to 25 bytes (whole messages) whenever the producer has to wait.
    const producer = (async () => {
      for (let i = 0; i < 200; i++) {
        await connection.ready;
        connection.send('x'.repeat(1 + (i % 20)));
        peak = Math.max(peak, connection.bufferedAmount);
      }
    })();
    for (let turns = 0; turns < 10_000 && (await stateOf(producer)) === 'pending'; turns++) memory.socket.flush(25);
    expect(await stateOf(producer)).toBe('resolved');
    expect(peak).toBeGreaterThanOrEqual(64);
    expect(peak).toBeLessThanOrEqual(64 + 20);
  });

  it('is off with Infinity, and refuses a watermark that is not a positive integer, naming it', () => {
    const { memory, connection, log } = setup({ highWaterMark: Infinity });
    memory.socket.accept();
    connection.send('x'.repeat(100_000));
    expect(log).toEqual([]);
    expect(() => createConnection('ws://example.test/', { highWaterMark: 0 })).toThrow(
      new TypeError('Expected `highWaterMark` to be a positive integer or Infinity, got 0 (number)'),
    );
  });
});

describe('the high watermark on a ManagedWebSocket', () => {
  it('fires backpressure and ready as events and handler properties, with bufferedAmount at the level crossed', () => {
    const memory = createMemoryTransport();
    const socket = new ManagedWebSocket('ws://example.test/', [], {
      transport: memory.transport,
      clock: new SimulatedClock(),
      highWaterMark: 10,
    });
    const log: string[] = [];
    socket.addEventListener('backpressure', (event) => log.push(`${event.type} ${socket.bufferedAmount}`));
    socket.onready = (event) => log.push(`on${event.type} ${socket.bufferedAmount}`);
    socket.onbackpressure = (event) => log.push(`on${event.type} ${socket.bufferedAmount}`);
    memory.socket.accept();
    socket.send('0123456789');
    socket.send('ab'); // still above: no second event
    memory.socket.flush(10);
    expect(log).toEqual(['backpressure 10', 'onbackpressure 10', 'onready 2']);
    expect(socket.onready).toBeTypeOf('function');
  });
});
