/**
 * `statesock/streams` with the in-memory transport and a simulated clock: the writable waits for
 * room and keeps its place across a reconnect; the readable pauses the socket's reads for a slow
 * reader where the transport can, and where it cannot (a browser) closes the connection past
 * its limit with the stated code.
 */
import { describe, expect, it } from 'vitest';
import { createConnection, type ConnectionOptions } from '../../src/index.js';
import { connectionStreams, UNREAD_LIMIT_CLOSE_CODE, type ConnectionStreamsOptions } from '../../src/streams/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';
import { pauseReads } from '../../src/connection-internals.js';

function setup(options: ConnectionOptions = {}, streams: ConnectionStreamsOptions = {}, pausable = true) {
  const memory = createMemoryTransport({ pausable });
  const clock = new SimulatedClock();
  const connection = createConnection('ws://example.test/', {
    transport: memory.transport,
    clock,
    reconnectJitter: false,
    heartbeatInterval: 0,
    ...options,
  });
  return { memory, clock, connection, ...connectionStreams(connection, streams) };
}

/** Lets the promises already due run (the streams' internal steps are promise jobs). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const written = (memory: ReturnType<typeof createMemoryTransport>) =>
  memory.sockets.flatMap((socket) => socket.written.map(({ data }) => data));

describe('the writable', () => {
  it('hands chunks to send() in order, waiting for room: bufferedAmount stays within the watermark plus one chunk', async () => {
    const { memory, connection, writable } = setup({ highWaterMark: 32 });
    memory.socket.accept();
    const writer = writable.getWriter();
    const chunks = Array.from({ length: 60 }, (_, i) => `${i}:${'x'.repeat(i % 13)}`);
    let peak = 0;
    const done = (async () => {
      for (const chunk of chunks) {
        await writer.ready;
        void writer.write(chunk);
        peak = Math.max(peak, connection.bufferedAmount);
      }
      await writer.ready;
    })();
    const state = { finished: false };
    void done.then(() => (state.finished = true));
    for (let turn = 0; turn < 1000 && !state.finished; turn++) {
      await settle();
      peak = Math.max(peak, connection.bufferedAmount);
      memory.socket.flush(16);
    }
    memory.socket.flush();
    expect(state.finished).toBe(true);
    expect(written(memory)).toEqual(chunks);
    expect(peak).toBeGreaterThanOrEqual(32);
    expect(peak).toBeLessThanOrEqual(32 + 16);
  });

  it('keeps its place across a reconnect: chunks written during the wait go out, in order, on the next socket', async () => {
    const { memory, clock, connection, writable } = setup();
    memory.socket.accept();
    const writer = writable.getWriter();
    await writer.write('a');
    memory.socket.flush();
    memory.socket.drop();
    expect(connection.state).toBe('reconnecting');
    await writer.write('b');
    await writer.write('c');
    expect(connection.queuedMessages).toBe(2);
    clock.advance(1_000);
    memory.socket.accept();
    memory.socket.flush();
    expect(written(memory)).toEqual(['a', 'b', 'c']);
  });

  it('errors with the reason when send() refuses a chunk, and closes the connection when closed', async () => {
    const { memory, connection, writable } = setup({ maxQueuedMessages: 1 });
    const writer = writable.getWriter();
    await writer.write('queued');
    await expect(writer.write('refused')).rejects.toThrow('send() did not accept the chunk (queue-full)');
    const second = setup();
    second.memory.socket.accept();
    const closing = second.writable.getWriter().close();
    await settle();
    expect(second.connection.state).toBe('closing.handshake');
    second.memory.socket.completeClose();
    await closing;
    expect(connection.state).toBe('connecting');
    expect(memory.socket.phase).toBe('connecting');
  });
});

describe('the writable, further', () => {
  it('leaves an undelivered message that is not its own alone', async () => {
    const { connection, writable } = setup({ maxQueuedMessages: 1 });
    const writer = writable.getWriter();
    connection.send('direct'); // fills the queue
    expect(connection.send('refused directly')).toBe(false); // reported undelivered while no write is on
    await settle();
    await expect(writer.write('chunk')).rejects.toThrow('send() did not accept the chunk (queue-full)');
  });

  it('closes the connection when aborted', async () => {
    const { memory, connection, writable } = setup();
    memory.socket.accept();
    const aborting = writable.getWriter().abort(new Error('stop'));
    await settle();
    expect(connection.state).toBe('closing.handshake');
    memory.socket.completeClose();
    await aborting;
    expect(connection.state).toBe('closed');
  });
});

describe('the readable', () => {
  it('delivers every message in order and pauses the socket while more than its watermark is unread', async () => {
    const { memory, readable } = setup({}, { readableHighWaterMark: 10 });
    memory.socket.accept();
    for (const message of ['aaaa', 'bbbb']) memory.socket.deliver(message);
    expect(memory.socket.readsPaused).toBe(false);
    memory.socket.deliver('cccc'); // 12 bytes unread: past the watermark
    expect(memory.socket.readsPaused).toBe(true);
    memory.socket.deliver('dddd');
    memory.socket.deliver('eeee');
    expect(memory.socket.unreadMessages).toBe(2); // held back, as the kernel would
    const reader = readable.getReader();
    const read: unknown[] = [];
    for (let i = 0; i < 5; i++) read.push((await reader.read()).value);
    expect(read).toEqual(['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee']);
    expect(memory.socket.readsPaused).toBe(false);
  });

  it('keeps reads paused on the next attempt until the reader catches up', async () => {
    const { memory, clock, readable } = setup({}, { readableHighWaterMark: 4 });
    memory.socket.accept();
    memory.socket.deliver('12345');
    expect(memory.socket.readsPaused).toBe(true);
    memory.socket.drop();
    clock.advance(1_000);
    memory.socket.accept();
    expect(memory.socket.readsPaused).toBe(true);
    memory.socket.deliver('next');
    const reader = readable.getReader();
    expect((await reader.read()).value).toBe('12345');
    expect((await reader.read()).value).toBe('next');
    expect(memory.socket.readsPaused).toBe(false);
  });

  it(`where reads cannot pause (a browser), holds up to maxUnreadBytes, then closes the connection with ${UNREAD_LIMIT_CLOSE_CODE} and errors`, async () => {
    const { memory, connection, readable } = setup({}, { readableHighWaterMark: 4, maxUnreadBytes: 10 }, false);
    memory.socket.accept();
    for (const message of ['aaaa', 'bbbb']) memory.socket.deliver(message);
    expect(connection.readyState).toBe(1);
    memory.socket.deliver('cccc'); // 12 bytes unread, past 10
    await settle(); // close() drains first: nothing is buffered, so the handshake starts a microtask later
    expect(memory.socket.closeRequest).toEqual({ code: UNREAD_LIMIT_CLOSE_CODE, reason: 'the reader left more than 10 bytes unread' });
    await expect(readable.getReader().read()).rejects.toThrow(`the connection was closed with ${UNREAD_LIMIT_CLOSE_CODE}`);
  });

  it('ends once the connection is over for good, after what was already read in', async () => {
    const { memory, connection, readable } = setup();
    memory.socket.accept();
    memory.socket.deliver('last');
    const closed = connection.close();
    memory.socket.completeClose();
    await closed;
    const reader = readable.getReader();
    expect(await reader.read()).toEqual({ done: false, value: 'last' });
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });

  it('pauses reads once exactly its watermark is unread, and resumes only once the reader has made room', async () => {
    const { memory, readable } = setup({}, { readableHighWaterMark: 8 });
    memory.socket.accept();
    memory.socket.deliver('aaaa');
    expect(memory.socket.readsPaused).toBe(false);
    memory.socket.deliver('bbbb'); // 8 bytes unread: at the watermark
    expect(memory.socket.readsPaused).toBe(true);
    memory.socket.deliver('cccc'); // 12
    const reader = readable.getReader();
    await reader.read(); // 8 left: no room yet
    await settle();
    expect(memory.socket.readsPaused).toBe(true);
    await reader.read(); // 4 left
    await settle();
    expect(memory.socket.readsPaused).toBe(false);
  });

  it('where reads cannot pause, holds exactly maxUnreadBytes, and closes on the byte past it', async () => {
    const { memory } = setup({}, { readableHighWaterMark: 4, maxUnreadBytes: 8 }, false);
    memory.socket.accept();
    for (const message of ['aaaa', 'bbbb']) memory.socket.deliver(message); // 8: at the limit
    await settle();
    expect(memory.socket.closeRequest).toBeUndefined();
    memory.socket.deliver('c');
    await settle();
    expect(memory.socket.closeRequest?.code).toBe(UNREAD_LIMIT_CLOSE_CODE);
  });

  it('stops listening once it errored: later messages and the close leave it alone', async () => {
    const { memory, connection, readable } = setup({}, { readableHighWaterMark: 4, maxUnreadBytes: 4 }, false);
    memory.socket.accept();
    memory.socket.deliver('aaaaa'); // past the limit: errored
    memory.socket.deliver('late'); // still open while the close handshake runs
    await settle();
    memory.socket.completeClose();
    await connection.closed;
    await settle();
    await expect(readable.getReader().read()).rejects.toThrow('the reader left more than 4 bytes unread');
  });

  it('closes the connection when cancelled, resuming reads it had paused', async () => {
    const { memory, connection, readable } = setup({}, { readableHighWaterMark: 4 });
    memory.socket.accept();
    memory.socket.deliver('12345');
    expect(memory.socket.readsPaused).toBe(true);
    const cancelling = readable.cancel();
    expect(memory.socket.readsPaused).toBe(false);
    await settle();
    expect(connection.state).toBe('closing.handshake');
    memory.socket.completeClose();
    await cancelling;
  });

  it('refuses limits that are not positive integers, or a maxUnreadBytes below the watermark, naming them', () => {
    const { connection } = setup();
    expect(() => connectionStreams(connection, { maxUnreadBytes: 1.5 })).toThrow(
      new TypeError('Expected `maxUnreadBytes` to be a positive integer, got 1.5 (number)'),
    );
    expect(connectionStreams(connection, { readableHighWaterMark: 10, maxUnreadBytes: 10 }).readable).toBeInstanceOf(ReadableStream);
    expect(() => connectionStreams(connection, { readableHighWaterMark: 0 })).toThrow(
      new TypeError('Expected `readableHighWaterMark` to be a positive integer, got 0 (number)'),
    );
    expect(() => connectionStreams(connection, { readableHighWaterMark: 20, maxUnreadBytes: 10 })).toThrow(
      new RangeError('Expected `maxUnreadBytes` (10) to be at least `readableHighWaterMark` (20)'),
    );
  });
});

describe('pausing reads, as the readable asks the connection to', () => {
  function connect(options: ConnectionOptions = {}) {
    const memory = createMemoryTransport({ pings: true });
    const clock = new SimulatedClock();
    const connection = createConnection('ws://example.test/', { transport: memory.transport, clock, heartbeatInterval: 1000, ...options });
    return { memory, clock, connection };
  }

  it('pauses only an open socket: asked while connecting, the pause takes effect on open', () => {
    const { memory, connection } = connect();
    expect(connection[pauseReads](true)).toBe(true);
    expect(memory.socket.readsPaused).toBe(false);
    memory.socket.accept();
    expect(memory.socket.readsPaused).toBe(true);
  });

  it('stays resumed through the steps that follow a resume', () => {
    const { memory, clock, connection } = connect();
    memory.socket.accept();
    connection[pauseReads](true);
    connection[pauseReads](false);
    clock.advance(1000); // the heartbeat's ping: a step of the machine while open
    expect(memory.socket.pings).toBe(1);
    expect(memory.socket.readsPaused).toBe(false);
  });

  it('reports that it cannot pause where the transport cannot, and changes nothing', () => {
    const memory = createMemoryTransport({ pausable: false });
    const connection = createConnection('ws://example.test/', { transport: memory.transport, clock: new SimulatedClock() });
    memory.socket.accept();
    expect(connection[pauseReads](true)).toBe(false);
    memory.socket.deliver('still read');
    expect(memory.socket.readsPaused).toBe(false);
  });
});
