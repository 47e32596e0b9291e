/**
 * Sends before open are admitted by the shell, by the machine's own `queueHasRoom`, and told to
 * the machine as one batched `user.send` per task or before any other event (issue 8). These
 * tests pin that the batching is invisible: the same admissions, the same order, the same
 * counts in the machine once it has been told.
 */
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createConnection, type ConnectionEvent, type ConnectionOptions } from '../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../src/testing/index.js';

function setup(options: ConnectionOptions = {}) {
  const memory = createMemoryTransport();
  const received: ConnectionEvent[] = [];
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.event' && event.event.type === 'user.send') received.push(event.event as ConnectionEvent);
  };
  const connection = createConnection('ws://example.test/', { transport: memory.transport, clock: new SimulatedClock(), inspect, ...options });
  return { memory, connection, received };
}

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('sends before open', () => {
  it('tells the machine of a task’s queued sends in one event, and counts them all', async () => {
    const { connection, received } = setup();
    for (let i = 0; i < 1_000; i++) expect(connection.send(`m${i}`)).toBe(true);

    expect(received).toEqual([]);
    await tick();

    expect(received).toEqual([{ type: 'user.send', messages: 1_000, bytes: 3_890 }]);
    expect(connection.actor.getSnapshot().context).toMatchObject({ queuedMessages: 1_000, queuedBytes: 3_890 });
    expect(connection.queuedMessages).toBe(1_000);
  });

  it('tells the machine of queued sends before the event that follows them, so the socket gets them in order', () => {
    const { memory, connection, received } = setup();
    connection.send('a');
    connection.send('b');
    memory.socket.accept();
    connection.send('c');
    memory.socket.flush();

    expect(received).toEqual([{ type: 'user.send', messages: 2, bytes: 2 }]);
    expect(memory.socket.written.map(({ data }) => data)).toEqual(['a', 'b', 'c']);
  });

  it('refuses the send that no longer fits with the not-yet-told ones counted, and only that one', async () => {
    const { connection, received } = setup({ maxQueuedMessages: 3, maxQueuedBytes: 10 });
    const undelivered: string[] = [];
    connection.on('undelivered', ({ data, reason }) => undelivered.push(`${String(data)} ${reason}`));

    const accepted = ['1234', '5678', '90', 'x', 'y'].map((message) => connection.send(message));
    await tick();

    // 4 + 4 + 2 = 10 bytes fill the byte bound; 'x' is past it. 'y' is too: the count bound (3) is reached as well.
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(undelivered).toEqual(['x queue-full', 'y queue-full']);
    expect(received).toEqual([
      { type: 'user.send', messages: 3, bytes: 10 },
      { type: 'user.send', bytes: 1, message: 'x' },
      { type: 'user.send', bytes: 1, message: 'y' },
    ]);
    expect(connection.actor.getSnapshot().context).toMatchObject({ queuedMessages: 3, queuedBytes: 10 });
  });

  it('batches sends made while waiting to reconnect, too', async () => {
    const { memory, connection, received } = setup({ random: () => 0.5 });
    memory.socket.refuse();
    await tick();
    expect(connection.state).toBe('reconnecting');

    connection.send('later');
    connection.send('still later');
    await tick();

    expect(received).toEqual([{ type: 'user.send', messages: 2, bytes: 16 }]);
    expect(connection.queuedMessages).toBe(2);
  });
});
