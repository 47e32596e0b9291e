/**
 * A `url()` function as the connection's URL source, on the in-memory transport: called once
 * per attempt (so a token can rotate), sync or async; an attempt whose URL is still pending when
 * it ends creates no socket; a function that fails fails only its attempt, with an error naming
 * what it gave, and the connection reconnects.
 */
import { describe, expect, it } from 'vitest';
import { memoryWorld, nextTurn } from '../support/memory-world.js';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('a url function', () => {
  it('is called once per attempt, so a token rotates from one attempt to the next', () => {
    let calls = 0;
    const world = memoryWorld({}, { url: () => `ws://example.test/chat?token=t${++calls}` });
    expect(world.connection.url).toBe('ws://example.test/chat?token=t1');
    world.socket.refuse();
    world.retry().accept();
    world.socket.drop();
    world.retry();
    expect(calls).toBe(3);
    expect(world.sockets.map((socket) => socket.request.url.search)).toEqual(['?token=t1', '?token=t2', '?token=t3']);
    expect(world.connection.url).toBe('ws://example.test/chat?token=t3');
  });

  it('may return a promise: the socket is created once it resolves, and url reads "" until then', async () => {
    const urls = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const world = memoryWorld({}, { url: () => urls[calls++]!.promise });
    expect(calls).toBe(1);
    expect(world.connection.url).toBe('');
    expect(world.sockets).toHaveLength(0);
    // No socket yet: what is buffered is the queue alone, and inspectors see where URLs come from, not one of them.
    world.connection.send('early');
    expect(world.connection.bufferedAmount).toBe(5);
    expect(world.connection.actor.getSnapshot().context.url).toBe('url()');
    urls[0]!.resolve('wss://example.test/a?token=1');
    await nextTurn();
    expect(world.sockets).toHaveLength(1);
    expect(world.connection.url).toBe('wss://example.test/a?token=1');
    world.socket.refuse();
    world.clock.advance(world.lastReconnect!.delay);
    expect(calls).toBe(2);
    urls[1]!.resolve('wss://example.test/a?token=2');
    await nextTurn();
    expect(world.sockets.map((socket) => socket.request.url.href)).toEqual([
      'wss://example.test/a?token=1',
      'wss://example.test/a?token=2',
    ]);
  });

  it('creates no socket when close() comes while it is pending: the attempt ends as an abort', async () => {
    const url = deferred<string>();
    const world = memoryWorld({}, { url: () => url.promise });
    const closed = world.connection.close();
    expect(world.connection.state).toBe('closing.aborting');
    expect(await closed).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'aborted' });
    expect(world.log).toEqual([
      'state connecting',
      'state closing.aborting',
      'error aborted',
      'close 1006 aborted unclean',
      'state closed',
    ]);
    url.resolve('ws://example.test/late');
    await nextTurn();
    expect(world.sockets).toHaveLength(0);
    expect(world.clock.pendingTimers).toBe(0);
  });

  it('creates no socket when the connect timer fires while it is pending, and asks again for the next attempt', async () => {
    const urls = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const world = memoryWorld({ connectTimeout: 1000 }, { url: () => urls[calls++]!.promise });
    world.clock.advance(1000);
    expect(world.log).toEqual([
      'state connecting',
      'error connect-timeout',
      'close 1006 connect-timeout unclean (will reconnect)',
      `reconnecting attempt 2 retry 1 in ${world.lastReconnect!.delay}ms`,
      'state reconnecting',
    ]);
    urls[0]!.resolve('ws://example.test/too-late');
    await nextTurn();
    expect(world.sockets).toHaveLength(0);
    world.clock.advance(world.lastReconnect!.delay);
    urls[1]!.resolve('ws://example.test/in-time');
    await nextTurn();
    expect(world.sockets.map((socket) => socket.request.url.pathname)).toEqual(['/in-time']);
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('no token yet');
      },
      'no token yet',
    ],
    ['rejects', () => Promise.reject(new Error('token service down')), 'token service down'],
    ['returns a URL of the wrong scheme', () => 'ftp://example.test/', 'the scheme "ftp:"'],
    ['returns something that is not a URL', () => 'not a url', 'not a url'],
    ['returns a number', () => 42 as unknown as string, 'got 42 (number)'],
    ['returns null', () => null as unknown as string, 'Expected the url function to return a string or a URL, got null'],
    ['resolves to undefined', () => Promise.resolve(undefined as unknown as string), 'got undefined'],
  ])('fails that attempt when it %s, with an error naming it, and reconnects', async (_, bad, named) => {
    let calls = 0;
    const messages: string[] = [];
    const world = memoryWorld({}, { url: () => (++calls === 1 ? bad() : 'ws://example.test/good') });
    world.connection.on('error', ({ message }) => messages.push(message));
    await nextTurn();
    expect(world.sockets).toHaveLength(0);
    expect(world.log).toEqual([
      'state connecting',
      'error transport-error',
      'close 1006 transport-error unclean (will reconnect)',
      `reconnecting attempt 2 retry 1 in ${world.lastReconnect!.delay}ms`,
      'state reconnecting',
    ]);
    expect(messages).toEqual([expect.stringContaining(named)]);
    expect(world.connection.url).toBe(''); // no url() result yet
    world.retry().accept();
    expect(world.connection.state).toBe('open');
    expect(world.connection.url).toBe('ws://example.test/good');
  });

  it('redacts credentials and query values from the error a url() function throws or rejects with', async () => {
    const messages: string[] = [];
    let calls = 0;
    const world = memoryWorld(
      {},
      {
        url: () =>
          ++calls === 1
            ? Promise.reject(new Error('refresh failed for wss://alice:s3cret@example.test/ws?token=abc123, try again'))
            : 'ws://example.test/good',
      },
    );
    world.connection.on('error', ({ message }) => messages.push(message));
    await nextTurn();
    expect(messages).toEqual(['refresh failed for wss://REDACTED:REDACTED@example.test/ws?REDACTED, try again']);
  });
});
