/**
 * Stopping a reconnecting connection, on the in-memory transport: `close()` rules out any
 * further attempt from every state, and an `AbortSignal` does what `close()` does (draining
 * first when open), stops a pending reconnect, closes at once when already aborted, and is no
 * longer listened to once the connection is over.
 */
import { describe, expect, it, vi } from 'vitest';
import { memoryWorld, type MemoryWorld } from '../support/memory-world.js';

/** Checks that the connection is closed for good: nothing pending, and no attempt or event however long we wait. */
function expectClosedForGood(world: MemoryWorld): void {
  const [sockets, events] = [world.sockets.length, world.log.length];
  expect(world.connection.state).toBe('closed');
  expect(world.clock.pendingTimers).toBe(0);
  world.clock.advance(24 * 3_600_000);
  expect(world.sockets).toHaveLength(sockets);
  expect(world.log).toHaveLength(events);
  expect(world.log.filter((line) => line.startsWith('giveup'))).toEqual([]);
}

describe('close() rules out a reconnect', () => {
  it('while connecting, even if the transport then reports a refused connect', () => {
    const world = memoryWorld();
    void world.connection.close();
    world.socket.refuse(); // retryable on its own, but the attempt was already abandoned
    expect(world.log.slice(-3)).toEqual(['error aborted', 'close 1006 aborted unclean', 'state closed']);
    expectClosedForGood(world);
  });

  it('while open, even if the connection then drops during the drain', () => {
    const world = memoryWorld();
    world.socket.accept();
    world.connection.send('pending');
    void world.connection.close();
    expect(world.connection.state).toBe('closing.draining');
    world.socket.drop();
    expect(world.log.slice(-3)).toEqual(['undelivered pending connection-lost', 'close 1006 connection-lost unclean', 'state closed']);
    expectClosedForGood(world);
  });

  it('while closing, even if the closing handshake times out', async () => {
    const world = memoryWorld({ closeTimeout: 500 });
    world.socket.accept();
    void world.connection.close(1000);
    await Promise.resolve(); // the transport reports the drain in a microtask
    expect(world.connection.state).toBe('closing.handshake');
    world.clock.advance(500);
    expect(world.log.slice(-2)).toEqual(['close 1006 close-timeout unclean', 'state closed']);
    expectClosedForGood(world);
  });

  it('while closing after a transport error, though the drop that follows is retryable', () => {
    const world = memoryWorld();
    world.socket.accept();
    world.socket.fail('transport-error', 'read ECONNRESET');
    expect(world.connection.state).toBe('closing.handshake');
    void world.connection.close();
    world.socket.drop();
    expect(world.log.slice(-2)).toEqual(['close 1006 transport-error unclean', 'state closed']);
    expectClosedForGood(world);
  });

  it('while waiting to reconnect: at once, with no close event since no socket is open', async () => {
    const world = memoryWorld();
    world.socket.accept();
    world.socket.drop();
    const closes = world.log.filter((line) => line.startsWith('close')).length;
    expect(await world.connection.close(4000, 'bye')).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'connection-lost' });
    expect(world.log.at(-1)).toBe('state closed');
    expect(world.log.filter((line) => line.startsWith('close'))).toHaveLength(closes);
    expectClosedForGood(world);
  });
});

describe('an AbortSignal', () => {
  it('closes an open connection as close() does: buffered data drains first', async () => {
    const controller = new AbortController();
    const world = memoryWorld({ signal: controller.signal });
    world.socket.accept();
    world.connection.send('last words');
    controller.abort();
    expect(world.connection.state).toBe('closing.draining');
    expect(world.socket.closeRequest).toBeUndefined();
    world.socket.flush();
    expect(world.connection.state).toBe('closing.handshake');
    world.socket.completeClose();
    expect(world.socket.written.map((message) => message.data)).toEqual(['last words']);
    await expect(world.connection.closed).resolves.toEqual({ code: 1005, reason: '', wasClean: true, cause: 'normal' });
    expectClosedForGood(world);
  });

  it('stops a pending reconnect', () => {
    const controller = new AbortController();
    const world = memoryWorld({ signal: controller.signal });
    world.socket.refuse();
    expect(world.connection.state).toBe('reconnecting');
    controller.abort();
    expectClosedForGood(world);
  });

  it('closes at once when it is already aborted, without asking for a URL or opening a socket', async () => {
    let urls = 0;
    const world = memoryWorld(
      { signal: AbortSignal.abort() },
      {
        url: () => {
          urls += 1;
          return 'ws://example.test/chat';
        },
      },
    );
    world.connection.send('never');
    await expect(world.connection.closed).resolves.toEqual({ code: 1006, reason: '', wasClean: false, cause: 'aborted' });
    expect(world.log).toEqual([
      'state connecting',
      'state closing.aborting',
      'error aborted',
      'undelivered never closed-before-open',
      'close 1006 aborted unclean',
      'state closed',
    ]);
    expect({ urls, sockets: world.sockets.length }).toEqual({ urls: 0, sockets: 0 });
    expectClosedForGood(world);
  });

  it.each([
    ['close()', (world: MemoryWorld) => void world.connection.close()],
    ['giveup', (world: MemoryWorld) => world.socket.completeClose(1008, 'policy')],
  ])('is no longer listened to once the connection ends by %s', (_, end) => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const world = memoryWorld({ signal: controller.signal });
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).not.toHaveBeenCalled();
    world.socket.accept();
    end(world);
    if (world.connection.state !== 'gaveUp') {
      world.socket.flush();
      world.socket.completeClose();
    }
    expect(['closed', 'gaveUp']).toContain(world.connection.state);
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove.mock.calls[0]!.slice(0, 2)).toEqual(add.mock.calls[0]!.slice(0, 2));
  });
});
