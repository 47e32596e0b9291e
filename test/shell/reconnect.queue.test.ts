/**
 * What becomes of messages across reconnects, on the in-memory transport: the queue survives a
 * failed attempt and the wait, in order, and goes out on the next open before anything sent from
 * the open listener; the end of the connection reports it; and what a dropped socket had
 * accepted is reported `connection-lost` (at most once), for the application to resend, or with
 * `resendUnconfirmed` queued again for the next socket (at least once).
 */
import { describe, expect, it } from 'vitest';
import type { MemorySocket } from '../../src/testing/index.js';
import { memoryWorld } from '../support/memory-world.js';

const written = (socket: MemorySocket) => socket.written.map((message) => message.data);

describe('the queue across reconnects', () => {
  it('keeps what was sent before open, during the wait and during a failed attempt, and flushes it in order on the next open', () => {
    const world = memoryWorld();
    world.connection.send('before open');
    world.socket.refuse();
    world.connection.send('during the wait');
    world.retry();
    world.connection.send('during attempt 2');
    world.socket.refuse();
    world.connection.send('during the second wait');
    expect(world.connection.queuedMessages).toBe(4);
    world.connection.on('open', () => world.connection.send('from the open listener'));
    world.retry().accept();
    world.socket.flush();
    expect(written(world.socket)).toEqual([
      'before open',
      'during the wait',
      'during attempt 2',
      'during the second wait',
      'from the open listener',
    ]);
    expect(world.sockets.slice(0, 2).map(written)).toEqual([[], []]);
    expect(world.log.filter((line) => line.startsWith('undelivered'))).toEqual([]);
  });

  it('still bounds the queue during the wait: a send past maxQueuedMessages is queue-full', () => {
    const world = memoryWorld({ maxQueuedMessages: 2 });
    world.connection.send('a');
    world.socket.refuse();
    expect(world.connection.send('b')).toBe(true);
    expect(world.connection.send('c')).toBe(false);
    expect(world.log.at(-1)).toBe('undelivered c queue-full');
    world.retry().accept();
    world.socket.flush();
    expect(written(world.socket)).toEqual(['a', 'b']);
  });

  it('reports the queue closed-before-open, in order, before the close event, on giveup', () => {
    const world = memoryWorld({ maxRetries: 1 });
    world.connection.send('a');
    world.socket.refuse();
    world.connection.send('b');
    world.retry().refuse();
    expect(world.log.slice(-6)).toEqual([
      'error refused',
      'undelivered a closed-before-open',
      'undelivered b closed-before-open',
      'close 1006 refused unclean',
      'giveup max-retries after 1006 refused unclean',
      'state gaveUp',
    ]);
    expect(world.connection.bufferedAmount).toBe(0);
  });

  it('reports the queue closed-before-open, in order, with no close event, before closed settles, on close() during the wait', async () => {
    const world = memoryWorld();
    world.connection.send('a');
    world.socket.refuse();
    world.connection.send('b');
    void world.connection.closed.then(() => world.log.push('settled'));
    await world.connection.close();
    expect(world.log.slice(-4)).toEqual([
      'undelivered a closed-before-open',
      'undelivered b closed-before-open',
      'state closed',
      'settled',
    ]);
    expect(world.log.filter((line) => line.startsWith('close'))).toEqual(['close 1006 refused unclean (will reconnect)']);
    // closed says how the last attempt ended: close() ended no socket.
    await expect(world.connection.closed).resolves.toEqual({ code: 1006, reason: '', wasClean: false, cause: 'refused' });
  });
});

describe('the at-most-once boundary', () => {
  it('reports what a dropped socket had not written out as connection-lost, and does not resend it', () => {
    const world = memoryWorld();
    world.socket.accept();
    world.connection.send('written');
    world.connection.send('unsent');
    world.socket.flush(7);
    world.socket.drop();
    expect(world.log.slice(-4)).toEqual([
      'undelivered unsent connection-lost',
      'close 1006 connection-lost unclean (will reconnect)',
      `reconnecting attempt 2 retry 1 in ${world.lastReconnect!.delay}ms`,
      'state reconnecting',
    ]);
    world.retry().accept();
    world.socket.flush();
    expect(written(world.sockets[0]!)).toEqual(['written']);
    expect(written(world.socket)).toEqual([]);
  });

  it('lets the app resend from its undelivered listener: the resent messages queue ahead of later sends', () => {
    const world = memoryWorld();
    world.connection.on('undelivered', ({ data, reason }) => {
      if (reason === 'connection-lost') expect(world.connection.send(data)).toBe(true);
    });
    world.socket.accept();
    world.connection.send('one');
    world.connection.send('two');
    world.socket.drop({ withError: true });
    expect(world.connection.queuedMessages).toBe(2);
    world.connection.send('three');
    world.retry().accept();
    world.socket.flush();
    expect(written(world.socket)).toEqual(['one', 'two', 'three']);
  });
});

describe('resendUnconfirmed: the at-least-once choice', () => {
  it('queues what a dropped socket had not written out again, first, and sends it on the next socket without reporting it', () => {
    const world = memoryWorld({ resendUnconfirmed: true });
    world.socket.accept();
    world.connection.send('written');
    world.connection.send('unsent 1');
    world.connection.send('unsent 2');
    world.socket.flush(7);
    world.socket.drop();
    world.connection.send('later');
    expect(world.connection.queuedMessages).toBe(3);
    world.retry().accept();
    world.socket.flush();
    expect(written(world.sockets[0]!)).toEqual(['written']);
    expect(written(world.socket)).toEqual(['unsent 1', 'unsent 2', 'later']);
    expect(world.log.filter((line) => line.startsWith('undelivered'))).toEqual([]);
  });

  it('reports them connection-lost when no reconnect follows, before the close', () => {
    const world = memoryWorld({ resendUnconfirmed: true, maxRetries: 0 });
    world.socket.accept();
    world.connection.send('unsent');
    world.socket.drop();
    expect(world.log.slice(-4)).toEqual([
      'undelivered unsent connection-lost',
      'close 1006 connection-lost unclean',
      'giveup max-retries after 1006 connection-lost unclean',
      'state gaveUp',
    ]);
  });

  it('keeps the queue bounds: what does not fit again is reported queue-full', () => {
    const world = memoryWorld({ resendUnconfirmed: true, maxQueuedMessages: 1 });
    world.socket.accept();
    world.connection.send('first');
    world.connection.send('second');
    world.socket.drop();
    expect(world.log.filter((line) => line.startsWith('undelivered'))).toEqual(['undelivered second queue-full']);
    world.retry().accept();
    world.socket.flush();
    expect(written(world.socket)).toEqual(['first']);
  });

  it('reports a resent message closed-before-open if close() comes during the wait', async () => {
    const world = memoryWorld({ resendUnconfirmed: true });
    world.socket.accept();
    world.connection.send('unsent');
    world.socket.drop();
    void world.connection.close();
    await world.connection.closed;
    expect(world.log.filter((line) => line.startsWith('undelivered'))).toEqual(['undelivered unsent closed-before-open']);
    expect(world.connection.queuedMessages).toBe(0);
    expect(world.connection.bufferedAmount).toBe(0);
  });
});
