/**
 * Which ended attempts are followed by another, through real machine runs on the in-memory
 * transport: the default close-code policy (`isRetryableClose`), an application's
 * `shouldReconnect` replacing it, and a predicate that throws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CloseInfo } from '../../src/index.js';
import { memoryWorld, type MemoryWorld } from '../support/memory-world.js';

/** An open connection whose server then closes with `code` (a clean closing handshake). */
function serverCloses(code: number, options: Parameters<typeof memoryWorld>[0] = {}): MemoryWorld {
  const world = memoryWorld(options);
  world.socket.accept();
  world.socket.completeClose(code, 'bye');
  return world;
}

describe('the default policy', () => {
  it.each([1001, 1011, 1012, 1013])('reconnects after the server closes with %i', (code) => {
    const world = serverCloses(code);
    expect(world.log.slice(-3)).toEqual([
      `close ${code} "bye" normal clean (will reconnect)`,
      `reconnecting attempt 2 retry 1 in ${world.lastReconnect!.delay}ms`,
      'state reconnecting',
    ]);
    world.retry().accept();
    expect(world.connection.state).toBe('open');
  });

  it.each([1000, 1002, 1003, 1008, 4000])('gives up, not-retryable, after the server closes with %i', async (code) => {
    const world = serverCloses(code);
    expect(world.log.slice(-3)).toEqual([
      `close ${code} "bye" normal clean`,
      `giveup not-retryable after ${code} "bye" normal clean`,
      'state gaveUp',
    ]);
    expect(world.clock.pendingTimers).toBe(0);
    await expect(world.connection.closed).resolves.toEqual({ code, reason: 'bye', wasClean: true, cause: 'normal' });
  });

  it.each([
    [403, 'gives up'],
    [401, 'gives up'],
    [503, 'reconnects'],
    [429, 'reconnects'],
    [408, 'reconnects'],
  ])('after an upgrade refused with HTTP %i, %s', (status, outcome) => {
    const world = memoryWorld();
    world.socket.refuse('handshake-failed', `Unexpected server response: ${status}`, status);
    const close = world.log.find((line) => line.startsWith('close'));
    if (outcome === 'reconnects') {
      expect(close).toBe(`close 1006 handshake-failed ${status} unclean (will reconnect)`);
      expect(world.connection.state).toBe('reconnecting');
    } else {
      expect(close).toBe(`close 1006 handshake-failed ${status} unclean`);
      expect(world.log.slice(-2)).toEqual([`giveup not-retryable after 1006 handshake-failed ${status} unclean`, 'state gaveUp']);
    }
  });

  it('reports the refused upgrade status in the close the giveup carries and closed resolves with', async () => {
    const world = memoryWorld();
    let giveup: unknown;
    world.connection.on('giveup', (info) => (giveup = info));
    world.socket.refuse('handshake-failed', 'Unexpected server response: 403', 403);
    const close = { code: 1006, reason: '', wasClean: false, cause: 'handshake-failed', status: 403 };
    expect(giveup).toEqual({ reason: 'not-retryable', close });
    await expect(world.connection.closed).resolves.toEqual(close);
  });

  it('gives up on a protocol error whatever the code, and reconnects after a dropped connection', () => {
    const broken = memoryWorld();
    broken.socket.accept();
    broken.socket.fail('protocol-error', 'invalid UTF-8');
    broken.socket.drop();
    expect(broken.log.slice(-3)).toEqual([
      'close 1006 protocol-error unclean',
      'giveup not-retryable after 1006 protocol-error unclean',
      'state gaveUp',
    ]);

    const dropped = memoryWorld();
    dropped.socket.accept();
    dropped.socket.drop({ withError: true });
    expect(dropped.connection.state).toBe('reconnecting');
  });
});

describe('shouldReconnect', () => {
  it('replaces the default policy, hearing how the attempt ended', () => {
    const heard: CloseInfo[] = [];
    const world = memoryWorld({
      shouldReconnect: (close) => {
        heard.push(close);
        return close.code >= 4000 && close.code <= 4999; // the app's own codes mean "come back"
      },
    });
    world.socket.accept();
    world.socket.completeClose(4000, 'token expired');
    expect(world.connection.state).toBe('reconnecting');
    world.retry().accept();
    world.socket.completeClose(1012, 'restart'); // retryable by default, but not for this app
    expect(world.log.slice(-2)).toEqual(['giveup not-retryable after 1012 "restart" normal clean', 'state gaveUp']);
    expect(heard).toEqual([
      { code: 4000, reason: 'token expired', wasClean: true, cause: 'normal' },
      { code: 1012, reason: 'restart', wasClean: true, cause: 'normal' },
    ]);
  });

  it('is not asked after close(), and maxRetries still bounds what it allows', () => {
    let asked = 0;
    const always = () => {
      asked += 1;
      return true;
    };
    const closed = memoryWorld({ shouldReconnect: always });
    closed.socket.accept();
    void closed.connection.close();
    closed.socket.drop(); // the closing handshake never completed: retryable, but close() was called
    expect(closed.connection.state).toBe('closed');
    expect(asked).toBe(0);

    const bounded = memoryWorld({ shouldReconnect: always, maxRetries: 1 });
    bounded.socket.accept();
    bounded.socket.completeClose(4999, 'anything');
    bounded.retry().accept();
    bounded.socket.completeClose(4999, 'anything');
    expect(asked).toBe(2);
    expect(bounded.log.slice(-2)).toEqual(['giveup max-retries after 4999 "anything" normal clean', 'state gaveUp']);
  });

  describe('when it throws', () => {
    const original = globalThis.queueMicrotask;
    afterEach(() => {
      globalThis.queueMicrotask = original;
    });

    /** Runs every microtask through a catch, so an error meant to surface as uncaught is collected instead. */
    function collectMicrotaskErrors(): unknown[] {
      const errors: unknown[] = [];
      globalThis.queueMicrotask = (callback) =>
        original(() => {
          try {
            callback();
          } catch (error) {
            errors.push(error);
          }
        });
      return errors;
    }

    it('gives up, and its error surfaces as an uncaught one, as a listener error does', async () => {
      const errors = collectMicrotaskErrors();
      const bug = new Error('policy bug');
      const world = memoryWorld({
        shouldReconnect: () => {
          throw bug;
        },
      });
      world.socket.accept();
      world.socket.drop();
      expect(world.log.slice(-3)).toEqual([
        'close 1006 connection-lost unclean',
        'giveup not-retryable after 1006 connection-lost unclean',
        'state gaveUp',
      ]);
      await expect(world.connection.closed).resolves.toMatchObject({ cause: 'connection-lost' });
      expect(errors).toEqual([bug]);
    });
  });
});
